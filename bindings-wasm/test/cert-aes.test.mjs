// Certificate mode and AES content encryption (docs/PROTOCOL.md §5-§6) from JavaScript: the SN helpers against
// known answers, the AES vector, the options, key selection by SN with every backend, and the four
// APIs end to end against the local gateway in certificate mode with AES, including a certificate
// rotation and a wrong AES key.
import assert from 'node:assert/strict';
import { createDecipheriv, createPublicKey, createSign, verify as nodeVerify } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  APP_ID,
  BACKENDS,
  api,
  appKey,
  gatewayBinary,
  key,
  outcome,
  parseResponse,
  send,
  sign,
  startGateway,
  verifyNotify,
  verifyResponse,
  vectorsDir,
} from './support.mjs';

const { AlipayClient, certSn, rootCertSn } = api;
const generated = (file) => key(`certs/generated/${file}`);
const example = (file) => readFileSync(`${vectorsDir}protocol-examples/${file}`, 'utf8');
const AES_KEY = example('aes_key.txt').trim();
const OTHER_AES_KEY = Buffer.alloc(16, 7).toString('base64');
const CERTS = { appCert: generated('app_cert.pem'), alipayCert: generated('alipay_cert.pem'), alipayRootCert: generated('root_bundle.pem') };
const SN = {
  app: '53ebe4458af21bbb7593bec0c9257983',
  root: 'bad7519667cd8131a2532b29dbf163c6_b34b8a5a634056e493038f96e776f111',
  alipay: '07e15c749b8f2f3bc15a28ed42842a0d',
  next: '8f0288df4e6850941ea8f7656f472b54',
};
const QUERY = 'alipay.marketing.voucher.query';

const certClient = (options = {}) => new AlipayClient({ appId: APP_ID, privateKey: appKey(), ...CERTS, ...options });

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected a throw');
}

/** A response body laid out and signed as the gateway does in certificate mode, by `signer` (a PEM private key). */
function certBody(method, nodeJson, signer, sn) {
  const signature = createSign('sha256').update(nodeJson, 'utf8').sign(signer, 'base64');
  const snMember = sn ? `,"alipay_cert_sn":"${sn}"` : '';
  return `{"${method.replaceAll('.', '_')}_response":${nodeJson}${snMember},"sign":"${signature}"}`;
}

test('certSn and rootCertSn give the known SNs', () => {
  const known = [
    [certSn(key('certs/appPublicCert.crt')), '9c51a0ddeb34866e5a331e613f57bf0f'],
    [certSn(key('certs/alipayPublicCert.crt')), '05d88faef76d723019c5c14d3ecd014a'],
    [rootCertSn(key('certs/alipayRootCert.crt')), '687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6'],
    [certSn(generated('alipay_cert.pem')), SN.alipay],
    [certSn(generated('alipay_cert_new.pem')), SN.next],
    [certSn(generated('app_cert.pem')), SN.app],
    [rootCertSn(generated('root_bundle.pem')), SN.root],
    [certSn(generated('special_issuer.pem')), '590c76c16ce65aaa73cccf26ea13e52e'],
    [certSn(generated('bmp_issuer.pem')), '875ec5e0b28c4bbec48f30e103ad5390'],
    [certSn(generated('t61_issuer.pem')), 'd72354a2c64fb9d92fbaddf29d9ea201'],
  ];
  for (const [actual, expected] of known) assert.equal(actual, expected);
  assert.equal(thrown(() => certSn('not a certificate')).code, 'invalid_certificate');
  assert.equal(thrown(() => rootCertSn('-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----')).code, 'invalid_certificate');
  const wrongType = thrown(() => certSn(42));
  assert.equal(wrongType.code, 'invalid_field');
  assert.equal(wrongType.field, 'pem');
});

test('the AES vector verifies and decrypts with every backend; no key or a wrong key is aes_error', async () => {
  const responses = JSON.parse(example('responses.json'));
  const method = 'alipay.marketing.voucher.send';
  const options = { appId: APP_ID, alipayPublicKey: example('alipay_public.pem') };
  for (const backend of BACKENDS) {
    const client = new AlipayClient({ ...options, aesKey: AES_KEY, crypto: backend });
    const verified = await verifyResponse(client, method, responses.encrypted);
    assert.equal(verified.nodeText, responses._aes_plain, backend);
    assert.equal(verified.value.voucher_id, 'v1');
    const withoutKey = new AlipayClient({ ...options, crypto: backend });
    assert.equal(await outcome(verifyResponse(withoutKey, method, responses.encrypted)), 'aes_error', backend);
    const wrongKey = new AlipayClient({ ...options, aesKey: OTHER_AES_KEY, crypto: backend });
    const error = await verifyResponse(wrongKey, method, responses.encrypted).catch((e) => e);
    assert.equal(error.code, 'aes_error', backend);
    assert.match(error.message, /padding/);
    // The ciphertext is signed: tampering is caught before decryption.
    const tampered = responses.encrypted.replace(responses._aes_ciphertext, responses._aes_ciphertext.replace('oVog', 'oVoh'));
    assert.equal(await outcome(verifyResponse(client, method, tampered)), 'signature_mismatch', backend);
  }
});

test('with an AES key, biz_content is encrypted, then signed', async () => {
  for (const backend of BACKENDS) {
    const client = new AlipayClient({ appId: APP_ID, privateKey: appKey(), aesKey: AES_KEY, crypto: backend });
    const signed = await sign(client, { method: QUERY, bizContent: '{"voucher_id":"券1"}', timestamp: 0 });
    assert.equal(signed.params.encrypt_type, 'AES');
    assert.ok(signed.signContent.includes(`biz_content=${signed.params.biz_content}&`), 'the ciphertext is what is signed');
    const decipher = createDecipheriv('aes-128-cbc', Buffer.from(AES_KEY, 'base64'), Buffer.alloc(16));
    const plain = Buffer.concat([decipher.update(signed.params.biz_content, 'base64'), decipher.final()]).toString('utf8');
    assert.equal(plain, '{"voucher_id":"券1"}', backend);
  }
});

test('certificate-mode options and their errors', () => {
  const client = certClient();
  const signed = client.sign({ method: QUERY, bizContent: '{}', timestamp: 0 });
  assert.equal(signed.params.app_cert_sn, SN.app);
  assert.equal(signed.params.alipay_root_cert_sn, SN.root);
  assert.ok(signed.signContent.includes(`app_cert_sn=${SN.app}&`));
  assert.deepEqual(client.alipayCertSns, [SN.alipay]);
  assert.deepEqual(new AlipayClient({ appId: APP_ID }).alipayCertSns, []);

  const cases = [
    [{ ...CERTS, alipayPublicKey: key('keys/alipay_2048.public.spki.pem') }, 'invalid_field', 'alipay_public_key'],
    [{ ...CERTS, appCert: undefined }, 'invalid_field', 'app_cert'],
    [{ ...CERTS, rootCert: 'x' }, 'invalid_field', 'root_cert'],
    [{ ...CERTS, alipayCert: 42 }, 'invalid_field', 'alipay_cert'],
    [{ certificates: 'app.crt' }, 'invalid_field', 'certificates'],
    [{ ...CERTS, alipayCert: 'garbage' }, 'invalid_certificate', 'alipay_cert'],
    [{ ...CERTS, alipayRootCert: generated('app_cert.pem').replace(/[A-Z]{8}/, '%%%%%%%%') }, 'invalid_certificate', 'alipay_root_cert'],
    [{ aesKey: 'not base64!' }, 'aes_error'],
    [{ aesKey: Buffer.alloc(15).toString('base64') }, 'aes_error'],
    [{ aesKey: 16 }, 'invalid_field', 'aes_key'],
  ];
  for (const [options, code, field] of cases) {
    const error = thrown(() => new AlipayClient({ appId: APP_ID, ...options }));
    assert.equal(error.code, code, `${JSON.stringify(options).slice(0, 80)}: ${error.message}`);
    if (field) assert.equal(error.field, field, error.message);
  }
});

test('adding certificates: checked against the root bundle; only in certificate mode', () => {
  const client = certClient();
  assert.equal(client.addAlipayCertificate(generated('alipay_cert_new.pem')), SN.next);
  assert.deepEqual(client.alipayCertSns, [SN.alipay, SN.next].sort());
  for (const file of ['alipay_cert_expired.pem', 'alipay_cert_forged.pem', 'alipay_cert_wrong_root.pem', 'alipay_cert_via_non_ca.pem', 'alipay_cert_not_yet_valid.pem']) {
    const error = thrown(() => client.addAlipayCertificate(generated(file)));
    assert.equal(error.code, 'invalid_certificate', `${file}: ${error.message}`);
  }
  // `now` comes from the host: a date before the new certificate's validity refuses it.
  assert.equal(thrown(() => certClient().addAlipayCertificate(generated('alipay_cert_new.pem'), new Date(Date.UTC(2000, 0, 1)))).code, 'invalid_certificate');
  assert.equal(thrown(() => client.addAlipayCertificate(generated('alipay_cert_new.pem'), 'soon')).field, 'now');
  assert.equal(thrown(() => client.addAlipayCertificate(undefined)).field, 'pem');
  const plain = new AlipayClient({ appId: APP_ID, alipayPublicKey: key('keys/alipay_2048.public.spki.pem') });
  assert.equal(thrown(() => plain.addAlipayCertificate(generated('alipay_cert_new.pem'))).code, 'invalid_certificate');
  assert.equal(thrown(() => plain.addDownloadedCertificate('{}')).code, 'invalid_certificate');
});

test('a certificate chain in stages: one verdict per check, each with its own hash and key', async () => {
  const pem = generated('alipay_cert_new.pem');
  const hostVerdicts = (checks) =>
    checks.map(({ signType, messages, signature, spki }) => {
      assert.equal(messages.length, 1, 'a certificate check has one message');
      const issuerKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      return nodeVerify(signType === 'RSA2' ? 'sha256' : 'sha1', messages[0], issuerKey, signature);
    });
  const client = certClient();
  const chain = client.beginAddAlipayCertificate(pem);
  const verdicts = hostVerdicts(chain.checks);
  assert.deepEqual(verdicts, [true, true], 'the certificate under its intermediate, the intermediate under the root');
  assert.ok(!client.alipayCertSns.includes(SN.next), 'nothing is added before the verdicts');
  assert.equal(chain.finish(verdicts), SN.next);
  assert.ok(client.alipayCertSns.includes(SN.next));
  const refused = (verdicts) => thrown(() => certClient().beginAddAlipayCertificate(pem).finish(verdicts));
  assert.equal(refused([true, false]).code, 'invalid_certificate');
  assert.match(refused([true, false]).message, /does not verify with the key of the root/);
  assert.match(refused([false, true]).message, /does not verify with the key of its issuer/);
  for (const wrong of [[true], [1, 1], 'yes', undefined]) {
    const error = refused(wrong);
    assert.deepEqual([error.code, error.field], ['invalid_field', 'verified'], `${JSON.stringify(wrong)}: ${error.message}`);
  }
  const forged = certClient().beginAddAlipayCertificate(generated('alipay_cert_forged.pem'));
  const forgedVerdicts = hostVerdicts(forged.checks);
  assert.ok(forgedVerdicts.includes(false));
  assert.equal(thrown(() => forged.finish(forgedVerdicts)).code, 'invalid_certificate');

  // A sha1WithRSA certificate under a client that signs RSA2: the check names its own hash, and
  // WebCrypto imports the issuer's key for that hash.
  const sha1 = generated('alipay_cert_sha1.pem');
  assert.equal(certClient().beginAddAlipayCertificate(sha1).checks[0].signType, 'RSA');
  for (const backend of BACKENDS) {
    const client = certClient({ crypto: backend });
    const add = backend === 'webcrypto' ? client.addAlipayCertificateAsync.bind(client) : client.addAlipayCertificate.bind(client);
    assert.equal(await add(sha1), certSn(sha1), backend);
    const forgedError = await Promise.resolve().then(() => add(generated('alipay_cert_forged.pem'))).catch((e) => e);
    assert.equal(forgedError.code, 'invalid_certificate', `${backend}: ${forgedError.message}`);
  }
  const sync = thrown(() => certClient({ crypto: 'webcrypto' }).addAlipayCertificate(pem));
  assert.deepEqual([sync.code, sync.field], ['invalid_field', 'crypto']);
  assert.match(sync.message, /addAlipayCertificateAsync/);
});

test('the core picks the key by alipay_cert_sn, with every backend', async () => {
  const node = '{"code":"10000","msg":"Success","voucher_id":"v1"}';
  const alipayKey = key('keys/alipay_2048.private.pkcs8.pem'); // the key of alipay_cert.pem
  const otherKey = key('keys/other_2048.private.pkcs8.pem'); // the key of alipay_cert_new.pem
  const notifyFields = (signer) => {
    const fields = { app_id: APP_ID, notify_id: 'n1', out_biz_no: 'o1', charset: 'utf-8' };
    const content = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&');
    return { ...fields, sign_type: 'RSA2', sign: createSign('sha256').update(content).sign(signer, 'base64') };
  };
  for (const backend of BACKENDS) {
    const client = certClient({ crypto: backend });
    const verdict = (body) => outcome(verifyResponse(client, QUERY, body));
    assert.equal(await verdict(certBody(QUERY, node, alipayKey, SN.alipay)), 'ok', backend);
    assert.equal(await verdict(certBody(QUERY, node, alipayKey, undefined)), 'ok', `${backend}: no SN → the configured certificate`);
    assert.equal(await verdict(certBody(QUERY, node, otherKey, SN.alipay)), 'signature_mismatch', backend);
    const unknown = await verifyResponse(client, QUERY, certBody(QUERY, node, otherKey, SN.next)).catch((e) => e);
    assert.equal(unknown.code, 'unknown_cert_sn', backend);
    assert.equal(unknown.alipayCertSn, SN.next);
    const add = backend === 'webcrypto' ? client.addAlipayCertificateAsync.bind(client) : client.addAlipayCertificate.bind(client);
    assert.equal(await add(generated('alipay_cert_new.pem')), SN.next);
    assert.equal(await verdict(certBody(QUERY, node, otherKey, SN.next)), 'ok', `${backend}: the added key`);
    assert.equal(await verdict(certBody(QUERY, node, alipayKey, SN.next)), 'signature_mismatch', `${backend}: never the configured key for another SN`);
    assert.equal(await verdict(certBody(QUERY, node, otherKey, undefined)), 'signature_mismatch', `${backend}: without SN only the configured key`);
    // A notification without an SN: the configured Alipay certificate's key verifies it.
    assert.equal(await outcome(verifyNotify(client, notifyFields(alipayKey))), 'ok', backend);
    assert.equal(await outcome(verifyNotify(client, notifyFields(otherKey))), 'signature_mismatch', backend);
  }
});

test('in certificate mode the host\'s RSA checks the key an SN names, imported once', async () => {
  const nodeCrypto = createRequire(import.meta.url)('node:crypto');
  const node = '{"code":"10000","msg":"Success","voucher_id":"v1"}';
  const otherKey = key('keys/other_2048.private.pkcs8.pem'); // the key of alipay_cert_new.pem
  const nextSpki = createPublicKey(generated('alipay_cert_new.pem')).export({ type: 'spki', format: 'der' });
  const spied = { node: [nodeCrypto, 'verify'], webcrypto: [nodeCrypto.webcrypto.subtle, 'verify'] };
  for (const [backend, [host, name]] of Object.entries(spied)) {
    const keys = [];
    const original = host[name];
    host[name] = function (...args) {
      keys.push(args[backend === 'node' ? 2 : 1]);
      return original.apply(this, args);
    };
    try {
      const client = certClient({ crypto: backend });
      const pem = generated('alipay_cert_new.pem');
      assert.equal(backend === 'node' ? client.addAlipayCertificate(pem) : await client.addAlipayCertificateAsync(pem), SN.next);
      assert.equal(keys.splice(0).length, 2, `${backend}: the certificate's and its intermediate's signatures are the host's`);
      for (let i = 0; i < 3; i++) assert.equal(await outcome(verifyResponse(client, QUERY, certBody(QUERY, node, otherKey, SN.next))), 'ok');
    } finally {
      host[name] = original;
    }
    assert.equal(keys.length, 3, `${backend}: every check is the host's`);
    assert.equal(new Set(keys).size, 1, `${backend}: the key is imported once`);
    if (backend === 'node') assert.deepEqual(keys[0].export({ type: 'spki', format: 'der' }), nextSpki);
  }
});

const gatewayTest = (name, fn) => test(name, { skip: !gatewayBinary && 'no local gateway build', timeout: 120_000 }, fn);

gatewayTest('end to end: the four APIs in certificate mode with AES, a certificate rotation and a wrong AES key, with every backend', async () => {
  for (const backend of BACKENDS) {
    const gateway = await startGateway(['--cert-mode', '--aes-key', AES_KEY]);
    try {
      assert.equal(gateway.settings.cert_mode.alipay_cert_sn, SN.alipay);
      assert.equal(gateway.settings.aes, true);
      const client = certClient({ gateway: gateway.url, aesKey: AES_KEY, crypto: backend });
      const call = async (method, fields, headers) => {
        const signed = backend === 'webcrypto' ? await client.signCallAsync(method, fields) : client.signCall(method, fields);
        assert.equal(signed.params.encrypt_type, 'AES');
        assert.ok(!signed.params.biz_content.startsWith('{'), 'biz_content travels encrypted');
        return send(signed, headers);
      };
      const run = async (method, fields) => parseResponse(client, method, await call(method, fields));

      const sent = await run('alipay.marketing.voucher.send', {
        templateId: '20240513000730011111000CODES',
        userId: '2088102000000000',
        outBizNo: `certaes${backend}1`,
      });
      assert.match(sent.voucherId, /^\d{28}$/);
      const voucher = await run(QUERY, { voucherId: sent.voucherId });
      assert.equal(voucher.voucherId, sent.voucherId);
      assert.equal(voucher.totalAmount, '5.00');
      const used = await run('alipay.marketing.voucher.stock.use', { entityNo: 'EXTCODE00001', outBizNo: `certaes${backend}2` });
      assert.equal(used.voucherId, sent.voucherId);
      const synced = await run('koubei.trade.ticket.ticketcode.sync', {
        requestId: `certaes${backend}3`,
        ticketCode: '16569843362',
        codeType: 'EXTERNAL_CODE',
        quantity: '1',
        orderNo: '20180404111040030100130500594477',
      });
      assert.equal(synced.orderNo, '20180404111040030100130500594477');
      assert.equal(synced.idempotentReplay, false);

      // Rotation: from this answer on the gateway signs with its next certificate.
      const rotated = await call(QUERY, { voucherId: sent.voucherId }, { 'x-gateway-fault': 'rotate-cert' });
      const unknown = await parseResponse(client, QUERY, rotated).catch((e) => e);
      assert.equal(unknown.code, 'unknown_cert_sn', `${backend}: ${unknown.message}`);
      assert.equal(unknown.alipayCertSn, SN.next);
      const download = backend === 'webcrypto'
        ? await client.signAsync({ method: 'alipay.open.app.alipaycert.download', bizContent: { alipay_cert_sn: unknown.alipayCertSn } })
        : client.sign({ method: 'alipay.open.app.alipaycert.download', bizContent: { alipay_cert_sn: unknown.alipayCertSn } });
      const add = backend === 'webcrypto' ? client.addDownloadedCertificateAsync.bind(client) : client.addDownloadedCertificate.bind(client);
      assert.equal(await add(await send(download), Date.now()), SN.next);
      assert.deepEqual(client.alipayCertSns, [SN.alipay, SN.next].sort());
      assert.equal((await parseResponse(client, QUERY, rotated)).voucherId, sent.voucherId, 'the answer that failed now verifies');
      assert.equal((await run(QUERY, { voucherId: sent.voucherId })).status, 'USED');

      // A wrong AES key: the gateway cannot decrypt the request (a verified gateway error) and the
      // client cannot decrypt an answer encrypted with the right key (aes_error, never garbage).
      const wrong = certClient({ gateway: gateway.url, aesKey: OTHER_AES_KEY, crypto: backend });
      await (backend === 'webcrypto' ? wrong.addAlipayCertificateAsync(generated('alipay_cert_new.pem')) : wrong.addAlipayCertificate(generated('alipay_cert_new.pem')));
      const refused = await parseResponse(wrong, QUERY, await send(await sign(wrong, { method: QUERY, bizContent: { voucher_id: sent.voucherId } }))).catch((e) => e);
      assert.equal(refused.code, 'gateway_error', refused.message);
      assert.match(refused.subCode, /^isv\.decryption-error/);
      const answer = await call(QUERY, { voucherId: sent.voucherId });
      const garbled = await parseResponse(wrong, QUERY, answer).catch((e) => e);
      assert.equal(garbled.code, 'aes_error', garbled.message);
    } finally {
      gateway.stop();
    }
  }
});
