// Bounded memory (docs/HARDENING.md): a body over `maxBodyBytes` is refused unread, and verifying a
// 10 MB response or a 5 MB notification (the limit raised) grows the engine's wasm memory by at most
// a stated multiple of the body, and with the wasm backend the RSA add-on's by at most one body and
// a half. Each measurement runs in a fresh Node process: the growth of each wasm memory (which never
// shrinks, so its growth is the instance's peak beyond the free space it had), and, on Linux, the rise of the process's peak resident set (VmHWM, reset through
// /proc/self/clear_refs just before the call) and of process.memoryUsage() around it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { APP_ID, alipayKey, api, appKey, packageDir, vectorsDir } from './support.mjs';

const { AlipayClient } = api;
const METHOD = 'alipay.marketing.voucher.query';
/** The engine's wasm memory may grow by at most this multiple of the body (docs/HARDENING.md). */
const MAX_MULTIPLE = 4;
/** The RSA add-on's (the wasm backend's) holds the message it verifies once: at most this multiple. */
const ADD_ON_MULTIPLE = 1.5;

test('a body over maxBodyBytes is refused unread, naming the limit', () => {
  const client = new AlipayClient({ appId: APP_ID, alipayPublicKey: alipayKey(), maxBodyBytes: 100, crypto: 'wasm' });
  for (const call of [() => client.verifyResponse(METHOD, '{'.repeat(101)), () => client.verifyNotification('%'.repeat(101))]) {
    assert.throws(call, (error) => {
      assert.equal(error.code, 'body_too_large');
      assert.equal(error.field, 'body');
      assert.equal(error.rule, 'must be at most 100 bytes (max_body_bytes)');
      assert.match(error.message, /101 bytes/);
      return true;
    });
  }
  const byDefault = new AlipayClient({ appId: APP_ID, alipayPublicKey: alipayKey() });
  assert.throws(() => byDefault.verifyResponse(METHOD, new Uint8Array(10 << 20)), { code: 'body_too_large', message: /4194304/ });
  for (const bad of [0, -1, 1.5, '4096', true]) {
    assert.throws(() => new AlipayClient({ appId: APP_ID, privateKey: appKey(), maxBodyBytes: bad }), {
      code: 'invalid_field',
      field: 'max_body_bytes',
    });
  }
});

const CHILD = `
const { createSign } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const [kind, backend, size, entry, vectorsDir] = process.argv.slice(1);
// The glue keeps its instances private: catch their memories as the glue instantiates them (the
// engine's, and with the wasm backend the RSA add-on's).
const memories = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  memories.push(instance.exports.memory);
  return instance;
};
const wasmBytes = () => memories.map((memory) => memory.buffer.byteLength);
const api = require(entry);
const gatewayKey = readFileSync(vectorsDir + 'keys/alipay_2048.private.pkcs8.pem', 'utf8');
const sign = (text) => createSign('sha256').update(text).sign(gatewayKey, 'base64');
const client = new api.AlipayClient({
  appId: '${APP_ID}', alipayPublicKey: readFileSync(vectorsDir + 'keys/alipay_2048.public.spki.pem', 'utf8'),
  maxBodyBytes: 16 << 20, crypto: backend,
});
let body;
if (kind === 'response') {
  const record = '{"voucher_id":"20170616000730020041006ZYE2V","amount":"10.00","url":"https:\\\\/\\\\/x.example\\\\/v"},';
  const node = '{"code":"10000","msg":"Success","vouchers":[' + record.repeat(Math.floor(size / record.length)).slice(0, -1) + ']}';
  body = Buffer.from('{"${METHOD.replaceAll('.', '_')}_response":' + node + ',"sign":"' + sign(node) + '"}');
} else {
  const content = 'app_id=${APP_ID}&fund_bill_list=' + 'x'.repeat(size) + '&notify_id=n1&trade_status=TRADE_SUCCESS';
  body = Buffer.from(content + '&sign_type=RSA2&sign=' + encodeURIComponent(sign(content)));
}
const verify = () => (kind === 'response' ? client.verifyResponse('${METHOD}', body).value.code : client.verifyNotification(body).trade_status);
const status = (name) => Number(/(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8').split('\\n').find((l) => l.startsWith(name + ':')))[1]) * 1024;
try { client.verifyResponse('${METHOD}', '{}'); } catch {} // warm up
globalThis.gc();
const wasmBefore = wasmBytes();
const usageBefore = process.memoryUsage();
const rssBefore = status('VmRSS');
writeFileSync('/proc/self/clear_refs', '5');
const result = verify();
const peak = status('VmHWM') - rssBefore;
const usageAfter = process.memoryUsage();
console.log(JSON.stringify({
  size: body.length, result, wasm: wasmBytes().map((bytes, i) => bytes - wasmBefore[i]), peak,
  heapUsed: usageAfter.heapUsed - usageBefore.heapUsed, arrayBuffers: usageAfter.arrayBuffers - usageBefore.arrayBuffers,
}));
`;

// The wasm backend's RSA is the fallback entry's add-on; node:crypto runs with the default entry.
const entries = { wasm: createRequire(import.meta.url).resolve('alipay-openapi/fallback'), node: packageDir };
const cases = [
  ['response', 'wasm', 10 << 20, '10000'],
  ['response', 'node', 10 << 20, '10000'],
  ['notification', 'wasm', 5 << 20, 'TRADE_SUCCESS'],
  ['notification', 'node', 5 << 20, 'TRADE_SUCCESS'],
];

for (const [kind, backend, size, expected] of cases) {
  test(`a ${size >> 20} MB ${kind} (${backend} RSA) grows the wasm memory by at most ${MAX_MULTIPLE}x`, { skip: !existsSync('/proc/self/clear_refs') && 'needs Linux /proc' }, (t) => {
    const child = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD, kind, backend, String(size), entries[backend], vectorsDir], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const measured = JSON.parse(child.stdout);
    assert.equal(measured.result, expected);
    const times = (bytes) => `${bytes} bytes, ${(bytes / measured.size).toFixed(2)}x`;
    const [engine, addOn] = measured.wasm;
    const addOnText = addOn === undefined ? '' : `, the RSA add-on's ${times(addOn)}`;
    t.diagnostic(`${kind} ${measured.size} bytes, ${backend}: the engine's wasm memory grew ${times(engine)}${addOnText}; ` +
      `process peak rose ${times(measured.peak)}; heapUsed ${times(measured.heapUsed)}, arrayBuffers ${times(measured.arrayBuffers)} after it`);
    assert.equal(measured.wasm.length, backend === 'wasm' ? 2 : 1, 'the engine, and the add-on with the wasm backend');
    assert.ok(engine > 0, 'the wasm memory had to grow for a body this size');
    assert.ok(engine <= MAX_MULTIPLE * measured.size, `the engine's wasm memory grew ${times(engine)}`);
    if (addOn !== undefined) assert.ok(addOn <= ADD_ON_MULTIPLE * measured.size, `the add-on's wasm memory grew ${times(addOn)}`);
  });
}
