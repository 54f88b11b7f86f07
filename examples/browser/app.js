// The browser example: safe uses of the web build (verification with the public key, unsigned
// requests) plus the edge worker's WebCrypto signing, each result shown on the page.
import init, { AlipayClient } from 'alipay-openapi';
import worker from './worker.js';

const APP_ID = '2021000000000001';
const text = async (path) => (await fetch(path)).text();
const json = async (path) => (await fetch(path)).json();

function show(id, run) {
  const out = document.getElementById(id);
  return run().then(
    (result) => {
      out.dataset.status = 'ok';
      out.textContent = typeof result === 'string' ? result : JSON.stringify(result, null, 2);
    },
    (error) => {
      out.dataset.status = 'error';
      out.dataset.code = error.code ?? '';
      out.textContent = `${error.name} ${error.code ?? ''}: ${error.message}`;
    },
  );
}

await init();
const alipayPublicKey = await text('./vectors/keys/alipay_2048.public.spki.pem');
// Verifying needs only the Alipay public key: WebCrypto does the RSA.
const verifier = new AlipayClient({ appId: APP_ID, alipayPublicKey, crypto: 'webcrypto' });
const response = (await json('./vectors/responses.json')).find((c) => c.id === 'resp-001').inputs;
const notification = (await json('./vectors/notifies.json')).find((c) => c.expected.valid).inputs;

await show('verify-response', async () => {
  const result = await verifier.parseResponseAsync(response.method, response.body);
  return { method: response.method, voucherId: result.voucherId, userId: result.userId };
});

await show('reject-response', () => verifier.verifyResponseAsync(response.method, response.body.replace('2088302001456115', '2088302001456116')));

await show('verify-notify', async () => {
  const fields = await verifier.verifyNotificationAsync(notification.body);
  return { notify_id: fields.notify_id, out_trade_no: fields.out_trade_no, trade_status: fields.trade_status, total_amount: fields.total_amount };
});

await show('unsigned-request', async () => {
  const prepared = verifier.prepare({ method: 'alipay.marketing.voucher.query', bizContent: { voucher_id: '20170616000730020041006ZYE2V' } });
  try {
    return prepared.signContent;
  } finally {
    prepared.free();
  }
});

await show('worker-sign', async () => {
  // Demonstration only: a published test key stands in for the worker's secret.
  const env = { ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY: await text('./vectors/keys/app_2048.private.pkcs1.pem') };
  const call = {
    method: 'alipay.marketing.voucher.query',
    fields: { voucherId: '20170616000730020041006ZYE2V' },
    timestamp: '2024-05-13 17:49:20',
  };
  const answer = await worker.fetch(new Request('https://edge.example/sign', { method: 'POST', body: JSON.stringify(call) }), env);
  const signed = await answer.json();
  return { url: signed.url, signature: signed.signature };
});

document.body.dataset.done = 'true';
