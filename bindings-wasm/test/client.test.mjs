// The client's behaviour beyond the vectors: typed calls, errors, backends, secrets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';

import { APP_ID, BACKENDS, alipayKey, api, appKey, gatewayBody, key, outcome, vectors } from './support.mjs';

const { AlipayClient, isAlipayError } = api;
const responses = Object.fromEntries(vectors('responses').map((c) => [c.id, c]));
const client = (options = {}) => new AlipayClient({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey(), ...options });

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected a throw');
}

test('the Node build defaults to node:crypto and reports its settings', () => {
  const c = client();
  assert.equal(c.backend, 'node');
  assert.equal(c.signType, 'RSA2');
  assert.equal(c.charset, 'utf-8');
  assert.equal(client({ charset: 'GBK', signType: 'RSA', crypto: 'wasm' }).charset, 'GBK');
});

test('a signed request is ready for fetch', () => {
  const signed = client({ gateway: 'sandbox', appAuthToken: 'tok' }).sign({
    method: 'alipay.marketing.voucher.query',
    bizContent: { voucher_id: '20170616000730020041006ZYE2V' },
    notifyUrl: 'https://m.example.com/notify',
    timestamp: new Date(Date.UTC(2024, 4, 13, 9, 49, 20)),
  });
  assert.equal(signed.method, 'POST');
  assert.ok(signed.url.startsWith('https://openapi-sandbox.dl.alipaydev.com/gateway.do?'));
  const query = new URL(signed.url).searchParams;
  assert.equal(query.get('timestamp'), '2024-05-13 17:49:20');
  assert.equal(query.get('sign'), signed.signature);
  assert.equal(query.get('app_auth_token'), 'tok');
  assert.equal(query.get('notify_url'), 'https://m.example.com/notify');
  assert.equal(signed.headers['content-type'], 'application/x-www-form-urlencoded;charset=utf-8');
  assert.equal(new URLSearchParams(signed.body).get('biz_content'), '{"voucher_id":"20170616000730020041006ZYE2V"}');
  assert.match(signed.signContent, /^app_auth_token=tok&app_id=2021000000000001&biz_content=/);
});

test('typed calls take camelCase fields, send the page names and amounts as strings', async () => {
  const fields = {
    templateId: '20140601000730010040000000EB',
    userId: '2088302001456115',
    outBizNo: '2016122814164328aadaee_1aee_4',
    amount: '9.99',
    memo: '优酷3个月兑换券',
  };
  for (const backend of BACKENDS) {
    const c = client({ crypto: backend });
    const signed =
      backend === 'webcrypto'
        ? await c.signCallAsync('alipay.marketing.voucher.send', fields, { timestamp: 1715593760000 })
        : c.signCall('alipay.marketing.voucher.send', fields, { timestamp: 1715593760000 });
    assert.equal(
      signed.params.biz_content,
      '{"template_id":"20140601000730010040000000EB","user_id":"2088302001456115","out_biz_no":"2016122814164328aadaee_1aee_4","amount":"9.99","memo":"优酷3个月兑换券"}',
    );
    assert.equal(signed.params.method, 'alipay.marketing.voucher.send');
  }
  const tooLong = thrown(() => client().signCall('alipay.marketing.voucher.send', { ...fields, outBizNo: 'x'.repeat(65) }));
  assert.equal(tooLong.code, 'invalid_field');
  assert.equal(tooLong.field, 'out_biz_no');
  assert.ok(tooLong.rule.length > 0);
  const floatMoney = thrown(() => client().signCall('alipay.marketing.voucher.send', { ...fields, amount: 9.99 }));
  assert.equal(floatMoney.code, 'invalid_field');
  const unknown = thrown(() => client().signCall('alipay.marketing.voucher.send', { ...fields, colour: 'red' }));
  assert.equal(unknown.code, 'invalid_field');
  const untyped = thrown(() => client().signCall('alipay.trade.query', { outTradeNo: '1' }));
  assert.equal(untyped.field, 'method');
});

test('typed results are camelCase with amounts as strings', async () => {
  const method = 'alipay.marketing.voucher.query';
  const body = gatewayBody(
    method,
    '{"code":"10000","msg":"Success","name":"商户代金券","voucher_id":"20170616000730020041006ZYE2V","user_id":"2088102146165572",' +
      '"template_id":"0616844525285551005194106549","gmt_active":"2015-04-02 13:32:43","gmt_expired":"2015-04-02 13:32:43",' +
      '"total_amount":1,"available_amount":"0.50","status":"ENABLED","gmt_create":"2015-04-02 13:32:43","extend_info":"{}",' +
      '"bill_details":[{"trade_no":"2015040200073002576500000001","amount":0.5,"status":"S","biz_type":"V_USE","gmt_create":"2015-04-02 13:32:43"}],' +
      '"new_member":"kept"}',
  );
  for (const backend of BACKENDS) {
    const c = client({ crypto: backend });
    const voucher = backend === 'webcrypto' ? await c.parseResponseAsync(method, body) : c.parseResponse(method, body);
    assert.equal(voucher.voucherId, '20170616000730020041006ZYE2V');
    assert.equal(voucher.status, 'ENABLED');
    assert.equal(voucher.totalAmount, '1.00');
    assert.equal(voucher.availableAmount, '0.50');
    assert.equal(voucher.gmtExpired, '2015-04-02 13:32:43');
    assert.equal(voucher.billDetails[0].amount, '0.50', 'a float in the response is read exactly, as a string');
    assert.equal(voucher.billDetails[0].bizType, 'V_USE');
    assert.equal(voucher.newMember, 'kept');
    assert.equal(voucher.code, undefined);
  }
  const sent = client().parseResponse('alipay.marketing.voucher.send', responses['resp-001'].inputs.body);
  assert.equal(sent.voucherId, '20160906000730020020002U8CBS');
  assert.equal(sent.userId, '2088302001456115');
  for (const backend of BACKENDS) {
    const untyped = await client({ crypto: backend }).parseResponseAsync('alipay.trade.query', responses['resp-001'].inputs.body).catch((e) => e);
    assert.equal(untyped.field, 'method', `${backend}: ${untyped}`);
  }
});

test('the older answer shape of resp-002 parses, with absent fields null', async () => {
  const { method, body } = responses['resp-002'].inputs;
  for (const backend of BACKENDS) {
    const c = client({ crypto: backend });
    const voucher = backend === 'webcrypto' ? await c.parseResponseAsync(method, body) : c.parseResponse(method, body);
    assert.equal(voucher.voucherId, '20170616000730020041006ZYE2V');
    assert.equal(voucher.name, '5元代金券', 'voucher_name stands in for name');
    assert.equal(voucher.totalAmount, '5.00', 'amount stands in for total_amount');
    assert.equal(voucher.availableAmount, '0.00');
    assert.equal(voucher.status, 'USED');
    assert.equal(voucher.gmtActive, '2017-06-16 15:06:39');
    assert.equal(voucher.gmtCreate, null);
    assert.equal(voucher.voucherType, 'FIX_VOUCHER');
    assert.equal(voucher.floorAmount, '20.00');
    assert.equal(voucher.billDetails.length, 2);
    const [used, refund] = voucher.billDetails;
    assert.deepEqual([used.amount, used.status, used.bizType, used.bizNo], ['5.00', 'SUCCESS', null, '2017061621001004070200176844']);
    assert.deepEqual([refund.amount, refund.status, refund.tradeNo], ['0.00', 'REFUND', null]);
  }
});

test('a verified business error is thrown as gateway_error with the catalog verdict', async () => {
  const c = responses['resp-005'].inputs;
  for (const backend of BACKENDS) {
    const error = await client({ crypto: backend })
      .parseResponseAsync(c.method, c.body)
      .then(() => assert.fail('must throw'), (e) => e);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'AlipayError');
    assert.equal(error.code, 'gateway_error');
    assert.equal(error.gatewayCode, '40004');
    assert.equal(typeof error.subCode, 'string');
    assert.equal(typeof error.subMsg, 'string');
    assert.equal(typeof error.retryable, 'boolean');
    assert.equal(typeof error.action, 'string');
  }
});

test('errors are real Errors with the core code, the field and the rule', () => {
  const cases = [
    [() => new AlipayClient({ appId: APP_ID, signType: 'RSA3' }), 'unsupported_sign_type'],
    [() => new AlipayClient({ appId: APP_ID, charset: 'latin1' }), 'unsupported_charset'],
    [() => new AlipayClient({ appId: APP_ID, privateKey: alipayKey() }), 'invalid_key'],
    [() => new AlipayClient({ appId: APP_ID, alipayPublicKey: appKey() }), 'invalid_key'],
    [() => new AlipayClient({ appId: APP_ID, gateway: 'ftp://x' }), 'invalid_field', 'gateway'],
    [() => new AlipayClient({ appId: APP_ID, alipayPublickey: 'x' }), 'invalid_field', 'alipay_publickey'],
    [() => new AlipayClient({ appId: APP_ID, charset: 8 }), 'invalid_field', 'charset'],
    [() => new AlipayClient({ appId: APP_ID, crypto: 'openssl' }), 'invalid_field', 'crypto'],
    [() => new AlipayClient({}), 'invalid_field', 'app_id'],
    [() => client().sign({ method: 'bad method' }), 'invalid_field', 'method'],
    [() => client().sign({ method: 'a.b', timestamp: 'yesterday' }), 'invalid_field', 'timestamp'],
    [() => client().sign({ method: 'a.b', params: { charset: 'x' } }), 'invalid_field', 'charset'],
    [() => client({ charset: 'GBK' }).sign({ method: 'a.b', bizContent: '{"memo":"😀"}' }), 'unencodable_text'],
    [() => new AlipayClient({ appId: APP_ID }).sign({ method: 'a.b' }), 'signing_failed'],
    [() => new AlipayClient({ appId: APP_ID }).verifyResponse('alipay.marketing.voucher.send', responses['resp-001'].inputs.body), 'invalid_key'],
    [() => client().verifyResponse('a.b', 42), 'invalid_field', 'body'],
    [() => client().verifyNotification('a=1&a=2'), 'malformed_notification'],
    [() => client().verifyNotification('a=1', { version: 'v3' }), 'invalid_field', 'version'],
    [() => client({ crypto: 'webcrypto' }).sign({ method: 'a.b' }), 'invalid_field', 'crypto'],
  ];
  for (const [fn, code, field] of cases) {
    const error = thrown(fn);
    assert.ok(error instanceof Error, String(error));
    assert.ok(isAlipayError(error));
    assert.equal(error.name, 'AlipayError');
    assert.equal(error.code, code, error.message);
    if (field) assert.equal(error.field, field, error.message);
    assert.ok(error.message.length > 10);
    assert.ok(error.stack.includes('AlipayError'));
  }
  assert.ok(!isAlipayError(new Error('x')));
});

test('unsigned gateway errors are distinct from data and carry subCode', () => {
  const body = JSON.stringify({
    error_response: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-app-id', sub_msg: '无效的AppID参数' },
  });
  for (const backend of BACKENDS.filter((b) => b !== 'webcrypto')) {
    const error = thrown(() => client({ crypto: backend }).verifyResponse('alipay.marketing.voucher.send', body));
    assert.equal(error.code, 'unsigned_gateway_error');
    assert.equal(error.subCode, 'isv.invalid-app-id');
    assert.equal(error.subMsg, '无效的AppID参数');
  }
});

test('no key material in errors, inspection or serialization', () => {
  const secret = key('keys/app_2048.private.pkcs8.b64').trim();
  const middle = secret.slice(200, 260);
  const c = client({ privateKey: secret });
  for (const text of [inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c), String(c)]) {
    assert.ok(!text.includes(middle));
  }
  const broken = secret.slice(0, 300) + '!!' + secret.slice(300);
  const error = thrown(() => new AlipayClient({ appId: APP_ID, privateKey: broken }));
  assert.equal(error.code, 'invalid_key');
  assert.ok(!error.message.includes(middle) && !inspect(error).includes(middle));
});

test('webcrypto signs with a PKCS#8 4096-bit key and rejects bad requests asynchronously', async () => {
  const c = client({ crypto: 'webcrypto', privateKey: key('keys/app_4096.private.pkcs8.pem') });
  const signed = await c.signAsync({ method: 'a.b', timestamp: 0 });
  assert.equal(signed.params.timestamp, '1970-01-01 08:00:00');
  assert.equal(await outcome(c.signAsync({ method: 'a b' })), 'invalid_field');
});
