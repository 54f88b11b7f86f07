import * as engine from '../../default/web/alipay_openapi_wasm.js';
import * as signer from '../../signer/web/alipay_openapi_wasm_signer.js';
import { createApi } from '../../client.mjs';

/**
 * Call `await init()` (or `initSync({ engine, signer })`) once before using the client. It loads two
 * modules: the engine and the RSA add-on; `engine` and `signer` take what the default
 * entry's `init` takes (`{ module_or_path }`).
 */
export default async function init({ engine: engineInput, signer: signerInput } = {}) {
  await Promise.all([engine.default(engineInput), signer.default(signerInput)]);
}

export function initSync({ engine: engineInput, signer: signerInput }) {
  engine.initSync(engineInput);
  signer.initSync(signerInput);
}

export const { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic } = createApi(engine, { subtle: globalThis.crypto?.subtle, signer });
