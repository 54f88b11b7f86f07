import * as engine from '../../default/bundler/alipay_openapi_wasm.js';
import * as signer from '../../signer/bundler/alipay_openapi_wasm_signer.js';
import { createApi } from '../../client.mjs';

export const { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic } = createApi(engine, { subtle: globalThis.crypto?.subtle, signer });
