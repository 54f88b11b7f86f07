// An edge worker (Cloudflare Workers style) that holds the merchant key server-side and signs with
// WebCrypto: the browser sends what it wants to call, the worker returns the signed request.
// The key lives in the worker's secrets (env.ALIPAY_PRIVATE_KEY), never in a page.
import { AlipayClient } from 'alipay-openapi';

let client;

export default {
  async fetch(request, env) {
    client ??= new AlipayClient({
      appId: env.ALIPAY_APP_ID,
      privateKey: env.ALIPAY_PRIVATE_KEY,
      gateway: env.ALIPAY_GATEWAY ?? 'sandbox',
      crypto: 'webcrypto',
    });
    const { method, fields, timestamp } = await request.json();
    // Only the typed methods, with fields checked against their pages, are signed for a browser.
    const signed = await client.signCallAsync(method, fields, { timestamp });
    return new Response(JSON.stringify(signed), { headers: { 'content-type': 'application/json' } });
  },
};
