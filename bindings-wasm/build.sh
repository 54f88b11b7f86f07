#!/usr/bin/env bash
# Builds the npm package into dist/: two WebAssembly modules, each optimized with wasm-opt from the npm
# `binaryen` package (Debian's wasm-opt 108 breaks wasm-bindgen 0.2.130 output) and each carried once:
#   dist/default/   the engine every entry loads: RSA through node:crypto or WebCrypto (the engine
#                   has no RSA arithmetic of its own)
#   dist/signer/    the RSA add-on (crate signer/: signs and verifies), loaded only by the
#                   `alipay-openapi/fallback` entries in dist/fallback/, for hosts without crypto
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
# One build each: built together, cargo would unify the core's features and give the engine the
# add-on's RSA.
for crate in alipay-openapi-wasm alipay-openapi-wasm-signer; do
  CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=fat \
    cargo build -p "$crate" --target wasm32-unknown-unknown --release --locked
done
built="$target_dir/wasm32-unknown-unknown/release"

rm -rf dist
mkdir dist
for module in default signer; do
  name=alipay_openapi_wasm; [ "$module" = signer ] && name=alipay_openapi_wasm_signer
  for target in nodejs web bundler; do
    out="dist/$module/${target/nodejs/node}"
    # The node and web glue can replace a trapped instance (js/client.js uses it); the bundler glue cannot.
    reset=(); [ "$target" = bundler ] || reset=(--experimental-reset-state-function)
    wasm-bindgen --target "$target" "${reset[@]}" --out-dir "$out" "$built/$name.wasm"
    rm -f "$out/.gitignore" "$out/${name}_bg.wasm.d.ts"
  done
  # wasm-bindgen emits the same module for every target; keep the bundler copy (under ES module
  # integration the module imports the glue beside it) and point the node and web glue at it.
  dir="dist/$module"
  for target in node web; do
    cmp -s "$dir/bundler/${name}_bg.wasm" "$dir/$target/${name}_bg.wasm" \
      || { echo "build.sh: the $target module differs from the bundler one; it cannot be shared" >&2; exit 1; }
    rm "$dir/$target/${name}_bg.wasm"
  done
  relink() { # file, the reference wasm-bindgen wrote, the one to write
    [ "$(grep -cF "$2" "$1")" = 1 ] || { echo "build.sh: $1 does not reference $2 exactly once" >&2; exit 1; }
    sed -i "s#$2#$3#" "$1"
  }
  relink "$dir/node/$name.js" "\`\${__dirname}/${name}_bg.wasm\`" "\`\${__dirname}/../bundler/${name}_bg.wasm\`"
  relink "$dir/web/$name.js" "new URL('${name}_bg.wasm'" "new URL('../bundler/${name}_bg.wasm'"
  # wasm-opt.flags: -O3 and the features Rust enables by default for wasm32 (and Node 18 supports).
  read -ra wasm_opt_flags < wasm-opt.flags
  "$wasm_opt" "${wasm_opt_flags[@]}" -o "$dir/bundler/${name}_bg.wasm" "$dir/bundler/${name}_bg.wasm"
  for target in web bundler; do echo '{ "type": "module" }' > "$dir/$target/package.json"; done
done
rm dist/signer/*/*.d.ts # the add-on is internal: no types

# The entries: dist/default/ has the engine's own, dist/fallback/ has entries only (the default
# engine plus the add-on).
for entries in default fallback; do
  from=js/entries; [ "$entries" = fallback ] && from=js/entries/fallback
  dir="dist/$entries"
  mkdir -p "$dir/node" "$dir/web" "$dir/bundler"
  cp "$from/node.cjs" "$dir/node/index.cjs"
  cp "$from/node.mjs" "$dir/node/index.mjs"
  for target in web bundler; do
    cp "$from/$target.js" "$dir/$target/index.js"
    echo '{ "type": "module" }' > "$dir/$target/package.json"
  done
  cp "$from/workerd.js" "$dir/web/workerd.js"
done

# The JavaScript layer: one source, as CommonJS for Node and as an ES module elsewhere.
{ cat js/client.js; echo 'module.exports = { createApi };'; } > dist/client.cjs
{ cat js/client.js; echo 'export { createApi };'; } > dist/client.mjs

# Types: every entry has the same API, declared beside the default module's glue; the fallback's
# web entry initializes two modules.
for target in node web bundler; do
  cp js/index.d.ts "dist/default/$target/index.d.ts"
done
cp js/index.d.ts dist/default/node/index.d.mts
printf '\n/** Loads the WebAssembly module; call once before creating a client. */\nexport { default, initSync } from %s;\n' \
  "'./alipay_openapi_wasm.js'" >> dist/default/web/index.d.ts
{
  sed "s#from './alipay_openapi_wasm.js'#from '../../default/web/alipay_openapi_wasm.js'#" js/index.d.ts
  cat <<'TYPES'

import type { InitInput, SyncInitInput } from '../../default/web/alipay_openapi_wasm.js';
/** Loads the engine and the RSA add-on; call once before creating a client. */
export default function init(inputs?: {
  engine?: { module_or_path: InitInput | Promise<InitInput> };
  signer?: { module_or_path: InitInput | Promise<InitInput> };
}): Promise<void>;
export function initSync(inputs: { engine: { module: SyncInitInput }; signer: { module: SyncInitInput } }): void;
TYPES
} > dist/fallback/web/index.d.ts

for module in default/bundler/alipay_openapi_wasm signer/bundler/alipay_openapi_wasm_signer; do
  wasm="dist/${module}_bg.wasm"
  echo "build.sh: ${module%%/*} module: $(wc -c < "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9" \
    "(unoptimized: $(wc -c < "$built/${module##*/}.wasm") bytes)"
done
packed=$(npm pack --dry-run --json 2>/dev/null | node -e 'const [p] = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`${p.size} bytes packed, ${p.unpackedSize} unpacked, ${p.entryCount} files`)')
echo "build.sh: npm tarball: $packed"
