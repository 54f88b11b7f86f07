// The package as users install and load it: CommonJS and ESM under Node, the web build after an
// explicit init, the bundler build, each of the default entry and the fallback, the declared types
// under tsc --strict, and `npm pack`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { APP_ID, alipayKey, api, appKey, packageDir, sign, vectors, webInit } from './support.mjs';

const request = { method: 'alipay.marketing.voucher.query', bizContent: '{"voucher_id":"20170616000730020041006ZYE2V"}', timestamp: 1715593760000 };
const expected = api.AlipayClient && new api.AlipayClient({ appId: APP_ID, privateKey: appKey(), crypto: 'node' }).sign(request).signature;

test('require and import give the same API', async () => {
  const esm = await import('alipay-openapi');
  const cjs = createRequire(import.meta.url)('alipay-openapi');
  assert.equal(typeof esm.AlipayClient, 'function');
  assert.equal(esm.AlipayClient, cjs.AlipayClient);
  assert.equal(esm.isAlipayError, cjs.isAlipayError);
  assert.equal(new esm.AlipayClient({ appId: APP_ID, privateKey: appKey() }).sign(request).signature, expected);
});

// Without node:crypto the default entry signs with WebCrypto and the fallback with the add-on's RSA.
const BUILDS = [
  { entry: 'alipay-openapi', module: 'default', backend: 'webcrypto' },
  { entry: 'alipay-openapi/fallback', module: 'fallback', backend: 'wasm' },
];

for (const { entry, module, backend } of BUILDS) {
  test(`${entry}/web signs and verifies after an explicit init`, async () => {
    const web = await import(`${entry}/web`);
    await webInit(web, module);
    const chosen = new web.AlipayClient({ appId: APP_ID, privateKey: appKey() });
    assert.equal(chosen.backend, backend, 'the backend without node:crypto');
    assert.equal((await sign(chosen, request)).signature, expected);
    const subtle = new web.AlipayClient({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey(), crypto: 'webcrypto' });
    assert.equal((await subtle.signAsync(request)).signature, expected);
    const response = vectors('responses')[0].inputs;
    assert.equal((await subtle.verifyResponseAsync(response.method, response.body)).nodeKey, 'alipay_marketing_voucher_send_response');
    const node = () => new web.AlipayClient({ appId: APP_ID, crypto: 'node' });
    assert.throws(node, (e) => e.code === 'invalid_field' && e.field === 'crypto');
  });

  test(`${entry}/bundler loads where wasm ES module integration exists`, () => {
    const script = `import { AlipayClient } from '${entry}/bundler';
      const c = new AlipayClient(${JSON.stringify({ appId: APP_ID, privateKey: appKey() })});
      const signed = await (c.backend === 'webcrypto' ? c.signAsync : c.sign).call(c, ${JSON.stringify(request)});
      process.stdout.write(c.backend + ' ' + signed.signature);`;
    const out = execFileSync(process.execPath, ['--experimental-wasm-modules', '--no-warnings', '--input-type=module', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    assert.equal(out, `${backend} ${expected}`);
  });
}

test('the default and fallback entries share one engine, and a trap in either leaves both working', () => {
  const fallback = createRequire(import.meta.url)('alipay-openapi/fallback');
  const plain = new api.AlipayClient({ appId: APP_ID, privateKey: appKey() });
  const own = new fallback.AlipayClient({ appId: APP_ID, privateKey: appKey(), crypto: 'wasm' });
  for (const trapping of [api, fallback, api]) {
    assert.throws(() => trapping.__testPanic(), (e) => e.code === 'internal_panic');
    assert.equal(plain.sign(request).signature, expected, 'the default entry signs after the trap');
    assert.equal(own.sign(request).signature, expected, 'the fallback entry signs after the trap');
  }
});

test('the default entry has no RSA of its own and says where it is; the fallback entry verifies through its add-on', () => {
  const options = { appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey(), crypto: 'wasm' };
  const own = new (createRequire(import.meta.url)('alipay-openapi').AlipayClient)(options);
  assert.throws(() => own.sign(request), (e) => e.code === 'rsa_unavailable' && /host's RSA/.test(e.message));
  const { method, body } = vectors('responses')[0].inputs;
  assert.throws(() => own.verifyResponse(method, body), (e) => e.code === 'rsa_unavailable' && /portable-verifying/.test(e.message));
  // The engine's stages still work, with the host's verdict.
  assert.equal(own.beginVerifyResponse(method, body).finish(0).nodeKey, 'alipay_marketing_voucher_send_response');
  const withAddOn = new (createRequire(import.meta.url)('alipay-openapi/fallback').AlipayClient)(options);
  assert.equal(withAddOn.verifyResponse(method, body).nodeKey, 'alipay_marketing_voucher_send_response');
  const tampered = body.replace('"code":"10000"', '"code":"10001"');
  assert.notEqual(tampered, body);
  assert.throws(() => withAddOn.verifyResponse(method, tampered), (e) => e.code === 'signature_mismatch');
});

test("the fallback's add-on parses each Alipay key once per client, as node:crypto and WebCrypto do", async () => {
  const { createApi } = await import('../dist/client.mjs');
  const require = createRequire(import.meta.url);
  const addOn = require('../dist/signer/node/alipay_openapi_wasm_signer.js');
  const parsed = [];
  class CountingVerifier extends addOn.RsaVerifier {
    constructor(spki) {
      super(spki);
      parsed.push(spki);
    }
  }
  const engine = require('../dist/default/node/alipay_openapi_wasm.js');
  const { AlipayClient } = createApi(engine, { signer: { ...addOn, RsaVerifier: CountingVerifier } });
  const client = new AlipayClient({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey() });
  assert.equal(client.backend, 'wasm');
  const answers = vectors('responses').slice(0, 3);
  for (const round of [1, 2]) {
    for (const { inputs, expected } of answers) assert.equal(client.verifyResponse(inputs.method, inputs.body).nodeKey, expected.node_key, `round ${round}`);
  }
  assert.equal(parsed.length, 1, 'six verifications under one key parse it once');
  const tampered = answers[0].inputs.body.replace('"code":"10000"', '"code":"10001"');
  assert.throws(() => client.verifyResponse(answers[0].inputs.method, tampered), (e) => e.code === 'signature_mismatch');
  assert.equal(parsed.length, 1);
});

test('a TypeScript program using the package type-checks under tsc --strict', () => {
  const tsc = join(packageDir, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(packageDir, 'test/types')], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('npm pack makes a tarball that installs and runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alipay-openapi-pack-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: packageDir, encoding: 'utf8' }));
    const files = packed[0].files.map((f) => f.path);
    assert.ok(files.includes('dist/default/bundler/alipay_openapi_wasm_bg.wasm') && files.includes('dist/default/web/index.d.ts'), files.join(' '));
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'only the build and the README are published');
    writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true }');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, packed[0].filename)], { cwd: dir, stdio: 'pipe' });
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `for (const entry of ['alipay-openapi', 'alipay-openapi/fallback']) {
           const { AlipayClient } = require(entry);
           const client = new AlipayClient(${JSON.stringify({ appId: APP_ID, privateKey: appKey(), crypto: 'wasm' })});
           let result;
           try { result = client.sign(${JSON.stringify(request)}).signature; } catch (error) { result = error.code; }
           process.stdout.write(entry + ' ' + result + ' ' + new AlipayClient(${JSON.stringify({ appId: APP_ID, privateKey: appKey() })}).sign(${JSON.stringify(request)}).signature + '\\n');
         }`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(out, `alipay-openapi rsa_unavailable ${expected}\nalipay-openapi/fallback ${expected} ${expected}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
