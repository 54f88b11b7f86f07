// The Express and FastAPI recipes end to end in headless Chromium: the browser follows the
// page-pay link of a new order to the local gateway's cashier, pays, comes back to the recipe's
// return_url and sees "paid" once the notification verified; the order is paid exactly once.
// Needs Debian's chromium; without it the test is skipped unless ALIPAY_REQUIRE_BROWSER=1.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { eventually, gatewayBinary, getJson, post, pythonAvailable, startGateway, startRecipe } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.ALIPAY_REQUIRE_BROWSER === '1') throw new Error(`${CHROMIUM} is missing`);

for (const name of ['express', 'fastapi']) {
  const missing = (!available && `no ${CHROMIUM}`) || (!gatewayBinary && 'no local gateway build') || (name === 'fastapi' && !pythonAvailable && 'no .venv');
  test(`${name}: a page-pay order paid in Chromium, returned, notified once`, { skip: missing }, async (t) => {
    const { chromium } = await import('playwright-core');
    const gateway = await startGateway(['--notify-retry-ms', '50,50']);
    t.after(gateway.stop);
    const recipe = await startRecipe(name, { ALIPAY_GATEWAY: gateway.url });
    t.after(recipe.stop);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    t.after(() => browser.close());

    const { json: order } = await post(`${recipe.url}/orders`, { total_amount_fen: 1999, subject: '<b>Tea</b> & "cake" 茶' });
    const page = await browser.newPage();
    await page.goto(order.page_link);
    assert.match(await page.textContent('body'), /Local test gateway — not Alipay/);
    assert.match(await page.textContent('body'), /19\.99/);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${recipe.url}/alipay/return?`)), page.click('#pay')]);

    // The browser may come back before the notification; the page shows what the notification decided.
    const shown = await eventually(async () => {
      const status = await page.textContent('#status');
      if (status === 'paid') return status;
      assert.equal(status, 'pending');
      await page.reload();
    });
    assert.equal(shown, 'paid');
    await new Promise((resolve) => setTimeout(resolve, 300)); // past the retry schedule: nothing more arrives
    const { json: final } = await getJson(`${recipe.url}/orders/${order.out_trade_no}`);
    assert.deepEqual([final.status, final.paid_count, final.notifications], ['paid', 1, 1]);
    assert.match(final.trade_no, /^\d+$/);
  });
}
