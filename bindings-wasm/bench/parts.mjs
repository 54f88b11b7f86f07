// Where the default module's bytes go: its code per crate and its data, as shipped (optimized like
// build.sh does, with the function names kept aside), for deciding what to move or rewrite.
//
//   node bench/parts.mjs [--top 25] [--functions 10]
//
// Needs build.sh run first (it reads the release build in target/ and the pinned tools it used).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const functions = args.includes('--functions') ? Number(args[args.indexOf('--functions') + 1]) || 10 : 0;
const wasmOptFlags = readFileSync(join(packageDir, 'wasm-opt.flags'), 'utf8').trim().split(/\s+/);

/** The sections of a module, and from its `name` section the names of its functions. */
export function sections(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  const name = () => {
    const length = leb();
    const text = new TextDecoder().decode(bytes.subarray(at, at + length));
    at += length;
    return text;
  };
  const found = { imports: 0, bodies: [], data: 0, custom: new Map(), names: new Map() };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 2) {
      for (let i = leb(); i > 0; i--) {
        name();
        name();
        const kind = bytes[at++];
        if (kind === 0) found.imports++, leb();
        else if (kind === 1) at++, leb() & 1 ? (leb(), leb()) : leb(); // table: reftype, limits
        else if (kind === 2) leb() & 1 ? (leb(), leb()) : leb(); // memory: limits
        else at += 2; // global: type, mutability
      }
    } else if (id === 10) {
      for (let i = leb(); i > 0; i--) {
        const length = leb();
        found.bodies.push(length);
        at += length;
      }
    } else if (id === 11) {
      found.data += size;
    } else if (id === 0) {
      const label = name();
      found.custom.set(label, size);
      if (label === 'name') {
        while (at < end) {
          const kind = bytes[at++];
          const length = leb();
          const stop = at + length;
          if (kind === 1) for (let i = leb(); i > 0; i--) found.names.set(leb(), name());
          at = stop;
        }
      }
    }
    at = end;
  }
  found.parsedTo = at;
  return found;
}

/**
 * The crate a function's code belongs to, from its name: `alloc::vec::Vec<T>::push::h…` → `alloc`,
 * `<f64 as core[…]::fmt::Display>::fmt` → `core` (the first path named), an export's shim
 * (`client_new externref shim`, where wasm-opt inlined the binding's code) → `exports`.
 */
export function crateOf(functionName) {
  if (/ (externref|multivalue) shim$/.test(functionName)) return 'exports';
  const path = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(functionName);
  if (path) return path[1];
  if (/^<(char|str|u8|f64|\[T\])>::/.test(functionName)) return 'core';
  return 'other';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = join(packageDir, '..', 'target/wasm32-unknown-unknown/release/alipay_openapi_wasm.wasm');
  const scratch = mkdtempSync(join(tmpdir(), 'parts-'));
  try {
    execFileSync('wasm-bindgen', ['--target', 'bundler', '--keep-debug', '--out-dir', scratch, built]);
    const named = join(scratch, 'named.wasm');
    execFileSync(join(packageDir, 'node_modules/.bin/wasm-opt'), ['-g', ...wasmOptFlags, '-o', named, join(scratch, 'alipay_openapi_wasm_bg.wasm')]);
    const module = sections(readFileSync(named));
    const perCrate = new Map();
    module.bodies.forEach((size, i) => {
      const crate = crateOf(module.names.get(module.imports + i) ?? '');
      perCrate.set(crate, (perCrate.get(crate) ?? 0) + size);
    });
    const code = module.bodies.reduce((a, b) => a + b, 0);
    const shipped = statSync(join(packageDir, 'dist/default/bundler/alipay_openapi_wasm_bg.wasm')).size;
    const nameSection = module.custom.get('name') ?? 0;
    const row = (label, bytes) => console.log(`  ${label.padEnd(34)} ${String(bytes).padStart(8)} bytes ${((bytes / (code + module.data)) * 100).toFixed(1).padStart(5)}%`);
    console.log(`default module, optimized as build.sh does: code ${code} bytes in ${module.bodies.length} functions, data ${module.data} bytes`);
    console.log(`(this copy keeps its names: ${nameSection} bytes of name section apart; the shipped module is ${shipped} bytes)`);
    row('data segments (tables, strings)', module.data);
    [...perCrate].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([crate, bytes]) => row(`code: ${crate}`, bytes));
    if (functions > 0) {
      console.log(`the ${functions} largest functions:`);
      const named = module.bodies.map((size, i) => [module.names.get(module.imports + i) ?? `function ${i}`, size]);
      named.sort((a, b) => b[1] - a[1]).slice(0, functions).forEach(([name, size]) => {
        console.log(`  ${String(size).padStart(8)} bytes  ${name.replace(/::h[0-9a-f]{16}$/, '')}`);
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
