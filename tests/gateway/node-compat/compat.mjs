// The local test gateway accepts what the official Node SDK (alipay-sdk 4.14.0) sends, and the
// SDK accepts (and verifies) what the gateway answers: a check that the gateway is not merely
// consistent with our own client. UTF-8 only: the Node SDK signs UTF-8 bytes whatever `charset` says.
//
// Usage: GATEWAY_BIN=path/to/alipay-local-gateway node compat.mjs
// (default: the debug build in the workspace's target directory).

// The Node SDK writes `timestamp` in the process's local time; the gateway reads Beijing time.
process.env.TZ = 'Asia/Shanghai';

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlipaySdk } from 'alipay-sdk';

const here = dirname(fileURLToPath(import.meta.url));
const keys = join(here, '..', '..', 'vectors', 'keys');
const key = (name) => readFileSync(join(keys, name), 'ascii');
const bin = process.env.GATEWAY_BIN ?? join(here, '..', '..', '..', 'target', 'debug', 'alipay-local-gateway');

const APP_ID = '2021000000000001';
const CODES_TEMPLATE = '20240513000730011111000CODES';
const EXPIRED_TEMPLATE = '20200101000730011111000EXPRD';
const USER_ID = '2088102000000000';

function startGateway() {
  const child = spawn(bin, ['--port', '0', '--db', ':memory:'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`gateway exited early with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const url = line.replace(/^listening on /, '');
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/gateway\.do$/);
      resolve({ child, url });
    });
  });
}

const { child, url } = await startGateway();
let checks = 0;
try {
  const sdk = new AlipaySdk({
    appId: APP_ID,
    privateKey: key('app_2048.private.pkcs1.pem'),
    alipayPublicKey: key('alipay_2048.public.spki.pem'),
    gateway: url,
    timeout: 10000,
  });
  const exec = (method, bizContent) => sdk.exec(method, { bizContent }, { validateSign: true });
  const run = Date.now();

  const sendBiz = {
    template_id: CODES_TEMPLATE,
    user_id: USER_ID,
    out_biz_no: `node${run}`,
    memo: '测试券 a+b/c&d=e *~',
  };
  const sent = await exec('alipay.marketing.voucher.send', sendBiz);
  assert.equal(sent.code, '10000', JSON.stringify(sent));
  assert.equal(sent.voucherId.length, 28);
  assert.equal(sent.userId, USER_ID);
  checks++;

  const replay = await exec('alipay.marketing.voucher.send', sendBiz);
  assert.equal(replay.voucherId, sent.voucherId, 'a replayed send returns the same voucher');
  checks++;

  const found = await exec('alipay.marketing.voucher.query', { voucher_id: sent.voucherId });
  assert.equal(found.code, '10000', JSON.stringify(found));
  assert.equal(found.status, 'ENABLED');
  assert.equal(found.totalAmount, '5.00');
  checks++;

  const used = await exec('alipay.marketing.voucher.stock.use', { entity_no: 'EXTCODE00001', out_biz_no: `use${run}` });
  assert.equal(used.code, '10000', JSON.stringify(used));
  assert.equal(used.voucherId, sent.voucherId);
  const after = await exec('alipay.marketing.voucher.query', { voucher_id: sent.voucherId });
  assert.equal(after.status, 'USED');
  assert.equal(after.billDetails.length, 1);
  checks++;

  const syncBiz = {
    request_id: `sync${run}`,
    ticket_code: '16569843362',
    quantity: '4',
    order_no: '20180404111040030100130500594477',
    code_type: 'EXTERNAL_CODE',
    gmt_biz: '2017-09-09 12:12:12',
    sync_shop_id: 'store-001',
  };
  const synced = await exec('koubei.trade.ticket.ticketcode.sync', syncBiz);
  assert.equal(synced.code, '10000', JSON.stringify(synced));
  assert.deepEqual(synced.requestId, [syncBiz.request_id]);
  assert.equal(synced.bizCode, undefined);
  const resynced = await exec('koubei.trade.ticket.ticketcode.sync', syncBiz);
  assert.equal(resynced.bizCode, 'BIZ_ALREADY_SUCCESS');
  checks++;

  const expired = await exec('alipay.marketing.voucher.send', { ...sendBiz, template_id: EXPIRED_TEMPLATE });
  assert.equal(expired.code, '40004');
  assert.equal(expired.subCode, 'TEMPLATE_EXPIRED');
  checks++;

  // A request signed with a key that is not the app's is refused, with the sign content echoed.
  const stranger = new AlipaySdk({
    appId: APP_ID,
    privateKey: key('other_2048.private.pkcs1.pem'),
    alipayPublicKey: key('alipay_2048.public.spki.pem'),
    gateway: url,
  });
  const refused = await stranger.exec('alipay.marketing.voucher.query', { bizContent: { voucher_id: sent.voucherId } }, { validateSign: true });
  assert.equal(refused.code, '40002');
  assert.equal(refused.subCode, 'isv.invalid-signature');
  assert.match(refused.subMsg, /网关生成的验签字符串为：app_id=2021000000000001&biz_content=/);
  checks++;

  console.log(`node-compat: alipay-sdk 4.14.0 against ${url}: ${checks} checks passed`);
} finally {
  child.removeAllListeners('exit');
  child.kill();
}
