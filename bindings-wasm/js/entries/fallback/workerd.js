// workerd imports each .wasm file as a compiled WebAssembly.Module (see ../workerd.js).
import engineModule from '../../default/bundler/alipay_openapi_wasm_bg.wasm';
import signerModule from '../../signer/bundler/alipay_openapi_wasm_signer_bg.wasm';
import { initSync } from './index.js';

initSync({ engine: { module: engineModule }, signer: { module: signerModule } });
export { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic } from './index.js';
