// The page of browser.mjs: the web build's WebCrypto backend beside the page's raw crypto.subtle.
import init, { AlipayClient } from 'alipay-openapi/web';

import { compareWebCrypto } from './webcrypto.mjs';

await init();

/** Resolves to the printed lines and the ratios; `inputs` as `webCryptoInputs()` (inputs.mjs) gives them. */
window.runWebCryptoBench = async (inputs, seconds) => {
  const lines = [];
  const ratios = await compareWebCrypto({ AlipayClient, subtle: crypto.subtle, inputs, seconds, print: (line) => lines.push(line) });
  return { lines, ratios };
};
