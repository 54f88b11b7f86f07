#!/usr/bin/env bash
# Builds the npm package into dist/: two modules, each optimized with wasm-opt from the npm `binaryen`
# package (Debian's wasm-opt 108 breaks wasm-bindgen 0.2.130 output) and each carried once:
#   dist/default/   the module every entry loads by default: RSA through node:crypto or WebCrypto
#   dist/fallback/  the same plus the module's own RSA (cargo feature `fallback`), for hosts without
#                   crypto: the `alipay-openapi/fallback` entry
# Each has wasm-bindgen glue for Node (CommonJS, plus an ESM wrapper), the web (ES module with explicit
# init) and bundlers; all of them load the one .wasm in bundler/. The JavaScript layer is
# dist/client.cjs and dist/client.mjs, the types are in dist/default/. Prints the raw and gzip -9
# size of each module and the size of the packed tarball. Needs: the wasm32-unknown-unknown target,
# wasm-bindgen-cli equal to the pinned wasm-bindgen, and `npm install` done here.
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
cargo_build() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=fat \
    cargo build -p alipay-openapi-wasm --target wasm32-unknown-unknown --release --locked "$@"
}
built="$target_dir/wasm32-unknown-unknown/release/alipay_openapi_wasm.wasm"
work="$target_dir/npm-modules"
mkdir -p "$work/default" "$work/fallback"
cargo_build
cp "$built" "$work/default/"
cargo_build --features fallback
cp "$built" "$work/fallback/"

rm -rf dist
mkdir dist
for module in default fallback; do
  for target in nodejs web bundler; do
    out="dist/$module/${target/nodejs/node}"
    # The node and web glue can replace a trapped instance (js/client.js uses it); the bundler glue cannot.
    reset=(); [ "$target" = bundler ] || reset=(--experimental-reset-state-function)
    wasm-bindgen --target "$target" "${reset[@]}" --out-dir "$out" "$work/$module/alipay_openapi_wasm.wasm"
    rm -f "$out/.gitignore" "$out/alipay_openapi_wasm_bg.wasm.d.ts"
  done
  # wasm-bindgen emits the same module for every target; keep the bundler copy (under ES module
  # integration the module imports the glue beside it) and point the node and web glue at it.
  dir="dist/$module"
  for target in node web; do
    cmp -s "$dir/bundler/alipay_openapi_wasm_bg.wasm" "$dir/$target/alipay_openapi_wasm_bg.wasm" \
      || { echo "build.sh: the $target module differs from the bundler one; it cannot be shared" >&2; exit 1; }
    rm "$dir/$target/alipay_openapi_wasm_bg.wasm"
  done
  relink() { # file, the reference wasm-bindgen wrote, the one to write
    [ "$(grep -cF "$2" "$1")" = 1 ] || { echo "build.sh: $1 does not reference $2 exactly once" >&2; exit 1; }
    sed -i "s#$2#$3#" "$1"
  }
  relink "$dir/node/alipay_openapi_wasm.js" '`${__dirname}/alipay_openapi_wasm_bg.wasm`' '`${__dirname}/../bundler/alipay_openapi_wasm_bg.wasm`'
  relink "$dir/web/alipay_openapi_wasm.js" "new URL('alipay_openapi_wasm_bg.wasm'" "new URL('../bundler/alipay_openapi_wasm_bg.wasm'"
  # The features Rust enables by default for wasm32 (and Node 18 supports).
  "$wasm_opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$dir/bundler/alipay_openapi_wasm_bg.wasm" "$dir/bundler/alipay_openapi_wasm_bg.wasm"

  cp js/entries/node.cjs "$dir/node/index.cjs"
  cp js/entries/node.mjs "$dir/node/index.mjs"
  for target in web bundler; do
    cp "js/entries/$target.js" "$dir/$target/index.js"
    echo '{ "type": "module" }' > "$dir/$target/package.json"
  done
  cp js/entries/workerd.js "$dir/web/workerd.js"
done

# The JavaScript layer: one source, as CommonJS for Node and as an ES module elsewhere.
{ cat js/client.js; echo 'module.exports = { createApi };'; } > dist/client.cjs
{ cat js/client.js; echo 'export { createApi };'; } > dist/client.mjs

# Types: both modules have the same API, declared beside the default module's glue.
for target in node web bundler; do
  cp js/index.d.ts "dist/default/$target/index.d.ts"
  rm -f "dist/fallback/$target/alipay_openapi_wasm.d.ts"
done
cp js/index.d.ts dist/default/node/index.d.mts
printf '\n/** Loads the WebAssembly module; call once before creating a client. */\nexport { default, initSync } from %s;\n' \
  "'./alipay_openapi_wasm.js'" >> dist/default/web/index.d.ts

for module in default fallback; do
  wasm="dist/$module/bundler/alipay_openapi_wasm_bg.wasm"
  echo "build.sh: $module module: $(wc -c < "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9" \
    "(unoptimized: $(wc -c < "$work/$module/alipay_openapi_wasm.wasm") bytes)"
done
packed=$(npm pack --dry-run --json 2>/dev/null | node -e 'const [p] = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`${p.size} bytes packed, ${p.unpackedSize} unpacked, ${p.entryCount} files`)')
echo "build.sh: npm tarball: $packed"
