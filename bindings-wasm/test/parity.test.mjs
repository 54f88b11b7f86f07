// The parity table (tests/parity/cases.json, described in its README) run from JavaScript with
// every RSA backend, and the operations manifest checked against the package's exports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { BACKENDS, SYNC_SIGNER, api, key, vectors, repoDir } from './support.mjs';

const table = JSON.parse(readFileSync(`${repoDir}tests/parity/cases.json`, 'utf8'));
const manifest = JSON.parse(readFileSync(`${repoDir}tests/parity/operations.json`, 'utf8'));
const responses = vectors('responses');
const notifies = vectors('notifies');
const v3Answers = vectors('v3/responses').cases;
const returns = vectors('client-modes').returns;
const vector = (list, id) => list.find((c) => c.id === id) ?? assert.fail(`no vector ${id}`);

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const camelKeys = (object) => Object.fromEntries(Object.entries(object).map(([k, v]) => [camel(k), v]));
const camelDeep = (value) =>
  Array.isArray(value) ? value.map(camelDeep)
    : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), camelDeep(v)]))
      : value;

function text(value) {
  const file = /^@((keys|certs)\/.+)$/.exec(value);
  if (file) return key(file[1]);
  const [, kind, id] = /^@(response|notify|notify-fields|v3-response|return):(.+)$/.exec(value) ?? [];
  if (kind === 'v3-response') {
    const { status, headers, body } = v3Answers.find((c) => c.name === id) ?? assert.fail(`no v3 answer ${id}`);
    return { status, headers, body };
  }
  if (kind === 'return') return vector(returns, id).query;
  if (kind === 'response') return new TextEncoder().encode(vector(responses, id).inputs.body);
  if (kind === 'notify') return vector(notifies, id).inputs.body;
  if (kind === 'notify-fields') return vector(notifies, id).inputs.params_decoded;
  return value.replaceAll('<lone-surrogate>', '\uD800').replace(/<(\d+) x (.)>/g, (_, n, c) => c.repeat(Number(n)));
}

const resolve = (value) =>
  typeof value === 'string' ? text(value)
    : Array.isArray(value) ? value.map(resolve)
      : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]))
        : value;

function clientOptions(client) {
  const { base, ...changes } = typeof client === 'string' ? { base: client } : client;
  return camelKeys(resolve({ ...table.clients[base], ...changes }));
}

// Request options as a JS user writes them: camelCase names; `params` and `bizContent` as given.
const requestOptions = (input) => ({ timestamp: table.timestamp, ...camelKeys(input) });

async function run(row, backend) {
  const client = new api.AlipayClient({ ...clientOptions(row.client), crypto: backend });
  const input = resolve(row.input ?? {});
  const async = backend === 'webcrypto';
  switch (row.op) {
    case 'build':
      return {};
    case 'sign':
      return async ? client.signAsync(requestOptions(input)) : client.sign(requestOptions(input));
    case 'sign_call': {
      const fields = camelKeys(input.fields);
      const options = { timestamp: table.timestamp };
      return async ? client.signCallAsync(input.method, fields, options) : client.signCall(input.method, fields, options);
    }
    case 'verify_response': {
      const messages = client.beginVerifyResponse(input.method, input.body);
      const count = messages.messages.length;
      messages.free();
      const verified = await (async ? client.verifyResponseAsync(input.method, input.body) : client.verifyResponse(input.method, input.body));
      return { ...verified, code: verified.value.code, messages: count };
    }
    case 'parse_response':
      return async ? client.parseResponseAsync(input.method, input.body) : client.parseResponse(input.method, input.body);
    case 'verify_notification': {
      const options = input.version === undefined ? undefined : { version: input.version };
      const fields = await (async ? client.verifyNotificationAsync(input.notification, options) : client.verifyNotification(input.notification, options));
      return { fields };
    }
    case 'check_order': {
      const fields = await (async ? client.verifyNotificationAsync(input.notification) : client.verifyNotification(input.notification));
      api.checkOrder(fields, camelKeys(input.order));
      return {};
    }
    case 'sign_v3': {
      const options = requestOptions(input);
      return async ? client.signV3Async(options) : client.signV3(options);
    }
    case 'verify_v3_response': {
      const { status, headers, body } = input.answer;
      return async ? client.verifyV3ResponseAsync(status, headers, body) : client.verifyV3Response(status, headers, body);
    }
    case 'verify_return': {
      const options = input.version === undefined ? undefined : { version: input.version };
      const fields = await (async ? client.verifyReturnAsync(input.query, options) : client.verifyReturn(input.query, options));
      return { fields };
    }
    case 'add_certificate': {
      if (input.verdicts !== undefined) return { sn: client.beginAddAlipayCertificate(input.pem, input.now).finish(input.verdicts) };
      return { sn: await (async ? client.addAlipayCertificateAsync(input.pem, input.now) : client.addAlipayCertificate(input.pem, input.now)) };
    }
    default:
      throw new Error(`unknown op ${row.op}`);
  }
}

function checkOk(row, result, checks) {
  for (const [name, expected] of Object.entries(checks)) {
    const actual = {
      url_prefix: () => assert.ok(result.url.startsWith(expected), result.url),
      sign_content: () => assert.equal(result.signContent, expected),
      url_contains: () => expected.forEach((part) => assert.ok(result.url.includes(part), `${part} in ${result.url}`)),
      sign_content_contains: () => expected.forEach((part) => assert.ok(result.signContent.includes(part), `${part} in ${result.signContent}`)),
      sign_content_lacks: () => expected.forEach((part) => assert.ok(!result.signContent.includes(part), `${part} in ${result.signContent}`)),
      body_contains: () => {
        // An upload's body is bytes.
        const body = typeof result.body === 'string' ? result.body : new TextDecoder().decode(result.body);
        expected.forEach((part) => assert.ok(body.includes(part), `${part} in ${body}`));
      },
      page_link_contains: () => expected.forEach((part) => assert.ok(result.pageLink.includes(part), `${part} in ${result.pageLink}`)),
      page_form_contains: () => expected.forEach((part) => assert.ok(result.pageForm.includes(part), `${part} in ${result.pageForm}`)),
      page_form_lacks: () => expected.forEach((part) => assert.ok(!result.pageForm.includes(part), `${part} in ${result.pageForm}`)),
      order_string_contains: () => expected.forEach((part) => assert.ok(result.orderString.includes(part), `${part} in ${result.orderString}`)),
      node_key: () => assert.equal(result.nodeKey, expected),
      fields: () => Object.entries(expected).forEach(([k, v]) => assert.equal(result.fields[k], v, k)),
      headers: () => Object.entries(expected).forEach(([k, v]) => assert.equal(result.headers[k], v, k)),
      headers_present: () => expected.forEach((k) => assert.ok(k in result.headers, k)),
      value: () => assert.deepEqual(result.value, expected),
    }[name];
    if (actual) actual();
    else assert.deepEqual(result[camel(name)], camelDeep(expected), `${row.id}: ${name}`);
  }
}

function checkError(row, error, expected) {
  assert.ok(api.isAlipayError(error), `${row.id}: not an AlipayError: ${error?.stack ?? error}`);
  for (const [name, value] of Object.entries(expected)) assert.deepEqual(error[camel(name)], value, `${row.id}: ${name} of ${error.message}`);
}

const rows = table.cases.filter((row) => !row.hosts || row.hosts.includes('js'));

for (const backend of BACKENDS) {
  test(`parity table, ${backend} backend: every row has the expected outcome`, async () => {
    assert.ok(rows.length >= 80, `only ${rows.length} rows`);
    for (const row of rows) {
      let result;
      let error;
      try {
        result = await run(row, backend);
      } catch (thrown) {
        error = thrown;
      }
      if (row.expect.ok) {
        assert.equal(error, undefined, `${row.id}: ${error?.code} ${error?.message}`);
        checkOk(row, result, row.expect.ok);
      } else {
        assert.notEqual(error, undefined, `${row.id}: succeeded, expected ${JSON.stringify(row.expect)}`);
        checkError(row, error, row.expect.error);
      }
    }
  });
}

test('every operation of the manifest is exported under its JavaScript name', () => {
  const client = new api.AlipayClient({ appId: '2021000000000001', alipayPublicKey: key('keys/alipay_2048.public.spki.pem'), crypto: 'wasm' });
  const pending = client.beginVerifyNotification('a=1&sign=AAAA');
  const prepared = client.prepare({ method: 'alipay.trade.query', timestamp: 0 });
  const signer = new api.AlipayClient({ appId: '2021000000000001', privateKey: key('keys/app_2048.private.pkcs1.pem'), crypto: SYNC_SIGNER });
  const preparedV3 = signer.prepareV3({ httpMethod: 'GET', path: '/v3/x' });
  const signed = signer.sign({ method: 'alipay.trade.page.pay', timestamp: 0 });
  const certificates = new api.AlipayClient({
    appId: '2021000000000001',
    appCert: key('certs/generated/app_cert.pem'),
    alipayCert: key('certs/generated/alipay_cert.pem'),
    alipayRootCert: key('certs/generated/root_bundle.pem'),
  });
  const chain = certificates.beginAddAlipayCertificate(key('certs/generated/alipay_cert_new.pem'));
  const owners = { AlipayClient: client, PendingVerification: pending, PendingCertificateChain: chain, PreparedRequest: prepared, PreparedV3Request: preparedV3, SignedRequest: signed };
  for (const { js } of manifest.operations) {
    const [owner, member] = js.includes('.') ? js.split('.') : [undefined, js];
    const where = owner ? owners[owner] : api;
    assert.ok(where && member in where, `${js} is not exported`);
  }
  pending.free();
  chain.free();
  prepared.free();
  preparedV3.free();
  // The table of typed APIs: each method has a typed model (an empty call fails on a field, not on the method).
  const table = api.apis();
  assert.equal(table.length, 4);
  assert.equal(new Set(table.map((a) => a.name)).size, 4);
  for (const { name, method } of table) {
    assert.match(name, /^[a-z]+(_[a-z]+)+$/);
    const error = (() => { try { client.prepareCall(method, {}); } catch (e) { return e; } })();
    assert.ok(api.isAlipayError(error) && error.field !== 'method', `${method}: ${error?.message}`);
  }
});
