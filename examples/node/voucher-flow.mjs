// The voucher flow with fetch: send a voucher, retry the send safely, query the voucher, and meet a
// business error, against the local test gateway; then pay an order through the local cashier's
// app-pay test endpoint and query the trade with OpenAPI v3. The package signs and verifies; fetch
// does HTTP.
//
//   node voucher-flow.mjs [GATEWAY_URL]
//
// Without a URL it starts the local gateway (cargo build -p alipay-local-gateway; or set
// ALIPAY_LOCAL_GATEWAY to its binary) and stops it at the end. Exits non-zero if any step fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { AlipayClient, isAlipayError } from 'alipay-openapi';

const repo = fileURLToPath(new URL('../../', import.meta.url));
// The local gateway's test app and its fixtures (tests/gateway): a voucher template, an expired
// template and a user. Real keys come from your secret store, never from the repository.
const APP_ID = '2021000000000001';
const TEMPLATE_VOUCHER = '20240513000730011111000ABCDE';
const TEMPLATE_EXPIRED = '20200101000730011111000EXPRD';
const USER_ID = '2088102000000000';

async function startGateway() {
  const binary = process.env.ALIPAY_LOCAL_GATEWAY ?? `${repo}target/debug/alipay-local-gateway`;
  const child = spawn(binary, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const failed = new Promise((_, reject) => child.once('error', reject));
  const firstLine = new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const line = await Promise.race([firstLine, failed]);
  const url = /^listening on (http:\/\/\S+)$/.exec(line)?.[1];
  if (!url) throw new Error(`unexpected first line from the gateway: ${line}`);
  return { url, stop: () => child.kill() };
}

/** POST a signed request with fetch; return the raw bytes, which are what the signature covers. */
async function send(signed) {
  const response = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
  return new Uint8Array(await response.arrayBuffer());
}

function makeClient(gatewayUrl) {
  const client = new AlipayClient({
    appId: APP_ID,
    privateKey: readFileSync(`${repo}tests/vectors/keys/app_2048.private.pkcs1.pem`, 'utf8'),
    alipayPublicKey: readFileSync(`${repo}tests/vectors/keys/alipay_2048.public.spki.pem`, 'utf8'),
    gateway: gatewayUrl,
  });
  console.log(`client: RSA by ${client.backend}, gateway ${gatewayUrl}`);
  return client;
}

async function voucherFlow(client) {

  // 1. Send a voucher. outBizNo is the idempotency key: keep it to retry.
  const voucherSend = { templateId: TEMPLATE_VOUCHER, userId: USER_ID, outBizNo: `node${Date.now()}`, memo: '示例券' };
  const sent = client.parseResponse('alipay.marketing.voucher.send', await send(client.signCall('alipay.marketing.voucher.send', voucherSend)));
  console.log(`voucher.send: voucher ${sent.voucherId} for user ${sent.userId}`);

  // 2. A retry (say the first answer was lost) re-signs the same fields with a fresh timestamp.
  const again = client.parseResponse('alipay.marketing.voucher.send', await send(client.signCall('alipay.marketing.voucher.send', voucherSend)));
  assert.equal(again.voucherId, sent.voucherId, 'the gateway recognises the repeat: same voucher');
  console.log('voucher.send retried with the same outBizNo: same voucher, nothing sent twice');

  // 3. Query it: amounts arrive as exact strings, never floats.
  const query = await send(client.signCall('alipay.marketing.voucher.query', { voucherId: sent.voucherId }));
  const voucher = client.parseResponse('alipay.marketing.voucher.query', query);
  assert.equal(voucher.voucherId, sent.voucherId);
  console.log(`voucher.query: ${voucher.name}, status ${voucher.status}, ${voucher.availableAmount} of ${voucher.totalAmount} available`);

  // 4. A business error is a verified answer, thrown with its code and the catalog's advice.
  const expired = { ...voucherSend, templateId: TEMPLATE_EXPIRED, outBizNo: `node${Date.now()}x` };
  try {
    client.parseResponse('alipay.marketing.voucher.send', await send(client.signCall('alipay.marketing.voucher.send', expired)));
    assert.fail('an expired template must be refused');
  } catch (error) {
    if (!isAlipayError(error) || error.code !== 'gateway_error') throw error;
    console.log(`voucher.send on an expired template: ${error.subCode} (${error.subMsg}); retryable: ${error.retryable}`);
    assert.equal(error.retryable, false);
  }
  return { voucherId: sent.voucherId, status: voucher.status };
}

/** An app-pay order paid through the local cashier's test endpoint, then queried with OpenAPI v3. */
async function tradeQueryV3(client, gatewayUrl) {
  const outTradeNo = `node${Date.now()}`;
  const order = client.sign({
    method: 'alipay.trade.app.pay',
    bizContent: { out_trade_no: outTradeNo, total_amount: '88.88', subject: '测试订单', product_code: 'QUICK_MSECURITY_PAY' },
  });
  const paid = await fetch(new URL('/test/app-pay', gatewayUrl), { method: 'POST', body: order.orderString });
  console.log(`paid order ${outTradeNo}: trade ${(await paid.json()).trade_no}`);

  const signed = client.signV3({ httpMethod: 'POST', path: '/v3/alipay/trade/query', body: { out_trade_no: outTradeNo } });
  const reply = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
  const answer = client.verifyV3Response(reply.status, reply.headers, new Uint8Array(await reply.arrayBuffer()));
  console.log(`v3 trade query: ${answer.value.trade_status}, ${answer.value.total_amount} yuan (signed answer, trace ${answer.traceId})`);
  return answer.value.trade_status;
}

const gateway = process.argv[2] ? { url: process.argv[2], stop() {} } : await startGateway();
try {
  const client = makeClient(gateway.url);
  const result = { ...(await voucherFlow(client)), tradeStatus: await tradeQueryV3(client, gateway.url) };
  console.log(`voucher flow ok: ${JSON.stringify(result)}`);
} finally {
  gateway.stop();
}
