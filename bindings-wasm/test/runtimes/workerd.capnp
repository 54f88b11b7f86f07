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
    (name = "dist/web/workerd.js", esModule = embed "../../dist/web/workerd.js"),
    (name = "dist/web/index.js", esModule = embed "../../dist/web/index.js"),
    (name = "dist/web/client.js", esModule = embed "../../dist/web/client.js"),
    (name = "dist/web/alipay_openapi_wasm.js", esModule = embed "../../dist/web/alipay_openapi_wasm.js"),
    (name = "dist/web/alipay_openapi_wasm_bg.wasm", wasm = embed "../../dist/web/alipay_openapi_wasm_bg.wasm"),
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
