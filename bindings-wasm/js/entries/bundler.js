import * as engine from './alipay_openapi_wasm.js';
import { createApi } from '../../client.mjs';

export const { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic } = createApi(engine, { subtle: globalThis.crypto?.subtle });
