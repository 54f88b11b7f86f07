// What a user downloads: the default module (every browser, Deno, Bun and edge worker loads it), the
// RSA add-on of the fallback entry, and the published tarball, against the package's size budget.
// build.sh prints the same figures.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { packageDir } from './support.mjs';

// The default module's limit is a regression budget, this build plus a margin, so that growth is a
// decision; its target (150 KB) is not met yet (see the README's size table). The tarball's is the
// target.
const MODULE_GZIP_LIMIT = 245_000;
const SIGNER_GZIP_LIMIT = 90_000;
const TARBALL_LIMIT = 450_000;

const ENGINE = 'dist/default/bundler/alipay_openapi_wasm_bg.wasm';
const SIGNER = 'dist/signer/bundler/alipay_openapi_wasm_signer_bg.wasm';
const gzipped = (file) => gzipSync(readFileSync(join(packageDir, file)), { level: 9 }).length;

test(`the default module is at most ${MODULE_GZIP_LIMIT} bytes gzipped`, () => {
  const size = gzipped(ENGINE);
  assert.ok(size <= MODULE_GZIP_LIMIT, `${ENGINE} is ${size} bytes under gzip -9`);
});

test(`the RSA add-on is at most ${SIGNER_GZIP_LIMIT} bytes gzipped`, () => {
  const size = gzipped(SIGNER);
  assert.ok(size <= SIGNER_GZIP_LIMIT, `${SIGNER} is ${size} bytes under gzip -9`);
});

test('the default module carries no RSA private-key arithmetic', () => {
  // The add-on's signing names the blinding it does; the engine must not contain it.
  const marker = Buffer.from('alipay-openapi blinding');
  assert.ok(readFileSync(join(packageDir, SIGNER)).includes(marker), 'the add-on signs');
  assert.ok(!readFileSync(join(packageDir, ENGINE)).includes(marker), 'the engine has the signing code');
});

test(`the tarball carries each module once and packs to at most ${TARBALL_LIMIT} bytes`, () => {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const modules = packed.files.map((f) => f.path).filter((path) => path.endsWith('.wasm')).sort();
  assert.deepEqual(modules, [ENGINE, SIGNER]);
  assert.ok(packed.size <= TARBALL_LIMIT, `the tarball packs to ${packed.size} bytes`);
});

test('bench/parts.mjs reads the whole module and names each function by its crate', async () => {
  const { crateOf, sections } = await import('../bench/parts.mjs');
  const bytes = readFileSync(join(packageDir, ENGINE));
  const module = sections(bytes);
  assert.equal(module.parsedTo, bytes.length);
  assert.ok(module.bodies.length > 100 && module.data > 48_000, 'code and data (the GBK table alone is 48 KB)');
  assert.equal(crateOf('alloc::vec::Vec<T>::push::h0123'), 'alloc');
  assert.equal(crateOf('<f64 as core[c5930c85a12de822]::fmt::Display>::fmt'), 'core');
  assert.equal(crateOf('<T as der::ord::DerOrd>::der_cmp::hd67198be3036986e'), 'der');
  assert.equal(crateOf('client_new externref shim multivalue shim'), 'exports');
  assert.equal(crateOf('<char>::escape_debug_ext'), 'core');
  assert.equal(crateOf('memcmp'), 'other');
});
