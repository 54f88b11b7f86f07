// The WebCrypto backend beside raw crypto.subtle in headless Chromium: the web build
// (`alipay-openapi/web`) in a page served on 127.0.0.1, in the same paired rounds as bench.mjs.
//
//   node bench/browser.mjs [--seconds 1.5] [--check]
//
// --check exits non-zero unless signAsync() runs at >= 0.8x raw crypto.subtle.sign. The same target
// for verifyResponseAsync() against crypto.subtle.verify is printed but not checked, as in bench.mjs:
// it measured 0.45-0.61x. Needs Debian's chromium (`make setup` installs it); without it the run is
// skipped unless ALIPAY_REQUIRE_BROWSER=1.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../examples/browser/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support.mjs';
import { webCryptoInputs } from './inputs.mjs';
import { WEBCRYPTO_TARGET, webCryptoSummary } from './webcrypto.mjs';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 1.5;

if (!existsSync(CHROMIUM)) {
  if (process.env.ALIPAY_REQUIRE_BROWSER === '1') {
    console.error(`bench: ${CHROMIUM} is missing`);
    process.exit(1);
  }
  console.log(`bench: skipped the Chromium run, no ${CHROMIUM}`);
  process.exit(0);
}

const { chromium } = await import('playwright-core');
const server = await startServer(0, [
  ['/pkg/', fileURLToPath(new URL('../dist/', import.meta.url))],
  ['/', fileURLToPath(new URL('.', import.meta.url))],
]);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let result;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`http://127.0.0.1:${server.address().port}/browser.html`);
  await page.waitForFunction(() => 'runWebCryptoBench' in window, null, { timeout: 30_000 }).catch((error) => {
    throw new Error(errors.length ? `the page failed: ${errors.join('; ')}` : error.message);
  });
  result = await page.evaluate(([inputs, runSeconds]) => window.runWebCryptoBench(inputs, runSeconds), [webCryptoInputs(), seconds]);
  console.log(`Chromium ${browser.version()}, RSA-2048 (PKCS#1 v1.5, SHA-256), medians of 7 interleaved rounds, ${seconds}s per row`);
} finally {
  await browser.close();
  server.close();
}
for (const line of result.lines) console.log(line);
console.log(`\n${webCryptoSummary('Chromium', result.ratios)}`);
if (args.includes('--check') && result.ratios.sign < WEBCRYPTO_TARGET) {
  console.error('bench: a target was missed');
  process.exit(1);
}
