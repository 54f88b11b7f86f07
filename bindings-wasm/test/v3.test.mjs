// OpenAPI v3 from JavaScript, with every RSA backend: the official Node SDK's golden requests and
// answers (tests/vectors/v3), the host-signer path, and typed errors for what a caller gets wrong.
import assert from 'node:assert/strict';
import { createSign } from 'node:crypto';
import test from 'node:test';

import { APP_ID, BACKENDS, alipayKey, api, appKey, fromB64, key, outcome, vectors } from './support.mjs';

const requests = vectors('v3/requests');
const answers = vectors('v3/responses');

function vectorClient(kind, crypto) {
  const base = { appId: APP_ID, privateKey: appKey(), crypto };
  if (kind === 'public_key' || kind === 'auth_info') return new api.AlipayClient({ ...base, alipayPublicKey: alipayKey() });
  if (kind === 'aes') {
    return new api.AlipayClient({ ...base, alipayPublicKey: alipayKey(), aesKey: key('protocol-examples/aes_key.txt').trim() });
  }
  assert.equal(kind, 'certificate');
  const cert = (name) => key(`certs/generated/${name}.pem`);
  return new api.AlipayClient({ ...base, appCert: cert('app_cert'), alipayCert: cert('alipay_cert'), alipayRootCert: cert('root_bundle') });
}

/** A vector's input as a JavaScript user writes it: camelCase names, files' content as bytes. */
function v3Options(input) {
  const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const options = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === null || (Array.isArray(value) && value.length === 0)) continue;
    options[camel(name)] = value;
  }
  if (options.files) {
    options.files = options.files.map((f) => ({ field: f.field, fileName: f.file_name, contentType: f.content_type, content: fromB64(f.content_b64) }));
  }
  return options;
}

const signV3 = async (client, request) => (client.backend === 'webcrypto' ? client.signV3Async(request) : client.signV3(request));
const verifyV3 = async (client, ...args) =>
  client.backend === 'webcrypto' ? client.verifyV3ResponseAsync(...args) : client.verifyV3Response(...args);

for (const backend of BACKENDS) {
  test(`${backend}: v3 requests match the Node SDK byte for byte`, async () => {
    for (const vector of requests.cases) {
      const signed = await signV3(vectorClient(vector.client, backend), v3Options(vector.input));
      assert.equal(signed.signContent, vector.sign_content, vector.name);
      assert.equal(signed.signature, vector.signature, vector.name);
      assert.equal(signed.method, vector.captured.method, vector.name);
      assert.equal(signed.pathWithQuery, vector.captured.path, vector.name);
      assert.deepEqual(signed.body, fromB64(vector.captured.body_b64), vector.name);
      for (const [name, value] of Object.entries(vector.captured.headers)) {
        if (!(name in vector.divergence)) assert.equal(signed.headers[name], value, `${vector.name}: ${name}`);
      }
    }
  });

  test(`${backend}: v3 answer verdicts match the vectors`, async () => {
    for (const vector of answers.cases) {
      const client = vectorClient(vector.client, backend);
      const got = await outcome(verifyV3(client, vector.status, vector.headers, vector.body));
      assert.equal(got, vector.expect, vector.name);
      if (vector.expect !== 'ok') continue;
      const response = await verifyV3(client, vector.status, new Headers(vector.headers), new TextEncoder().encode(vector.body));
      assert.equal(response.status, vector.status);
      assert.deepEqual(response.value, vector.body ? JSON.parse(response.body) : null);
      assert.equal(response.wasEncrypted, vector.client === 'aes');
      assert.equal(response.traceId, Object.fromEntries(vector.headers)['alipay-trace-id']);
    }
  });
}

test('a host signer gets the same v3 request', () => {
  const vector = requests.cases[0];
  const client = vectorClient('public_key', 'wasm');
  const prepared = client.prepareV3(v3Options(vector.input));
  assert.equal(prepared.signType, 'RSA2');
  const signature = createSign('sha256').update(prepared.signContentBytes).sign(key('keys/app_2048.private.pkcs8.pem'));
  const signed = prepared.attachSignature(new Uint8Array(signature));
  assert.equal(signed.signature, vector.signature);
  assert.equal(signed.headers.authorization, vector.captured.headers.authorization);
});

test('the nonce, the request id and the timestamp are drawn when absent', () => {
  const client = vectorClient('public_key', 'node');
  const [first, second] = [1, 2].map(() => client.signV3({ httpMethod: 'POST', path: '/v3/alipay/trade/query', body: { out_trade_no: '1' } }));
  assert.notEqual(first.headers['alipay-request-id'], second.headers['alipay-request-id']);
  assert.match(first.headers['alipay-request-id'], /^[0-9a-f]{32}$/);
  assert.match(first.signContent, /^app_id=2021000000000001,nonce=[0-9a-f]{32},timestamp=\d{13}\nPOST\n/);
  assert.match(first.signContent, /\n\{"out_trade_no":"1"\}\n$/, 'a body object keeps its names as given');
  const kept = client.signV3({ httpMethod: 'GET', path: '/v3/x', requestId: 'keep-me', nonce: 'n1', timestamp: 1715593760000 });
  assert.equal(kept.headers['alipay-request-id'], 'keep-me');
  assert.ok(kept.signContent.startsWith('app_id=2021000000000001,nonce=n1,timestamp=1715593760000\nGET\n/v3/x\n'));
});

test('a v3 error answer is an unverified typed error with status, code and trace id', () => {
  const vector = answers.cases.find((c) => c.name === 'error_400');
  const client = vectorClient('public_key', 'node');
  assert.throws(
    () => client.verifyV3Response(vector.status, vector.headers, vector.body),
    (error) => {
      assert.equal(error.code, 'v3_gateway_error');
      assert.equal(error.httpStatus, 400);
      assert.equal(error.gatewayCode, JSON.parse(vector.body).code);
      assert.equal(error.verified, false);
      assert.equal(error.traceId, Object.fromEntries(vector.headers)['alipay-trace-id']);
      return true;
    },
  );
});

test('v3 mistakes are typed errors naming the field', () => {
  const client = vectorClient('public_key', 'node');
  const cases = [
    [() => client.signV3({ httpMethod: 'POST', path: '' }), 'path'],
    [() => client.signV3({ path: '/v3/x' }), 'http_method'],
    [() => client.signV3({ httpMethod: 'POST', path: '/v3/x', requestId: 'has space' }), 'request_id'],
    [() => client.signV3({ httpMethod: 'POST', path: '/v3/x', query: { a: 1 } }), 'query.a'],
    [() => client.signV3({ httpMethod: 'POST', path: '/v3/x', query: [['a']] }), 'query'],
    [() => client.signV3({ httpMethod: 'POST', path: '/v3/x', colour: 'red' }), 'colour'],
    [() => client.signV3('POST /v3/x'), 'request'],
    [() => client.verifyV3Response('200', [], '{}'), 'status'],
    [() => client.verifyV3Response(200.5, [], '{}'), 'status'],
    [() => client.verifyV3Response(200, 42, '{}'), 'headers'],
    [() => client.verifyV3Response(200, [['a', 1]], '{}'), 'headers'],
  ];
  for (const [call, field] of cases) {
    assert.throws(call, (error) => api.isAlipayError(error) && error.field === field, field);
  }
  for (const [options, field] of [[{ signType: 'RSA' }, 'sign_type'], [{ charset: 'GBK' }, 'charset']]) {
    const other = new api.AlipayClient({ appId: APP_ID, privateKey: appKey(), ...options });
    assert.throws(() => other.signV3({ httpMethod: 'POST', path: '/v3/x' }), (error) => error.field === field);
  }
});

test('bytes become base64 text only as the content of a v3 upload file', () => {
  assert.throws(() => new api.AlipayClient({ appId: APP_ID, aesKey: new Uint8Array(16) }), (error) => error.field === 'aes_key');
  const client = vectorClient('public_key', 'node');
  const signed = client.signV3({
    httpMethod: 'POST', path: '/v3/x', nonce: 'n', requestId: 'r', multipartBoundary: 'b0undary',
    files: [{ field: 'file_content', fileName: 'a.png', contentType: 'image/png', content: new Uint8Array([0x89, 0x50]) }],
  });
  assert.ok(Buffer.from(signed.body).includes(Buffer.from([0x89, 0x50])), 'the file bytes are sent as they are');
});
