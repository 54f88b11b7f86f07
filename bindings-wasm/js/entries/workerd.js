// Cloudflare Workers and workerd (the `workerd` export condition) import a .wasm file as a compiled
// WebAssembly.Module, which the bundler build cannot load; this instantiates the web build with it.
import wasmModule from '../bundler/alipay_openapi_wasm_bg.wasm';
import { initSync } from './alipay_openapi_wasm.js';

initSync({ module: wasmModule });
export { AlipayClient, isAlipayError, certSn, rootCertSn, checkOrder, apis, __testPanic } from './index.js';
