// The WebCrypto backend beside raw WebCrypto in the same runtime, run by bench.mjs in Node and by
// browser-page.mjs in Chromium with the same inputs (`webCryptoInputs` in inputs.mjs).
import { compare } from './rounds.mjs';

export const WEBCRYPTO_TARGET = 0.8;

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * `AlipayClient` and `subtle` of the runtime under test; `inputs`: the app key and the Alipay key as
 * PEM text for the client and as base64 DER (PKCS#8, SPKI) for raw WebCrypto, the request, and the
 * response's method, body and signed node text. Resolves to the sign and verify ratios.
 */
export async function compareWebCrypto({ AlipayClient, subtle, inputs, seconds, print = console.log }) {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const privateKey = await subtle.importKey('pkcs8', fromBase64(inputs.pkcs8), algorithm, false, ['sign']);
  const publicKey = await subtle.importKey('spki', fromBase64(inputs.spki), algorithm, false, ['verify']);
  const client = new AlipayClient({ appId: inputs.appId, privateKey: inputs.appKey, alipayPublicKey: inputs.alipayKey, crypto: 'webcrypto' });
  const { request, method, body } = inputs;
  const signContentBytes = client.prepare(request).signContentBytes;
  const nodeBytes = new TextEncoder().encode(inputs.node);
  const signature = fromBase64(JSON.parse(body).sign);
  if (!(await subtle.verify(algorithm, publicKey, signature, nodeBytes))) throw new Error('the benchmark response does not verify');

  const signs = await compare('WebCrypto signs/s (alipay.marketing.voucher.send)', [
    ['raw crypto.subtle.sign, CryptoKey, over the sign content bytes', () => subtle.sign(algorithm, privateKey, signContentBytes)],
    ['alipay-openapi, webcrypto: signAsync()', () => client.signAsync(request)],
  ], seconds, print);
  const verifications = await compare('WebCrypto response verifications/s (scan + verify, from the body text)', [
    ['raw crypto.subtle.verify, CryptoKey, node bytes given', () => subtle.verify(algorithm, publicKey, signature, nodeBytes)],
    ['alipay-openapi, webcrypto: verifyResponseAsync()', () => client.verifyResponseAsync(method, body)],
  ], seconds, print);
  return { sign: signs.ratio(1, 0), verify: verifications.ratio(1, 0) };
}

/** The summary line of `ratios` (from `compareWebCrypto`), each beside its target. */
export function webCryptoSummary(runtime, ratios) {
  const target = (ratio) => `(target >= ${WEBCRYPTO_TARGET}${ratio < WEBCRYPTO_TARGET ? ', not met' : ''})`;
  return (
    `webcrypto backend, ${runtime}: sign ${ratios.sign.toFixed(2)}x raw crypto.subtle.sign ${target(ratios.sign)}; ` +
    `verify ${ratios.verify.toFixed(2)}x raw crypto.subtle.verify ${target(ratios.verify)}`
  );
}
