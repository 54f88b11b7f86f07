// Each Node recipe against the local gateway: vouchers sent and redeemed through it, an order paid
// with its app-pay order string, the notification verified, re-delivered and counted once, and
// forged notifications answered `failure`. Skipped without the gateway build unless
// ALIPAY_REQUIRE_GATEWAY=1 (`make test-js` sets it).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { eventually, gatewayBinary, getJson, post, postForm, startGateway, startRecipe, startRelay } from './harness.mjs';

const TEMPLATE_WITH_CODES = '20240513000730011111000CODES'; // a fresh gateway hands out EXTCODE00001 first
const USER_ID = '2088102000000000';
// Percent signs and a plus: a recipe that decodes the form twice verifies a different subject and fails.
const SUBJECT = 'Tea 100%+ 茶 a%20b';

for (const name of ['express', 'hono']) {
  test(`${name}: vouchers, an app-pay order notified once, forgeries refused`, { skip: !gatewayBinary && 'no local gateway build' }, async (t) => {
    const gateway = await startGateway(['--notify-retry-ms', '50,50']);
    t.after(gateway.stop);
    const relay = await startRelay();
    t.after(relay.close);
    const recipe = await startRecipe(name, { ALIPAY_GATEWAY: gateway.url, PUBLIC_URL: relay.url });
    t.after(recipe.stop);
    relay.target = recipe.url;

    const send = { template_id: TEMPLATE_WITH_CODES, user_id: USER_ID, out_biz_no: 'send1' };
    const sent = await post(`${recipe.url}/vouchers`, send);
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    assert.match(sent.json.voucher_id, /^\d{28}$/);
    assert.deepEqual(await post(`${recipe.url}/vouchers`, send), sent, 'the same out_biz_no is the same voucher');

    const redeem = (outBizNo) => post(`${recipe.url}/vouchers/${sent.json.voucher_id}/redeem`, { code: 'EXTCODE00001', out_biz_no: outBizNo });
    assert.deepEqual(await redeem('use1'), { status: 200, json: { voucher_id: sent.json.voucher_id, redeemed: true } });
    const twice = await redeem('use2');
    assert.deepEqual([twice.status, twice.json.code], [422, 'REQUEST_PARAM_ILLEGAL'], 'a code is redeemed once');

    const created = await post(`${recipe.url}/orders`, { total_amount_fen: 8888, subject: SUBJECT });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const order = created.json;
    assert.ok(order.page_link.startsWith(`${gateway.url}?`), order.page_link);
    assert.match(order.order_string, /(^|&)method=alipay\.trade\.app\.pay(&|$)/);
    assert.equal(order.status, 'pending');

    const paid = await fetch(gateway.url.replace(/gateway\.do$/, 'test/app-pay'), { method: 'POST', body: order.order_string });
    const trade = await paid.json();
    assert.deepEqual([paid.status, trade.trade_status, trade.total_amount], [200, 'TRADE_SUCCESS', '88.88'], JSON.stringify(trade));

    const orderUrl = `${recipe.url}/orders/${order.out_trade_no}`;
    const state = async () => (await getJson(orderUrl)).json;
    // The recipe counts a notification before the relay records its answer: wait for both.
    const settled = await eventually(async () => {
      const now = await state();
      return now.notifications === 2 && relay.deliveries.length === 2 ? now : undefined;
    });
    assert.deepEqual(relay.deliveries.map((d) => d.answer), ['success', 'success'], 'verified, then verified again on re-delivery');
    assert.deepEqual([settled.status, settled.paid_count, settled.trade_no], ['paid', 1, trade.trade_no]);

    const genuine = relay.deliveries[0].body;
    assert.equal(await postForm(`${recipe.url}/alipay/notify`, genuine), 'success', 'a re-delivery is answered success');
    const forged = (changes) => {
      const fields = new URLSearchParams(genuine);
      for (const [key, value] of Object.entries(changes)) fields.set(key, value);
      return postForm(`${recipe.url}/alipay/notify`, fields.toString());
    };
    assert.equal(await forged({ total_amount: '0.01' }), 'failure');
    // Another first character (a signature that starts with `A` would otherwise be left as it was).
    const sign = new URLSearchParams(genuine).get('sign');
    assert.equal(await forged({ sign: `${sign[0] === 'A' ? 'B' : 'A'}${sign.slice(1)}` }), 'failure');
    assert.equal(await postForm(`${recipe.url}/alipay/notify`, 'not a notification'), 'failure');
    const other = (await post(`${recipe.url}/orders`, { total_amount_fen: 100, subject: 'other' })).json;
    assert.equal(await forged({ out_trade_no: other.out_trade_no, total_amount: '1.00' }), 'failure');

    assert.deepEqual(await state(), { ...settled, notifications: 3 }, 'paid once, whatever arrives');
    const { page_link: _link, order_string: _string, ...unchanged } = other;
    assert.deepEqual(await getJson(`${recipe.url}/orders/${other.out_trade_no}`), { status: 200, json: unchanged }, 'a forgery changes nothing');

    const returned = await fetch(`${recipe.url}/alipay/return?out_trade_no=${order.out_trade_no}&total_amount=88.88&sign=AAAA&sign_type=RSA2`);
    assert.equal(returned.status, 400);
    assert.match(await returned.text(), /not verified/);
  });
}
