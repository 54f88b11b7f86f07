// Hostile inputs from JavaScript (docs/HARDENING.md): each gets a thrown Error with the core's stable code (or
// `invalid_field` naming the argument for a JS type mistake), never a crash of the wasm instance;
// time is linear in the body size; no error or inspection shows key material; a Rust panic inside
// the engine becomes `internal_panic` and the module keeps working. bindings-wasm/HARDENING.md
// lists every case with its test.
import assert from 'node:assert/strict';
import { createSign } from 'node:crypto';
import { test } from 'node:test';
import { inspect } from 'node:util';

import { APP_ID, BACKENDS, MODULE, SYNC_SIGNER, alipayKey, api, appKey, key, outcome, sign, verifyNotify, verifyResponse, webInit } from './support.mjs';

const { AlipayClient, isAlipayError } = api;
const METHOD = 'alipay.marketing.voucher.query';
const NODE = '{"code":"10000","msg":"Success"}';
const GATEWAY_KEY = key('keys/alipay_2048.private.pkcs8.pem');
const APP_AUTH_TOKEN = '202405BBf3c9c0e5a7d24b8e9f0a1b2c3d4e5X59';
const client = (options = {}) => new AlipayClient({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey(), ...options });

/** Every error the suite produces, for the secrets test at the end. */
const produced = [];

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    produced.push(error);
    return error;
  }
  assert.fail('expected a throw');
}

async function rejected(promise) {
  try {
    await promise;
  } catch (error) {
    produced.push(error);
    return error;
  }
  assert.fail('expected a rejection');
}

function assertTyped(error, code, what) {
  assert.ok(error instanceof Error, `${what}: ${error}`);
  assert.ok(isAlipayError(error), `${what}: ${error}`);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  assert.ok(error.message.length > 10, what);
}

const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const signature = (nodeBytes) => createSign('sha256').update(nodeBytes).sign(GATEWAY_KEY, 'base64');
/** `{"<node key>":<node>,<member>}` */
const withMember = (node, member) => `{"alipay_marketing_voucher_query_response":${node},${member}}`;
const signedBody = (node) => withMember(node, `"sign":"${signature(Buffer.from(node))}"`);

/** The verdict of every backend on `body`; they must agree. */
async function verdicts(body, options = {}) {
  const codes = new Set();
  for (const backend of BACKENDS) {
    const c = client({ crypto: backend, ...options });
    try {
      await verifyResponse(c, METHOD, body);
      codes.add('ok');
    } catch (error) {
      produced.push(error);
      assert.ok(error instanceof Error && isAlipayError(error), `${backend}: ${error}`);
      codes.add(error.code);
    }
  }
  assert.equal(codes.size, 1, `backends disagree: ${[...codes]}`);
  return [...codes][0];
}

test('malformed response bodies get the core codes with every backend', async () => {
  const good = signedBody(NODE);
  const cases = [
    ['empty', '', 'malformed_response'],
    ['NUL bytes', bytes([0, 0, 0]), 'malformed_response'],
    ['NUL inside a string', good.replace('Success', 'Suc\0cess'), 'malformed_response'],
    ['a control byte in a string', good.replace('Success', 'Suc\u0001cess'), 'malformed_response'],
    ['array body', '[1,2]', 'malformed_response'],
    ['sign not base64', withMember(NODE, '"sign":"***not base64***"'), 'signature_encoding'],
    ['sign a number', withMember(NODE, '"sign":12'), 'malformed_response'],
    ['sign empty', withMember(NODE, '"sign":""'), 'missing_signature'],
    ['signature of the wrong length', withMember(NODE, '"sign":"AAAA"'), 'signature_mismatch'],
    ['node is a number', '{"alipay_marketing_voucher_query_response":1,"sign":"AAAA"}', 'malformed_response'],
    ['duplicate sign', withMember(NODE, '"sign":"AAAA","sign":"AAAA"'), 'duplicate_member'],
    ['both a node and error_response', withMember(NODE, '"error_response":{},"sign":"AAAA"'), 'duplicate_member'],
    ['unsigned success', `{"alipay_marketing_voucher_query_response":${NODE}}`, 'missing_signature'],
    ['trailing garbage', `${good}}`, 'malformed_response'],
  ];
  for (const [name, body, expected] of cases) {
    assert.equal(await verdicts(body), expected, name);
  }
});

test('invalid UTF-8 and invalid GBK are undecodable_bytes', async () => {
  const node = bytes('{"code":"10000","msg":"', [0xff, 0xfe], '"}');
  const body = bytes('{"alipay_marketing_voucher_query_response":', node, `,"sign":"${signature(node)}"}`);
  assert.equal(await verdicts(new Uint8Array(body)), 'undecodable_bytes');
  const gbk = bytes('{"alipay_marketing_voucher_query_response":{"msg":"', [0x81, 0x20], '"},"sign":"AAAA"}');
  assert.equal(await verdicts(new Uint8Array(gbk), { charset: 'GBK' }), 'undecodable_bytes');
});

test('a deeply nested node and thousands of top-level members are bounded', async () => {
  const deep = `{"a":${'['.repeat(200_000)}1${']'.repeat(200_000)}}`;
  assert.equal(await verdicts(withMember(deep, '"sign":"AAAA"')), 'malformed_response');
  const members = Array.from({ length: 20_000 }, (_, i) => `"m${i}":${i},`).join('');
  assert.equal(await verdicts(`{${members}"alipay_marketing_voucher_query_response":{"code":"10000"},"sign":"AAAA"}`), 'signature_mismatch');
});

test('non-string JSON where strings are expected is read leniently in a verified node, refused in inputs', async () => {
  const node = '{"code":10000,"msg":null,"sub_code":{"a":1},"n":[1,2,{"x":"y"}]}';
  for (const backend of BACKENDS) {
    const verified = await verifyResponse(client({ crypto: backend }), METHOD, signedBody(node));
    assert.equal(verified.value.code, 10000, 'the node is kept as sent');
  }
  const fields = { templateId: '20140601000730010040000000EB', userId: '2088302001456115', outBizNo: 'a1' };
  assertTyped(thrown(() => client().signCall('alipay.marketing.voucher.send', { ...fields, amount: 9.99 })), 'invalid_field', 'a float amount');
  assertTyped(thrown(() => client().signCall('alipay.marketing.voucher.send', { ...fields, userId: 2088302001456115 })), 'invalid_field', 'a number id');
  assertTyped(thrown(() => client().sign({ method: METHOD, params: { k: 1 } })), 'invalid_field', 'a number parameter');
  assertTyped(thrown(() => client().verifyNotification({ a: 1, sign: 'AAAA' })), 'invalid_field', 'a number notification field');
});

test('a 10 MB body is refused in time linear in its size', async (t) => {
  const body = (size) => new Uint8Array(Buffer.from(withMember(`{"code":"10000","msg":"Success","pad":"${'x'.repeat(size)}"}`, '"sign":"AAAA"')));
  const small = body(2 << 20);
  const large = body(10 << 20);
  // The default limit (4 MiB) refuses the 10 MB body unread; raised, the body is scanned.
  assert.equal(await outcome(verifyResponse(client(), METHOD, large)), 'body_too_large');
  for (const backend of BACKENDS) {
    const c = client({ crypto: backend, maxBodyBytes: 16 << 20 });
    const time = async (b) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        assert.equal(await outcome(verifyResponse(c, METHOD, b)), 'signature_mismatch');
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const tSmall = Math.max(await time(small), 1);
    const tLarge = await time(large);
    t.diagnostic(`${backend}: 2 MB ${tSmall.toFixed(1)} ms, 10 MB ${tLarge.toFixed(1)} ms`);
    // Five times the bytes: linear work takes about 5x; quadratic would take 25x.
    assert.ok(tLarge < tSmall * 12, `${backend}: 2 MB ${tSmall.toFixed(1)} ms, 10 MB ${tLarge.toFixed(1)} ms`);
    assert.ok(tLarge < 5000, `${backend}: 10 MB took ${tLarge} ms`);
  }
});

test('hostile notifications get the core codes with every backend', async () => {
  const cases = [
    ['a=1&a=2&sign=AAAA', 'malformed_notification'],
    ['a=%zz', 'malformed_notification'],
    ['a=1&charset=latin1&sign=AAAA', 'unsupported_charset'],
    ['a=%FF&sign=AAAA', 'undecodable_bytes'],
    ['a=1', 'missing_signature'],
    ['a=1&sign=not*base64', 'signature_encoding'],
    ['a=1&sign_type=MD5&sign=AAAA', 'unsupported_sign_type'],
    ['a=1&sign=AAAA', 'signature_mismatch'],
    ['a=1\0&sign=AAAA', 'signature_mismatch'],
  ];
  for (const backend of BACKENDS) {
    for (const [body, expected] of cases) {
      const error = await rejected(verifyNotify(client({ crypto: backend }), body));
      assertTyped(error, expected, `${backend} ${JSON.stringify(body)}`);
    }
  }
});

// DER of an RSAPublicKey with a 16384-bit modulus: refused by size before any arithmetic.
function hugePublicKeyBase64() {
  const length = (n) => (n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
  const tlv = (tag, body) => [tag, ...length(body.length), ...body];
  const modulus = new Array(2048).fill(0xc3);
  modulus[2047] |= 1;
  return Buffer.from(tlv(0x30, [...tlv(0x02, [0, ...modulus]), ...tlv(0x02, [1, 0, 1])])).toString('base64');
}

test('keys: too small, too large, wrong role, Windows line endings', () => {
  for (const bits of [512, 1024]) {
    const priv = thrown(() => client({ privateKey: key(`extra-keys/rsa_${bits}.private.pkcs1.pem`) }));
    assertTyped(priv, 'unsupported_key_size', `${bits}-bit private key`);
    assert.match(priv.message, /2048/);
    assertTyped(thrown(() => client({ alipayPublicKey: key(`extra-keys/rsa_${bits}.public.spki.pem`) })), 'unsupported_key_size', `${bits}-bit Alipay key`);
  }
  const started = performance.now();
  const huge = thrown(() => client({ alipayPublicKey: hugePublicKeyBase64() }));
  assertTyped(huge, 'unsupported_key_size', '16384-bit key');
  assert.match(huge.message, /16384/);
  assert.ok(performance.now() - started < 500, 'refused before any arithmetic');

  assertTyped(thrown(() => client({ privateKey: alipayKey() })), 'invalid_key', 'a public key as the private key');
  assertTyped(thrown(() => client({ alipayPublicKey: appKey() })), 'invalid_key', 'a private key as the Alipay key');
  assertTyped(thrown(() => client({ alipayPublicKey: key('keys/app_2048.private.pkcs8.b64') })), 'invalid_key', 'bare base64 private key as the Alipay key');
  assertTyped(thrown(() => client({ privateKey: key('extra-keys/ec_p256.private.pkcs8.pem') })), 'invalid_key', 'an EC key');
  assertTyped(thrown(() => client({ privateKey: key('extra-keys/app_2048.encrypted.pkcs8.pem') })), 'invalid_key', 'an encrypted key');

  const request = { method: METHOD, bizContent: '{}', timestamp: 0 };
  const crlf = (text) => text.replace(/\r?\n/g, '\r\n');
  for (const backend of BACKENDS.filter((b) => b !== 'webcrypto')) {
    const windows = client({ crypto: backend, privateKey: crlf(appKey()), alipayPublicKey: crlf(alipayKey()) });
    assert.equal(windows.sign(request).signature, client({ crypto: backend }).sign(request).signature, backend);
  }
});

test('wrong JavaScript types get invalid_field naming the argument', async () => {
  const c = client();
  const cases = [
    ['options a number', () => new AlipayClient(42), 'options'],
    ['no options', () => new AlipayClient(), 'options'],
    ['appId a number', () => new AlipayClient({ appId: 2021 }), 'app_id'],
    ['appId missing', () => new AlipayClient({ privateKey: appKey() }), 'app_id'],
    ['an unknown option', () => new AlipayClient({ appId: APP_ID, privatekey: appKey() }), 'privatekey'],
    ['privateKey an object', () => new AlipayClient({ appId: APP_ID, privateKey: { pem: 'x' } }), 'private_key'],
    ['signType a number', () => new AlipayClient({ appId: APP_ID, signType: 2 }), 'sign_type'],
    ['request null', () => c.sign(null), 'request'],
    ['request a string', () => c.sign(METHOD), 'request'],
    ['method missing', () => c.sign({ bizContent: '{}' }), 'method'],
    ['an unknown request field', () => c.sign({ method: METHOD, bizcontent: '{}' }), 'bizcontent'],
    ['bizContent a number', () => c.sign({ method: METHOD, bizContent: 42 }), 'biz_content'],
    ['timestamp NaN', () => c.sign({ method: METHOD, timestamp: NaN }), 'timestamp'],
    ['method a number', () => c.verifyResponse(42, '{}'), 'method'],
    ['typed method a number', () => c.signCall(undefined, {}), 'method'],
    ['body null', () => c.verifyResponse(METHOD, null), 'body'],
    ['body an object', () => c.verifyResponse(METHOD, { sign: 'x' }), 'body'],
    ['notification a number', () => c.verifyNotification(42), 'notification'],
    ['notify options a string', () => c.verifyNotification('a=1', 'v2'), 'options'],
    ['fields not an object', () => c.signCall(METHOD, 'x'), 'biz_content'],
    ['call options a number', () => c.signCall(METHOD, { voucherId: 'x'.repeat(28) }, 7), 'request'],
    ['a base64 string as a raw signature', () => c.prepare({ method: METHOD }).attachSignature('AAAA'), 'signature'],
  ];
  for (const [name, fn, field] of cases) {
    const error = thrown(fn);
    assertTyped(error, 'invalid_field', name);
    assert.equal(error.field, field, `${name}: ${error.message}`);
  }
  for (const backend of BACKENDS) {
    const error = await rejected(client({ crypto: backend }).verifyResponseAsync(7, '{}'));
    assertTyped(error, 'invalid_field', `${backend}: async method a number`);
    assert.equal(error.field, 'method');
  }
  assert.equal(c.sign({ method: METHOD, timestamp: 0 }).params.timestamp, '1970-01-01 08:00:00', 'the module still works');
});

test('a Rust panic becomes internal_panic and the module keeps working, clients included', async () => {
  const certs = (file) => key(`certs/generated/${file}`);
  const certClient = new AlipayClient({
    appId: APP_ID,
    privateKey: appKey(),
    appCert: certs('app_cert.pem'),
    alipayCert: certs('alipay_cert.pem'),
    alipayRootCert: certs('root_bundle.pem'),
    aesKey: key('protocol-examples/aes_key.txt').trim(),
    crypto: SYNC_SIGNER,
  });
  const added = certClient.addAlipayCertificate(certs('alipay_cert_new.pem'));
  // An asynchronous backend's verdicts on the chain are kept, so the addition replays synchronously.
  const webCertClient = new AlipayClient({ appId: APP_ID, appCert: certs('app_cert.pem'), alipayCert: certs('alipay_cert.pem'), alipayRootCert: certs('root_bundle.pem'), crypto: 'webcrypto' });
  assert.equal(await webCertClient.addAlipayCertificateAsync(certs('alipay_cert_new.pem')), added);
  const plain = client({ crypto: SYNC_SIGNER });
  const request = { method: METHOD, bizContent: '{}', timestamp: 0 };
  const before = plain.sign(request).signature;
  for (let round = 0; round < 3; round++) {
    const error = thrown(() => api.__testPanic());
    assertTyped(error, 'internal_panic', 'a forced panic');
    assert.equal(error.name, 'AlipayError');
    assert.equal(plain.sign(request).signature, before, 'an existing client works afterwards');
    assert.ok(certClient.alipayCertSns.includes(added), 'certificates added before the panic are kept');
    assert.ok(webCertClient.alipayCertSns.includes(added), 'also those a WebCrypto client added');
    assert.equal(certClient.sign(request).params.encrypt_type, 'AES');
    assert.equal(client().sign(request).signature, before, 'a new client works afterwards');
  }
  // The web build (explicit init) recovers the same way.
  const web = await import(MODULE === 'fallback' ? 'alipay-openapi/fallback/web' : 'alipay-openapi/web');
  await webInit(web, MODULE);
  const webClient = new web.AlipayClient({ appId: APP_ID, privateKey: appKey() });
  assert.equal((await sign(webClient, request)).signature, before);
  assert.equal(thrown(() => web.__testPanic()).code, 'internal_panic');
  assert.equal((await sign(webClient, request)).signature, before);
});

test('no key material in the client or in any error of this suite', () => {
  const aesKey = key('protocol-examples/aes_key.txt').trim();
  const secretTexts = [
    key('keys/app_2048.private.pkcs1.pem'),
    key('keys/app_2048.private.pkcs8.b64'),
    key('extra-keys/rsa_512.private.pkcs1.pem'),
    key('extra-keys/rsa_1024.private.pkcs1.pem'),
    aesKey,
    APP_AUTH_TOKEN,
  ];
  const withToken = { aesKey, appAuthToken: APP_AUTH_TOKEN, maxBodyBytes: 100_000 };
  const clients = [client(), client({ aesKey }), client({ crypto: 'webcrypto', aesKey }), client({ crypto: 'wasm' }), client(withToken)];
  const outputs = [];
  const show = (value) => outputs.push(inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value), String(value), Object.keys(value).join());
  for (const c of clients) {
    show(c);
    show(c.prepare({ method: METHOD, bizContent: '{}', appAuthToken: APP_AUTH_TOKEN }));
    show(c.beginVerifyResponse(METHOD, signedBody(NODE)));
    show(c.beginVerifyNotification(`app_id=${APP_ID}&auth_token=${APP_AUTH_TOKEN}&sign=YWJj`));
  }
  thrown(() => client({ ...withToken, maxBodyBytes: 0 }));
  thrown(() => client({ ...withToken, maxBodyBytes: 10 }).verifyResponse(METHOD, signedBody(NODE)));
  thrown(() => client({ ...withToken, maxBodyBytes: 10 }).verifyNotification(`app_auth_token=${APP_AUTH_TOKEN}`));
  for (const file of ['keys/app_2048.private.pkcs1.pem', 'extra-keys/rsa_512.private.pkcs1.pem']) {
    const text = key(file);
    for (const broken of [text.slice(0, text.length / 2), text.slice(10), text.replaceAll('M', '*')]) {
      for (const option of ['privateKey', 'alipayPublicKey']) {
        try {
          client({ [option]: broken });
        } catch (error) {
          produced.push(error);
        }
      }
    }
  }
  assertTyped(thrown(() => client({ aesKey: `${aesKey.slice(0, 20)}!!` })), 'aes_error', 'a damaged AES key');
  assert.ok(produced.length > 100, `${produced.length} errors collected`);
  for (const error of produced) {
    outputs.push(inspect(error, { depth: 10, showHidden: true }), String(error), JSON.stringify(error), error.stack);
  }
  const all = outputs.join('\n');
  for (const text of secretTexts) {
    const material = text.split('\n').filter((l) => !l.startsWith('-----')).join('').replace(/\s+/g, '');
    for (let i = 0; i + 12 <= material.length; i += 12) {
      const piece = material.slice(i, i + 12);
      assert.ok(!all.includes(piece), `key material \`${piece}\` leaked`);
    }
  }
});

test('the module still signs and verifies after the whole suite', async () => {
  for (const backend of BACKENDS) {
    const c = client({ crypto: backend });
    const signed = await sign(c, { method: METHOD, bizContent: '{}', timestamp: 0 });
    assert.ok(signed.signature.length > 300);
    assert.equal((await verifyResponse(c, METHOD, signedBody(NODE))).value.code, '10000');
  }
});
