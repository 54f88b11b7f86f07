#!/usr/bin/env bash
# Builds the npm package into dist/: the release .wasm, wasm-bindgen glue for Node (CommonJS, plus an
# ESM wrapper), the web (ES module with explicit init) and bundlers, each optimized with wasm-opt from
# the npm `binaryen` package (Debian's wasm-opt 108 breaks wasm-bindgen 0.2.130 output), and the
# JavaScript layer with its types. Needs: the wasm32-unknown-unknown target, wasm-bindgen-cli equal
# to the pinned wasm-bindgen, and `npm install` done here.
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd .. && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
wasm_opt=node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || { echo "build.sh: run npm install in bindings-wasm first (wasm-opt from binaryen)" >&2; exit 1; }

# opt-level s with fat LTO, then wasm-opt -O3: measured against opt-level z with -Oz, the module is
# 9% larger (4% gzipped) but the work around a node:crypto signature takes half the time (24 against
# 47-68 us per request) and the module's own RSA signs 40% faster; opt-level 3 is 20% larger again
# for a few microseconds more.
CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=fat \
  cargo build -p alipay-openapi-wasm --target wasm32-unknown-unknown --release --locked
wasm="$target_dir/wasm32-unknown-unknown/release/alipay_openapi_wasm.wasm"

rm -rf dist
for target in nodejs web bundler; do
  out="dist/${target/nodejs/node}"
  # The node and web glue can replace a trapped instance (js/client.js uses it); the bundler glue cannot.
  reset=(); [ "$target" = bundler ] || reset=(--experimental-reset-state-function)
  wasm-bindgen --target "$target" "${reset[@]}" --out-dir "$out" "$wasm"
  # The features Rust enables by default for wasm32 (and Node 18 supports).
  "$wasm_opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$out/alipay_openapi_wasm_bg.wasm" "$out/alipay_openapi_wasm_bg.wasm"
  rm -f "$out/.gitignore"
done

# The JavaScript layer: one source, as CommonJS for Node and as an ES module elsewhere.
{ cat js/client.js; echo 'module.exports = { createApi };'; } > dist/node/client.cjs
cp js/entries/node.cjs dist/node/index.cjs
cp js/entries/node.mjs dist/node/index.mjs
cp js/index.d.ts dist/node/index.d.ts
cp js/index.d.ts dist/node/index.d.mts
for target in web bundler; do
  { cat js/client.js; echo 'export { createApi };'; } > "dist/$target/client.js"
  cp "js/entries/$target.js" "dist/$target/index.js"
  cp js/index.d.ts "dist/$target/index.d.ts"
  echo '{ "type": "module" }' > "dist/$target/package.json"
done
cp js/entries/workerd.js dist/web/workerd.js
printf '\n/** Loads the WebAssembly module; call once before creating a client. */\nexport { default, initSync } from %s;\n' \
  "'./alipay_openapi_wasm.js'" >> dist/web/index.d.ts

raw=$(wc -c < dist/web/alipay_openapi_wasm_bg.wasm)
gz=$(gzip -9 -c dist/web/alipay_openapi_wasm_bg.wasm | wc -c)
echo "build.sh: alipay_openapi_wasm_bg.wasm $raw bytes raw, $gz bytes gzip -9 (unoptimized: $(wc -c < "$wasm") bytes)"
