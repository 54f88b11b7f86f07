import * as engine from './alipay_openapi_wasm.js';
import { createApi } from '../../client.mjs';

/** Call `await init()` (or `initSync(bytes)`) once before using the client. */
export { default, initSync } from './alipay_openapi_wasm.js';
export const { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic } = createApi(engine, { subtle: globalThis.crypto?.subtle });
