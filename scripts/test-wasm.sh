#!/usr/bin/env bash
# The npm package (bindings-wasm/), tested from the package that `bash bindings-wasm/build.sh` put in
# dist/ and with the local gateway binary built (`make test-js` and `make test-browser` do both first;
# `make setup` installs the tools and npm packages). Exits non-zero on the first failure.
#
#   scripts/test-wasm.sh js        wasm-bindgen tests under Node; node --test (vectors with every
#                                  backend, client, hostile inputs, with the default module and with
#                                  the fallback; the package, the Node example); smoke tests in Node
#                                  18, Bun, Deno and workerd; the Express and Hono recipes; the size
#                                  budget
#   scripts/test-wasm.sh browser   wasm-bindgen tests and the package end to end in headless Chromium;
#                                  the Express and FastAPI recipes paid through the cashier
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export CARGO_TERM_COLOR=never
mode=${1:-}
gateway_bin="${CARGO_TARGET_DIR:-$root/target}/debug/alipay-local-gateway"

step() { printf '\n--> wasm %s: %s\n' "$mode" "$*"; }
need() { command -v "$1" >/dev/null || { echo "test-wasm.sh: $1 is missing: run make setup" >&2; exit 1; }; }

need wasm-bindgen-test-runner
[ -f bindings-wasm/dist/default/bundler/alipay_openapi_wasm_bg.wasm ] || { echo "test-wasm.sh: build the package first (bash bindings-wasm/build.sh)" >&2; exit 1; }
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

case "$mode" in
  js)
    # The Rust tests sign with the module's own RSA: the fallback module's feature.
    step "wasm-bindgen-test under Node"
    cargo test --locked -p alipay-openapi-wasm --target wasm32-unknown-unknown --features fallback --test node

    # Every test of the package's behaviour runs with each module; those of the package as a whole
    # (package, the Node example) once, and its size budget last.
    whole=(test/package.test.mjs test/example-node.test.mjs)
    behaviour=()
    for file in bindings-wasm/test/*.test.mjs; do
      file="${file#bindings-wasm/}"
      [[ "$file" = test/browser.test.mjs || "$file" = test/size.test.mjs || " ${whole[*]} " = *" $file "* ]] \
        || behaviour+=("$file")
    done
    for module in default fallback; do
      step "node --test, $module module: vectors with every backend, client, hostile inputs, memory"
      (cd bindings-wasm && ALIPAY_MODULE="$module" ALIPAY_LOCAL_GATEWAY="$gateway_bin" ALIPAY_REQUIRE_GATEWAY=1 \
        node --test "${behaviour[@]}")
    done
    step "node --test: the package as published, the Node example"
    (cd bindings-wasm && ALIPAY_LOCAL_GATEWAY="$gateway_bin" ALIPAY_REQUIRE_GATEWAY=1 node --test "${whole[@]}")

    step "node --test: the Express and Hono recipes against the local gateway"
    [ -d examples/recipes/node_modules/express ] || { echo "test-wasm.sh: examples/recipes has no node_modules: run make setup" >&2; exit 1; }
    (cd examples/recipes && ALIPAY_LOCAL_GATEWAY="$gateway_bin" ALIPAY_REQUIRE_GATEWAY=1 node --test test/recipes.test.mjs)

    step "other runtimes: Node 18, Bun, Deno, workerd (smoke tests of the built package)"
    bash bindings-wasm/test/runtimes/run.sh

    step "publish checks: publint, are-the-types-wrong, npm publish --dry-run"
    # attw: node10 cannot resolve `exports` subpaths, and the web and bundler entries are ES
    # modules by design (CommonJS users take the root or ./node entry); everything else must pass.
    # The npm name `alipay-openapi` belongs to an unrelated package (1.2.0), so the dry run needs a
    # tag other than `latest` until the package gets a name of its own.
    (cd bindings-wasm && npx publint --strict && npx attw --pack . --profile node16 --ignore-rules cjs-resolves-to-esm \
      && npm publish --dry-run --tag next 2>&1 | grep -E 'package size|total files|Publishing')

    step "size budget: the default module and the tarball"
    (cd bindings-wasm && node --test test/size.test.mjs)
    ;;
  browser)
    need chromium
    need chromedriver
    step "wasm-bindgen-test in headless Chromium"
    CHROMEDRIVER="$(command -v chromedriver)" \
      cargo test --locked -p alipay-openapi-wasm --target wasm32-unknown-unknown --features fallback --test browser

    step "node --test: the package's demo page in headless Chromium (WebCrypto, the web build)"
    (cd bindings-wasm && ALIPAY_REQUIRE_BROWSER=1 ALIPAY_LOCAL_GATEWAY="$gateway_bin" ALIPAY_REQUIRE_GATEWAY=1 \
      node --test test/browser.test.mjs)

    step "node --test: the Express and FastAPI recipes paid through the cashier in headless Chromium"
    (cd examples/recipes && ALIPAY_REQUIRE_BROWSER=1 ALIPAY_LOCAL_GATEWAY="$gateway_bin" ALIPAY_REQUIRE_GATEWAY=1 \
      node --test test/browser.test.mjs)
    ;;
  *)
    echo "usage: scripts/test-wasm.sh js|browser" >&2
    exit 2
    ;;
esac
