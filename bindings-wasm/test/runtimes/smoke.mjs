// The smoke checks every runtime runs, on the package as that runtime's users load it. Plain ES
// module with no host APIs: each runtime's script hands in the package and the vectors it read.

/** The vector cases and key texts the checks use (the runtime scripts load exactly these). */
export const CASES = { request: 'req-001', response: 'resp-001', tampered: 'resp-029', notify: 'notify-001' };
export const KEYS = ['keys/app_2048.private.pkcs1.pem', 'keys/alipay_2048.public.spki.pem'];
const APP_ID = '2021000000000001';
const SYSTEM_PARAMS = new Set(['app_id', 'method', 'format', 'charset', 'sign_type', 'timestamp', 'version', 'biz_content']);

/** Picks the smoke cases out of the parsed requests.json, responses.json and notifies.json. */
export function pickCases(requests, responses, notifies) {
  const byId = (list, id) => list.find((c) => c.id === id) ?? fail(`vector ${id} is missing`);
  return {
    request: byId(requests, CASES.request),
    response: byId(responses, CASES.response),
    tampered: byId(responses, CASES.tampered),
    notify: byId(notifies, CASES.notify),
  };
}

function fail(message) {
  throw new Error(message);
}

function assertEqual(actual, expected, what) {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) fail(`${what}: got ${a}, expected ${e}`);
}

// The webcrypto backend only has the asynchronous methods; the others are checked synchronously.
const call = (client, method, ...args) => (client.backend === 'webcrypto' ? client[`${method}Async`](...args) : client[method](...args));

/**
 * Runs the checks with each backend in `backends` (the runtime's fastest one, then `wasm`), and checks
 * that a client without a `crypto` option picks `defaultBackend`. `keys` maps each path in KEYS to its text.
 * Resolves to `{ passed, failed, failures }`; never throws for a failed check.
 */
export async function runSmoke(api, cases, keys, { backends, defaultBackend }) {
  const { AlipayClient, isAlipayError } = api;
  const privateKey = keys[KEYS[0]];
  const alipayPublicKey = keys[KEYS[1]];
  const checks = [
    [`the default backend is ${defaultBackend}`, async () => {
      assertEqual(new AlipayClient({ appId: APP_ID, alipayPublicKey }).backend, defaultBackend, 'backend');
    }],
  ];
  for (const backend of backends) {
    const client = new AlipayClient({ appId: APP_ID, privateKey, alipayPublicKey, crypto: backend });
    checks.push(
      [`${backend}: ${CASES.request} signs byte-identically`, async () => {
        const params = cases.request.inputs.params;
        const extra = Object.fromEntries(Object.entries(params).filter(([name]) => !SYSTEM_PARAMS.has(name)));
        const request = { method: params.method, version: params.version, bizContent: params.biz_content, params: extra, timestamp: params.timestamp };
        const signed = await call(client, 'sign', request);
        assertEqual(signed.signContent, cases.request.expected.sign_content, 'sign content');
        assertEqual(signed.signature, cases.request.expected.signature, 'signature');
      }],
      [`${backend}: ${CASES.response} verifies`, async () => {
        const { inputs, expected } = cases.response;
        const verified = await call(client, 'verifyResponse', inputs.method, new TextEncoder().encode(inputs.body));
        assertEqual(verified.nodeKey, expected.node_key, 'node key');
        assertEqual(verified.nodeText, expected.raw_node_text, 'node text');
      }],
      [`${backend}: ${CASES.tampered} is rejected with signature_mismatch`, async () => {
        const { inputs } = cases.tampered;
        let thrown;
        try {
          await call(client, 'verifyResponse', inputs.method, inputs.body);
        } catch (error) {
          thrown = error;
        }
        if (!(thrown instanceof Error) || !isAlipayError(thrown)) fail(`expected an AlipayError, got ${thrown}`);
        assertEqual(thrown.code, 'signature_mismatch', 'error code');
      }],
      [`${backend}: ${CASES.notify} verifies`, async () => {
        const fields = await call(client, 'verifyNotification', cases.notify.inputs.body);
        const sorted = (object) => Object.fromEntries(Object.entries(object).sort());
        assertEqual(sorted(fields), sorted(cases.notify.inputs.params_decoded), 'notification fields');
      }],
    );
  }
  const failures = [];
  for (const [name, check] of checks) {
    try {
      await check();
    } catch (error) {
      failures.push(`${name}: ${error?.stack ?? error}`);
    }
  }
  return { passed: checks.length - failures.length, failed: failures.length, failures };
}

/** Runs smoke runs one after the other (the default module, then the fallback) and adds them up. */
export async function runBoth(...runs) {
  const results = [];
  for (const run of runs) results.push(await run());
  const sum = (field) => results.reduce((total, result) => total + result[field], 0);
  return { passed: sum('passed'), failed: sum('failed'), failures: results.flatMap((result) => result.failures) };
}

/** The one line each runtime prints. */
export const summary = (runtime, { passed, failed }) => `${runtime}: ${passed} passed, ${failed} failed`;
