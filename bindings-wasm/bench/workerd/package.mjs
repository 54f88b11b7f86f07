// POST /sign {appId, request}: a new client signs one request (WebCrypto, the worker default).
// POST /verify {appId, method, body}: a new client verifies one response. Each answers the result.
import { AlipayClient } from './dist/default/web/workerd.js';

export default {
  async fetch(request, env) {
    const input = await request.json();
    const path = new URL(request.url).pathname;
    if (path === '/sign') {
      const signed = await new AlipayClient({ appId: input.appId, privateKey: env.PRIVATE_KEY }).signAsync(input.request);
      return Response.json({ signature: signed.signature });
    }
    const client = new AlipayClient({ appId: input.appId, alipayPublicKey: env.ALIPAY_PUBLIC_KEY });
    const verified = await client.verifyResponseAsync(input.method, input.body);
    return Response.json({ nodeKey: verified.nodeKey });
  },
};
