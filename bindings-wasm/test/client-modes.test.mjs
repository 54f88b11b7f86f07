// Page/WAP pay links and forms, app-pay order strings, return_url queries and uploads through the
// npm package, on every RSA backend, against the official SDKs' golden cases (tests/vectors/client-modes.json).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { APP_ID, BACKENDS, SYNC_SIGNER, alipayKey, api, appKey, fromB64, gatewayBinary, key, outcome, send, sign, startGateway, vectors, verifyResponse } from './support.mjs';

const golden = vectors('client-modes');
const SYSTEM = new Set(['app_id', 'biz_content', 'charset', 'format', 'method', 'sign_type', 'timestamp', 'version']);
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

const client = (backend, options = {}) =>
  new api.AlipayClient({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey(), crypto: backend, ...options });

const verifyReturn = async (c, input, options) => (c.backend === 'webcrypto' ? c.verifyReturnAsync(input, options) : c.verifyReturn(input, options));

// `k=v&k=v` decoded as a form: `+` is a space, `%XX` bytes, the bytes text in `charset`.
function formPairs(query, charset) {
  const decoder = new TextDecoder(charset === 'GBK' ? 'gbk' : 'utf-8', { fatal: true });
  const part = (text) => {
    const bytes = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '+') bytes.push(0x20);
      else if (text[i] === '%') {
        assert.match(text.slice(i + 1, i + 3), /^[0-9A-F]{2}$/);
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        assert.ok(text.charCodeAt(i) < 0x80, `a raw non-ASCII character in ${text}`);
        bytes.push(text.charCodeAt(i));
      }
    }
    return decoder.decode(Uint8Array.from(bytes));
  };
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return [part(pair.slice(0, eq)), part(pair.slice(eq + 1))];
  });
}

const unescapeHtml = (text) =>
  text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

// What a browser (link, form) or the app SDK (order string) sends for our output.
function decodeOurs(mode, signed, charset) {
  if (mode === 'order_string') return [null, formPairs(signed.orderString, charset)];
  if (mode === 'page_link') {
    const [gateway, query] = signed.pageLink.split(/\?(.*)/s);
    return [gateway, formPairs(query, charset)];
  }
  const tags = [...signed.pageForm.matchAll(/<(form|input) ([^>]*)>/g)].map(([, tag, body]) => [
    tag,
    Object.fromEntries([...body.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k, unescapeHtml(v)])),
  ]);
  const [gateway, query] = tags[0][1].action.split(/\?(.*)/s);
  const inputs = tags.filter(([tag, a]) => tag === 'input' && a.type === 'hidden').map(([, a]) => [a.name, a.value]);
  return [gateway, [...formPairs(query, charset), ...inputs]];
}

// Beijing time `yyyy-MM-dd HH:mm:ss` as milliseconds since the epoch.
function beijingMillis(text) {
  const [date, time] = text.split(' ');
  return Date.parse(`${date}T${time}Z`) - BEIJING_OFFSET_MS;
}

function requestOf(params) {
  return {
    method: params.method,
    version: params.version,
    bizContent: params.biz_content,
    params: Object.fromEntries(Object.entries(params).filter(([k]) => !SYSTEM.has(k))),
    timestamp: beijingMillis(params.timestamp),
  };
}

// The upload of a golden case, as a JS user writes it.
const uploadOf = (c) => ({
  method: c.method,
  params: c.fields,
  files: c.files.map((f) => ({ field: f.field, fileName: f.file_name, contentType: f.content_type, content: fromB64(f.content) })),
  timestamp: beijingMillis(c.params.timestamp),
});

// The parts of our multipart body in the vectors' shape: a text part's `value` decoded in
// `charset`, a file's `content` as base64.
function multipartParts(contentType, body, charset) {
  const bytes = Buffer.from(body);
  const delimiter = Buffer.from(`--${contentType.split('boundary=')[1]}`);
  const starts = [];
  for (let at = bytes.indexOf(delimiter); at >= 0; at = bytes.indexOf(delimiter, at + 1)) starts.push(at);
  assert.equal(bytes.subarray(starts.at(-1)).toString('latin1'), `${delimiter}--\r\n`);
  const decoder = new TextDecoder(charset === 'GBK' ? 'gbk' : 'utf-8', { fatal: true });
  return starts.slice(0, -1).map((start, i) => {
    const part = bytes.subarray(start + delimiter.length + 2, starts[i + 1] - 2);
    const split = part.indexOf('\r\n\r\n');
    const [disposition, typeLine] = decoder.decode(part.subarray(0, split)).split('\r\n');
    const name = disposition.match(/; name="([^"]*)"/)[1];
    const fileName = disposition.match(/; filename="([^"]*)"/)?.[1] ?? null;
    const content = part.subarray(split + 4);
    const contentType = typeLine ? typeLine.split(': ')[1] : null;
    return fileName === null
      ? { name, file_name: null, content_type: contentType, value: decoder.decode(content) }
      : { name, file_name: fileName, content_type: contentType, content: content.toString('base64') };
  });
}

// What must match: names, a file's name, content type and bytes, a text part's value.
const compared = (p) => JSON.stringify(p.file_name === null ? [p.name, null, null, p.value] : [p.name, p.file_name, p.content_type, p.content]);

for (const backend of BACKENDS) {
  test(`${backend}: our links, forms and order strings send what the official SDKs signed`, async () => {
    assert.ok(golden.requests.length >= 12);
    for (const c of golden.requests) {
      const { params } = c;
      const options = { appId: params.app_id, charset: params.charset, format: params.format ?? null, gateway: c.gateway ?? 'production' };
      const signed = await sign(client(backend, options), requestOf(params));
      assert.deepEqual(signed.params, params, c.id);
      assert.equal(signed.signature, c.signature, c.id);
      const [gateway, pairs] = decodeOurs(c.mode, signed, params.charset);
      const expected = { ...params, sign: c.signature };
      assert.deepEqual(Object.fromEntries(pairs), expected, `${c.id}: what our ${c.mode} sends`);
      assert.equal(pairs.length, Object.keys(expected).length, `${c.id}: a duplicated pair`);
      assert.equal(gateway, c.gateway, c.id);
      assert.equal(isSame(c.sdk_decoded, expected), c.sdk_faithful, `${c.id}: sdk_faithful`);
      assert.equal(signed.pageLink, `${signed.url}&${signed.body}`, c.id);
      assert.equal(signed.orderString, signed.pageLink.split(/\?(.*)/s)[1], c.id);
    }
  });

  test(`${backend}: our uploads sign and send what the official SDKs did`, async () => {
    assert.ok(golden.uploads.length >= 3);
    for (const c of golden.uploads) {
      const { params } = c;
      const signed = await sign(client(backend, { charset: params.charset, format: params.format ?? null }), uploadOf(c));
      assert.equal(signed.signature, c.signature, c.id);
      assert.deepEqual(signed.params, params, c.id);
      assert.ok(signed.body instanceof Uint8Array, c.id);
      assert.match(signed.contentType, /^multipart\/form-data; boundary=/);
      assert.equal(signed.headers['content-type'], signed.contentType, c.id);
      const parts = multipartParts(signed.contentType, signed.body, params.charset);
      const sent = [...formPairs(signed.url.split('?')[1], params.charset), ...parts.filter((p) => p.file_name === null).map((p) => [p.name, p.value])];
      assert.deepEqual(Object.fromEntries(sent), { ...params, sign: c.signature }, `${c.id}: what travels`);
      assert.equal(sent.length, Object.keys(params).length + 1, `${c.id}: a duplicated pair`);
      assert.deepEqual(parts.map(compared).sort(), c.parts.map(compared).sort(), `${c.id}: the parts`);
      assert.ok(c.signature_verifies && c.sdk_faithful, c.id);
    }
  });

  test(`${backend}: return queries get the verdicts of the vectors`, async () => {
    const c = client(backend);
    for (const r of golden.returns) {
      assert.equal(await outcome(verifyReturn(c, r.query)), r.expect, r.id);
      if (r.expect !== 'ok') continue;
      const fields = await verifyReturn(c, r.query);
      assert.equal(fields.app_id, APP_ID);
      assert.deepEqual(await verifyReturn(c, fields), fields, `${r.id}: decoded fields`);
      assert.deepEqual(await verifyReturn(c, new TextEncoder().encode(`?${r.query}`)), fields, `${r.id}: bytes with ?`);
    }
  });
}

test('an upload through a host signer is the same upload, and a bad one a typed error', () => {
  const c = golden.uploads[0];
  const own = client(SYNC_SIGNER, { format: null });
  const signed = own.sign(uploadOf(c));
  const prepared = own.prepare(uploadOf(c));
  const attached = prepared.attachSignature(fromB64(signed.signature));
  assert.deepEqual([attached.url, attached.contentType, attached.body], [signed.url, signed.contentType, signed.body]);
  const file = uploadOf(c).files[0];
  for (const [changes, field, rule] of [
    [{ files: [{ ...file, field: 'sign' }] }, 'sign', 'is a signed or system parameter; a file part must not replace it'],
    [{ files: [file, file] }, 'image_content', 'names two file parts'],
    [{ files: [file], maxFileBytes: 8 }, 'image_content', "must be at most 8 bytes (the host's limit)"],
    [{ files: [{ ...file, content: 7 }] }, 'files.content', 'must be a string'],
  ]) {
    assert.throws(() => own.prepare({ ...uploadOf(c), ...changes }), (e) => api.isAlipayError(e) && e.field === field && e.rule === rule, field);
  }
});

function isSame(a, b) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

test('the sdk_faithful flag of each case says whether the SDK output decodes to what it signed', () => {
  for (const c of golden.requests) assert.equal(isSame(c.sdk_decoded, { ...c.params, sign: c.signature }), c.sdk_faithful, c.id);
  assert.ok(golden.requests.some((c) => !c.sdk_faithful), 'the hostile cases show the SDKs sending other values');
});

test('hostile values are escaped in the form and encoded in the link', () => {
  const signed = client(SYNC_SIGNER, { gateway: 'https://gw.test/gateway.do' }).sign({
    method: 'alipay.trade.page.pay',
    bizContent: { subject: `"><script>alert('x')</script>&amp;`, out_trade_no: 'T1', total_amount: '1.00' },
    returnUrl: `https://m.test/r?q="'><img src=x>`,
    timestamp: 0,
  });
  assert.equal(signed.pageForm.split('<script>').length, 2);
  assert.ok(!signed.pageForm.includes('<img'));
  assert.ok(signed.pageForm.includes('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;'), signed.pageForm);
  for (const text of [signed.pageLink, signed.orderString]) assert.doesNotMatch(text, /["'<> ]/);
});

test('return verification in two stages, under the size limit, and with typed errors', () => {
  const query = golden.returns.find((r) => r.expect === 'ok').query;
  const pending = client('wasm').beginVerifyReturn(query);
  assert.equal(new TextDecoder().decode(pending.messages[0]).slice(0, 36), 'app_id=2021000000000001&auth_app_id=');
  assert.throws(() => pending.finish(undefined), (e) => e.code === 'signature_mismatch');
  assert.throws(
    () => client('wasm', { maxBodyBytes: 100 }).verifyReturn(query),
    (e) => api.isAlipayError(e) && e.code === 'body_too_large' && e.field === 'body' && /return query/.test(e.message),
  );
  assert.throws(
    () => client('wasm').verifyReturn(`${query}&out_trade_no=X`),
    (e) => e.code === 'malformed_notification' && e.message.includes('`out_trade_no` appears twice'),
  );
  assert.throws(() => client('wasm').verifyReturn(42), (e) => e.code === 'invalid_field' && e.field === 'query');
  assert.throws(() => client('wasm').verifyReturn(new URLSearchParams(query)), (e) => e.code === 'invalid_field' && e.field === 'query');
});

for (const backend of BACKENDS) {
  test(`${backend}: mini-program payloads get the verdicts of the vectors`, async () => {
    const aesKey = key(golden.aes_key_file).trim();
    const c = client(backend, { aesKey });
    assert.ok(golden.mini_programs.length >= 5);
    for (const m of golden.mini_programs) {
      const run = async () => (backend === 'webcrypto' ? c.verifyMiniProgramAsync(m.payload) : c.verifyMiniProgram(m.payload));
      assert.equal(await outcome(run()), m.expect, m.id);
      if (m.expect === 'ok') {
        const verified = await run();
        assert.equal(verified.nodeKey, 'response');
        assert.equal(verified.nodeText, m.plaintext);
        assert.equal(verified.value.mobile, JSON.parse(m.plaintext).mobile);
      }
    }
    const withoutKey = client(backend);
    const payload = golden.mini_programs[0].payload;
    const noKey = backend === 'webcrypto' ? withoutKey.verifyMiniProgramAsync(payload) : (async () => withoutKey.verifyMiniProgram(payload))();
    assert.equal(await outcome(noKey), 'aes_error');
  });
}

test('an upload goes to the local gateway over HTTP, every backend: stored byte for byte, its answer verified', { skip: !gatewayBinary && 'no local gateway build', timeout: 120_000 }, async () => {
  const gateway = await startGateway([]);
  try {
    // A PNG signature (the gateway checks it against image_type), then every byte value, CR and LF included.
    const image = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 3000 }, (_, i) => (i * 7) % 256)]);
    for (const backend of BACKENDS) {
      const c = client(backend, { gateway: gateway.url });
      const signed = await sign(c, {
        method: 'alipay.offline.material.image.upload',
        params: { image_type: 'png', image_name: `logo-${backend}` },
        files: [{ field: 'image_content', fileName: 'logo.png', contentType: 'image/png', content: image }],
      });
      assert.match(signed.contentType, /^multipart\/form-data; boundary=/);
      const uploaded = await verifyResponse(c, 'alipay.offline.material.image.upload', await send(signed));
      assert.match(uploaded.value.image_id, /^IMG/, backend);
      const stored = await fetch(uploaded.value.image_url);
      assert.equal(stored.status, 200, backend);
      assert.deepEqual(new Uint8Array(await stored.arrayBuffer()), image, `${backend}: the gateway stored the file as sent`);
    }
  } finally {
    gateway.stop();
  }
});
