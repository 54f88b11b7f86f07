// An edge worker run by workerd (workerd.capnp). It loads the file the package's `workerd` export
// condition selects (what `import 'alipay-openapi'` gives a Cloudflare Worker): the web build,
// instantiated with its .wasm imported as a module. The merchant key is in the worker's bindings
// (server-side). One request runs the smoke checks with WebCrypto (the fastest RSA an edge worker has)
// and the wasm fallback, and answers the result.
import { AlipayClient, isAlipayError } from './dist/web/workerd.js';
import notifies from './vectors/notifies.json';
import requests from './vectors/requests.json';
import responses from './vectors/responses.json';
import { KEYS, pickCases, runSmoke } from './smoke.mjs';

export default {
  async fetch(request, env) {
    const keys = { [KEYS[0]]: env.ALIPAY_PRIVATE_KEY, [KEYS[1]]: env.ALIPAY_PUBLIC_KEY };
    const cases = pickCases(requests, responses, notifies);
    const result = await runSmoke({ AlipayClient, isAlipayError }, cases, keys, { backends: ['webcrypto', 'wasm'], defaultBackend: 'wasm' });
    return Response.json(result);
  },
};
