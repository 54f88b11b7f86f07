# workerd serving worker.mjs on a loopback port (workerd.mjs passes 127.0.0.1:0 and reads the port).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "smoke", worker = .smokeWorker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "smoke")],
);

const smokeWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "smoke.mjs", esModule = embed "smoke.mjs"),
    (name = "dist/default/web/workerd.js", esModule = embed "../../dist/default/web/workerd.js"),
    (name = "dist/default/web/index.js", esModule = embed "../../dist/default/web/index.js"),
    (name = "dist/default/web/alipay_openapi_wasm.js", esModule = embed "../../dist/default/web/alipay_openapi_wasm.js"),
    (name = "dist/default/bundler/alipay_openapi_wasm_bg.wasm", wasm = embed "../../dist/default/bundler/alipay_openapi_wasm_bg.wasm"),
    (name = "dist/fallback/web/workerd.js", esModule = embed "../../dist/fallback/web/workerd.js"),
    (name = "dist/fallback/web/index.js", esModule = embed "../../dist/fallback/web/index.js"),
    (name = "dist/signer/web/alipay_openapi_wasm_signer.js", esModule = embed "../../dist/signer/web/alipay_openapi_wasm_signer.js"),
    (name = "dist/signer/bundler/alipay_openapi_wasm_signer_bg.wasm", wasm = embed "../../dist/signer/bundler/alipay_openapi_wasm_signer_bg.wasm"),
    (name = "dist/client.mjs", esModule = embed "../../dist/client.mjs"),
    (name = "vectors/requests.json", json = embed "../../../tests/vectors/requests.json"),
    (name = "vectors/responses.json", json = embed "../../../tests/vectors/responses.json"),
    (name = "vectors/notifies.json", json = embed "../../../tests/vectors/notifies.json"),
  ],
  bindings = [
    (name = "ALIPAY_PRIVATE_KEY", text = embed "../../../tests/vectors/keys/app_2048.private.pkcs1.pem"),
    (name = "ALIPAY_PUBLIC_KEY", text = embed "../../../tests/vectors/keys/alipay_2048.public.spki.pem"),
  ],
  compatibilityDate = "2026-11-01",
);
