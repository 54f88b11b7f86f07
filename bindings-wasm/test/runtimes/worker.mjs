// An edge worker run by workerd (workerd.capnp). It loads the files the package's `workerd` export
// condition selects (what `import 'alipay-openapi'` and `import 'alipay-openapi/fallback'` give a
// Cloudflare Worker): the web build, instantiated with its .wasm imported as a module. The merchant
// key is in the worker's bindings (server-side). One request runs the smoke checks with WebCrypto
// (the fastest RSA an edge worker has, and the default module's default) and, in the fallback
// module, with its own RSA as well, and answers the result.
import * as fallback from './dist/fallback/web/workerd.js';
import * as standard from './dist/default/web/workerd.js';
import notifies from './vectors/notifies.json';
import requests from './vectors/requests.json';
import responses from './vectors/responses.json';
import { KEYS, pickCases, runBoth, runSmoke } from './smoke.mjs';

export default {
  async fetch(request, env) {
    const keys = { [KEYS[0]]: env.ALIPAY_PRIVATE_KEY, [KEYS[1]]: env.ALIPAY_PUBLIC_KEY };
    const cases = pickCases(requests, responses, notifies);
    const result = await runBoth(
      () => runSmoke(standard, cases, keys, { backends: ['webcrypto'], defaultBackend: 'webcrypto' }),
      () => runSmoke(fallback, cases, keys, { backends: ['webcrypto', 'wasm'], defaultBackend: 'wasm' }),
    );
    return Response.json(result);
  },
};
