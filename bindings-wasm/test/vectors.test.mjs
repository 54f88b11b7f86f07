// Every case of tests/vectors through the package, with each RSA backend: signatures byte-identical
// to the vectors, verdicts as expected and identical across backends.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { APP_ID, BACKENDS, alipayKey, api, appKey, fromB64, key, outcome, sign, vectors, verifyNotify, verifyResponse } from './support.mjs';

const SYSTEM_PARAMS = new Set(['app_id', 'method', 'format', 'charset', 'sign_type', 'timestamp', 'version', 'biz_content']);

function requestOf(params) {
  const extra = Object.fromEntries(Object.entries(params).filter(([name]) => !SYSTEM_PARAMS.has(name)));
  return { method: params.method, version: params.version, bizContent: params.biz_content, params: extra, timestamp: params.timestamp };
}

test('request vectors sign byte-identically with every backend', async () => {
  const cases = vectors('requests');
  assert.ok(cases.length >= 30);
  let checked = 0;
  for (const c of cases) {
    const params = c.inputs.params;
    for (const backend of BACKENDS) {
      const client = new api.AlipayClient({
        appId: params.app_id,
        privateKey: key(c.inputs.private_key_file),
        signType: c.inputs.sign_type,
        charset: c.inputs.charset,
        format: params.format ?? null,
        crypto: backend,
      });
      const request = requestOf(params);
      if (c.expected.error) {
        assert.equal(await outcome(sign(client, request)), 'unencodable_text', `${c.id} ${backend}`);
        continue;
      }
      const signed = await sign(client, request);
      assert.equal(signed.signContent, c.expected.sign_content, `${c.id}: sign content`);
      assert.equal(signed.signature, c.expected.signature, `${c.id} with ${backend}: signature`);
      assert.ok(Object.values(signed.params).every((v) => v !== ''), `${c.id}: no empty parameter is sent`);
      const prepared = client.prepare(request);
      assert.deepEqual(prepared.signContentBytes, fromB64(c.expected.sign_content_bytes_b64), `${c.id}: bytes`);
      prepared.free();
      checked++;
    }
  }
  assert.equal(checked, cases.filter((c) => !c.expected.error).length * BACKENDS.length);
});

const REJECTED = {
  'resp-025': 'signature_mismatch',
  'resp-028': 'signature_mismatch',
  'resp-029': 'signature_mismatch',
  'resp-031': 'signature_mismatch',
  'resp-032': 'missing_signature',
  'resp-034': 'signature_mismatch',
  'resp-035': 'malformed_response',
  'resp-037': 'response_node_missing',
  'resp-038': 'duplicate_member',
};

test('response vectors give the expected verdicts with every backend, from bytes and from text', async () => {
  const cases = vectors('responses');
  assert.ok(cases.length >= 20);
  for (const c of cases) {
    const inputs = c.inputs;
    const verdicts = new Set();
    for (const backend of BACKENDS) {
      const client = new api.AlipayClient({
        appId: APP_ID,
        alipayPublicKey: key(inputs.alipay_public_key_file),
        charset: inputs.charset,
        signType: inputs.client_sign_type,
        crypto: backend,
      });
      for (const body of [fromB64(inputs.body_b64), fromB64(inputs.body_b64).buffer, inputs.body]) {
        let verdict;
        try {
          const verified = await verifyResponse(client, inputs.method, body);
          assert.equal(verified.nodeKey, c.expected.node_key, c.id);
          assert.equal(verified.nodeText, c.expected.raw_node_text, `${c.id}: the node text is the raw node`);
          assert.deepEqual(verified.value, JSON.parse(c.expected.raw_node_text), c.id);
          verdict = 'ok';
        } catch (error) {
          assert.ok(api.isAlipayError(error), `${c.id}: ${error}`);
          verdict = error.code;
        }
        // A verified answer whose code is not 10000 is thrown as gateway_error: still a valid signature.
        const valid = verdict === 'ok' || verdict === 'gateway_error';
        assert.equal(valid, c.expected.valid, `${c.id} with ${backend}: ${verdict}`);
        if (!c.expected.valid) assert.equal(verdict, REJECTED[c.id], `${c.id} with ${backend}`);
        verdicts.add(verdict);
      }
    }
    assert.equal(verdicts.size, 1, `${c.id}: every backend and input form gives one verdict, got ${[...verdicts]}`);
  }
});

test('notification vectors give the expected verdicts with every backend, from body and from fields', async () => {
  const cases = vectors('notifies');
  assert.ok(cases.length >= 8);
  for (const c of cases) {
    const verdicts = new Set();
    for (const backend of BACKENDS) {
      const client = new api.AlipayClient({
        appId: APP_ID,
        alipayPublicKey: key(c.inputs.alipay_public_key_file),
        signType: c.inputs.sign_type,
        crypto: backend,
      });
      const inputs = [c.inputs.body, new TextEncoder().encode(c.inputs.body), c.inputs.params_decoded];
      for (const input of inputs) {
        const verdict = await outcome(verifyNotify(client, input));
        assert.equal(verdict === 'ok', c.expected.valid, `${c.id} with ${backend}: ${verdict}`);
        verdicts.add(verdict);
      }
      if (c.expected.valid) {
        const fields = await verifyNotify(client, c.inputs.body);
        assert.deepEqual({ ...fields }, c.inputs.params_decoded, `${c.id}: fields decoded exactly once`);
      }
    }
    assert.equal(verdicts.size, 1, `${c.id}: one verdict everywhere, got ${[...verdicts]}`);
  }
});

test('every key form and both key sizes sign alike with every backend', async () => {
  const request = { method: 'alipay.marketing.voucher.query', bizContent: { voucher_id: '20170616000730020041006ZYE2V' }, timestamp: 1715593760000 };
  for (const [bits, signType] of [['2048', 'RSA2'], ['2048', 'RSA'], ['4096', 'RSA2']]) {
    const signatures = new Set();
    const texts = ['pkcs1.pem', 'pkcs8.pem', 'pkcs1.b64', 'pkcs8.b64'].map((form) => key(`keys/app_${bits}.private.${form}`));
    // As keys arrive from consoles and files: CRLF line ends, surrounding blank space, text after the armour.
    texts.push(`\r\n  ${texts[0].replaceAll('\n', '\r\n')}\r\n# copied from the console\r\n`);
    for (const privateKey of texts) {
      for (const backend of BACKENDS) {
        const client = new api.AlipayClient({ appId: APP_ID, privateKey, signType, crypto: backend });
        signatures.add((await sign(client, request)).signature);
      }
    }
    assert.equal(signatures.size, 1, `app_${bits} ${signType}: one signature from every form and backend`);
  }
});
