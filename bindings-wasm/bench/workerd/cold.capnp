# Two edge workers for cold-start.mjs, each started as its own workerd process: `bare` answers
# without the package (workerd's own start and first request), `package` imports the package's
# workerd entry and signs or verifies on request.
using Workerd = import "/workerd/workerd.capnp";

const bare :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "bare.mjs", esModule = embed "bare.mjs")], compatibilityDate = "2026-11-01"))],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const package :Workerd.Config = (
  services = [(name = "main", worker = .packageWorker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const packageWorker :Workerd.Worker = (
  modules = [
    (name = "package.mjs", esModule = embed "package.mjs"),
    (name = "dist/default/web/workerd.js", esModule = embed "../../dist/default/web/workerd.js"),
    (name = "dist/default/web/index.js", esModule = embed "../../dist/default/web/index.js"),
    (name = "dist/default/web/alipay_openapi_wasm.js", esModule = embed "../../dist/default/web/alipay_openapi_wasm.js"),
    (name = "dist/default/bundler/alipay_openapi_wasm_bg.wasm", wasm = embed "../../dist/default/bundler/alipay_openapi_wasm_bg.wasm"),
    (name = "dist/client.mjs", esModule = embed "../../dist/client.mjs"),
  ],
  bindings = [
    (name = "PRIVATE_KEY", text = embed "../../../tests/vectors/keys/app_2048.private.pkcs1.pem"),
    (name = "ALIPAY_PUBLIC_KEY", text = embed "../../../tests/vectors/keys/alipay_2048.public.spki.pem"),
  ],
  compatibilityDate = "2026-11-01",
);
