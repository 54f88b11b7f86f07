// End to end in headless Chromium: the browser example, served on 127.0.0.1, imports the web build,
// verifies a response and a notification, builds an unsigned request and signs in an edge-worker
// demo with WebCrypto; the test reads the page. Needs Debian's chromium (`make setup`
// installs it); without it the test is skipped unless ALIPAY_REQUIRE_BROWSER=1.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { startServer } from '../../examples/browser/serve.mjs';
import { APP_ID, CHROMIUM, CHROMIUM_ARGS, api, appKey } from './support.mjs';

const available = existsSync(CHROMIUM);
if (!available && process.env.ALIPAY_REQUIRE_BROWSER === '1') throw new Error(`${CHROMIUM} is missing`);

test('the browser example verifies, rejects, builds and signs with WebCrypto', { skip: !available && `no ${CHROMIUM}` }, async () => {
  const { chromium } = await import('playwright-core');
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForSelector('body[data-done="true"]', { timeout: 30_000 });
    assert.deepEqual(errors, []);
    const output = async (id) => {
      const el = page.locator(`#${id}`);
      return { status: await el.getAttribute('data-status'), code: await el.getAttribute('data-code'), text: await el.textContent() };
    };

    const verified = await output('verify-response');
    assert.equal(verified.status, 'ok', verified.text);
    assert.equal(JSON.parse(verified.text).voucherId, '20160906000730020020002U8CBS');

    const rejected = await output('reject-response');
    assert.equal(rejected.status, 'error');
    assert.equal(rejected.code, 'signature_mismatch', rejected.text);

    const notified = await output('verify-notify');
    assert.equal(notified.status, 'ok', notified.text);
    assert.equal(JSON.parse(notified.text).trade_status, 'TRADE_SUCCESS');

    const unsigned = await output('unsigned-request');
    assert.equal(unsigned.status, 'ok', unsigned.text);
    assert.match(unsigned.text, /^app_id=2021000000000001&biz_content=\{"voucher_id":"20170616000730020041006ZYE2V"\}&charset=utf-8/);

    const signedInPage = await output('worker-sign');
    assert.equal(signedInPage.status, 'ok', signedInPage.text);
    const expected = new api.AlipayClient({ appId: APP_ID, privateKey: appKey(), gateway: 'sandbox' })
      .signCall('alipay.marketing.voucher.query', { voucherId: '20170616000730020041006ZYE2V' }, { timestamp: '2024-05-13 17:49:20' });
    assert.equal(JSON.parse(signedInPage.text).signature, expected.signature, 'WebCrypto in Chromium signs as node:crypto does');
    assert.equal(JSON.parse(signedInPage.text).url, expected.url);
  } finally {
    await browser.close();
    server.close();
  }
});
