// Shared by the tests: the conformance vectors, the test keys, and clients for each RSA backend.
import { spawn } from 'node:child_process';
import { createSign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const repoDir = fileURLToPath(new URL('../..', import.meta.url));
export const vectorsDir = `${repoDir}tests/vectors/`;

/**
 * The entry under test: the default one, or with ALIPAY_MODULE=fallback the one that adds the RSA
 * signing add-on (`alipay-openapi/fallback`); scripts/test-wasm.sh runs the tests with each.
 */
export const MODULE = process.env.ALIPAY_MODULE === 'fallback' ? 'fallback' : 'default';

/** The package as a CommonJS user gets it (`require('alipay-openapi')`, or `.../fallback`). */
export const api = createRequire(import.meta.url)(MODULE === 'fallback' ? 'alipay-openapi/fallback' : 'alipay-openapi');

/**
 * Every RSA backend the entry offers for signing and verifying; each must give the same answers.
 * `wasm` is the package's own RSA: the engine verifies in every entry, the add-on signs in the fallback.
 */
export const BACKENDS = MODULE === 'fallback' ? ['node', 'webcrypto', 'wasm'] : ['node', 'webcrypto'];

/** A synchronous backend that signs: the package's own RSA in the fallback entry, else node:crypto. */
export const SYNC_SIGNER = MODULE === 'fallback' ? 'wasm' : 'node';

/** Initializes `entry`'s web build (`alipay-openapi/web` or `alipay-openapi/fallback/web`) from the built files. */
export async function webInit(web, entry) {
  const wasm = (file) => ({ module_or_path: readFileSync(`${packageDir}dist/${file}`) });
  const engine = wasm('default/bundler/alipay_openapi_wasm_bg.wasm');
  if (entry === 'fallback') await web.default({ engine, signer: wasm('signer/bundler/alipay_openapi_wasm_signer_bg.wasm') });
  else await web.default(engine);
}

/** Debian's chromium (`make setup` installs it) and the flags of the headless runs (tests, bench). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export const vectors = (name) => JSON.parse(readFileSync(`${vectorsDir}${name}.json`, 'utf8'));
export const key = (file) => readFileSync(`${vectorsDir}${file}`, 'utf8');
export const fromB64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));

export const APP_ID = '2021000000000001';
export const appKey = () => key('keys/app_2048.private.pkcs1.pem');
export const alipayKey = () => key('keys/alipay_2048.public.spki.pem');

/** Sign and verify with the methods a backend supports (webcrypto is asynchronous); always a promise. */
export const sign = async (client, request) => (client.backend === 'webcrypto' ? client.signAsync(request) : client.sign(request));
export const verifyResponse = async (client, method, body) =>
  client.backend === 'webcrypto' ? client.verifyResponseAsync(method, body) : client.verifyResponse(method, body);
export const verifyNotify = async (client, input, options) =>
  client.backend === 'webcrypto' ? client.verifyNotificationAsync(input, options) : client.verifyNotification(input, options);

/** `ok` or the error code: what must be identical across backends. */
export async function outcome(promise) {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (!api.isAlipayError(error)) throw error;
    return error.code;
  }
}

/** A response body laid out and signed the way the gateway does, with the test Alipay key. */
export function gatewayBody(method, nodeJson) {
  const nodeKey = `${method.replaceAll('.', '_')}_response`;
  const sign = createSign('sha256').update(nodeJson, 'utf8').sign(key('keys/alipay_2048.private.pkcs8.pem'), 'base64');
  return `{"${nodeKey}":${nodeJson},"sign":"${sign}"}`;
}

/** Parse a typed answer with the methods a backend supports; always a promise. */
export const parseResponse = async (client, method, body) =>
  client.backend === 'webcrypto' ? client.parseResponseAsync(method, body) : client.parseResponse(method, body);

/** The local gateway binary (`make test-js` builds it), or undefined when it is not built. */
export const gatewayBinary = (() => {
  const binary = process.env.ALIPAY_LOCAL_GATEWAY ?? `${repoDir}target/debug/alipay-local-gateway`;
  if (existsSync(binary)) return binary;
  if (process.env.ALIPAY_REQUIRE_GATEWAY === '1') throw new Error(`${binary} is missing`);
  return undefined;
})();

/** Starts the local gateway with `args`; resolves to its URL, its settings line and `stop()`. */
export async function startGateway(args) {
  const child = spawn(gatewayBinary, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const failed = new Promise((_, reject) => child.once('error', reject));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const line = async () => (await Promise.race([lines.next(), failed])).value;
  const url = /^listening on (http:\/\/\S+)$/.exec(await line())?.[1];
  const settings = JSON.parse(await line());
  if (!url) throw new Error('the gateway did not print its URL');
  return { url, settings, stop: () => child.kill() };
}

/** POSTs a signed request with fetch (plus extra headers); resolves to the raw response bytes. */
export async function send(signed, headers = {}) {
  const response = await fetch(signed.url, { method: signed.method, headers: { ...signed.headers, ...headers }, body: signed.body });
  return new Uint8Array(await response.arrayBuffer());
}
