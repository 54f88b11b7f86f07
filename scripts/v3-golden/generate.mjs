// Golden OpenAPI v3 cases from the official Node SDK (npm alipay-sdk 4.14.0, pinned in
// package-lock.json). Run: `npm ci && node generate.mjs`. Writes tests/vectors/v3/requests.json and
// tests/vectors/v3/responses.json, which core/tests/v3.rs replays against the Rust core.
//
// The SDK's `curl` is pointed at a capture server on 127.0.0.1 (an ephemeral port). The SDK has no
// option for the nonce or the timestamp: it calls `require('node:crypto').randomUUID()` and
// `Date.now()` synchronously, before its first `await`. So each call swaps both for functions that
// return the case's fixed values, calls `curl`, and restores them as soon as `curl` has returned
// its promise: only the SDK's auth string sees the fixed values. The same goes for the multipart
// boundary, drawn by `formstream`'s `_generateBoundary`. The request id is the SDK's `requestId`
// option.

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { createSign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const nodeCrypto = require('node:crypto');
const { AlipaySdk, AlipayFormData } = require('alipay-sdk');
const FormStream = require('formstream');
const sdkVersion = require('alipay-sdk/package.json').version;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (...parts) => readFileSync(join(root, 'tests', 'vectors', ...parts), 'utf8');
const keyFile = (name) => read('keys', name);
const certFile = (name) => read('certs', 'generated', name);

const APP_ID = '2021000000000001';
const AES_KEY = read('protocol-examples', 'aes_key.txt').trim();
const TRANSPORT_HEADERS = ['host', 'connection', 'content-length', 'user-agent', 'accept-encoding', 'transfer-encoding'];

// ---- the capture server -------------------------------------------------------------------------
let captured = null;
let answer = null;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !TRANSPORT_HEADERS.includes(name)).sort(),
    );
    const body = Buffer.concat(chunks);
    captured = { method: req.method, path: req.url, headers, body: body.toString('utf8'), body_b64: body.toString('base64') };
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${server.address().port}`;

// ---- SDK clients ----------------------------------------------------------------------------------
const base = {
  appId: APP_ID,
  privateKey: keyFile('app_2048.private.pkcs1.pem'),
  endpoint,
  timeout: 10000,
};
const clients = {
  public_key: new AlipaySdk({ ...base, alipayPublicKey: keyFile('alipay_2048.public.spki.pem') }),
  auth_info: new AlipaySdk({
    ...base,
    alipayPublicKey: keyFile('alipay_2048.public.spki.pem'),
    additionalAuthInfo: 'expired_seconds=120',
  }),
  certificate: new AlipaySdk({
    ...base,
    appCertContent: certFile('app_cert.pem'),
    alipayPublicCertContent: certFile('alipay_cert.pem'),
    alipayRootCertContent: certFile('root_bundle.pem'),
  }),
  aes: new AlipaySdk({ ...base, alipayPublicKey: keyFile('alipay_2048.public.spki.pem'), encryptKey: AES_KEY }),
};
const alipayCertSn = clients.certificate.config.alipayCertSn;

// ---- helpers --------------------------------------------------------------------------------------
const signWith = (keyName, text) =>
  createSign('RSA-SHA256').update(text, 'utf8').sign(keyFile(`${keyName}.private.pkcs1.pem`), 'base64');

/** A 2xx answer signed as Alipay signs v3 answers: over `{timestamp}\n{nonce}\n{body}\n`. */
function signedAnswer({ body, signedBody = body, key = 'alipay_2048', sn, timestamp = '1715593761234', nonce = 'b7d1c2a3e4f5061728394a5b6c7d8e9f' }) {
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'alipay-trace-id': '0b6a1d2e17155937612341001e0c0a',
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': signWith(key, `${timestamp}\n${nonce}\n${signedBody}\n`),
  };
  if (sn) headers['alipay-sn'] = sn;
  return { status: 200, headers, body };
}

/** AES-128-CBC, zero IV, PKCS#7, base64: the content encryption of v2 and v3. */
function aesEncrypt(text) {
  const cipher = nodeCrypto.createCipheriv('aes-128-cbc', Buffer.from(AES_KEY, 'base64'), Buffer.alloc(16));
  return cipher.update(text, 'utf8', 'base64') + cipher.final('base64');
}

/** Our path-parameter rule: percent-encode every byte but A-Z a-z 0-9 - . _ ~ */
const encodePathParam = (value) =>
  Array.from(new TextEncoder().encode(value), (b) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');

/** Runs `sdk.curl` with the fixed nonce and timestamp; returns the SDK's outcome. */
async function curl(client, { httpMethod, path, options, nonce, timestamp, boundary }) {
  const realNow = Date.now;
  const realUuid = nodeCrypto.randomUUID;
  const realBoundary = FormStream.prototype._generateBoundary;
  Date.now = () => timestamp;
  nodeCrypto.randomUUID = () => nonce;
  FormStream.prototype._generateBoundary = () => boundary;
  let promise;
  try {
    promise = clients[client].curl(httpMethod, path, options);
  } finally {
    Date.now = realNow;
    nodeCrypto.randomUUID = realUuid;
    FormStream.prototype._generateBoundary = realBoundary;
  }
  try {
    const result = await promise;
    return { ok: true, data: result.data, trace_id: result.traceId };
  } catch (error) {
    return {
      ok: false,
      error: {
        name: error.name,
        code: error.code ?? null,
        message: error.message,
        trace_id: error.traceId ?? null,
        http_status: error.responseHttpStatus ?? null,
        links: error.links ?? null,
      },
    };
  }
}

// ---- request cases --------------------------------------------------------------------------------
const ok = signedAnswer({ body: '{"code":"10000"}' });
const requestCases = [
  {
    name: 'post_json',
    client: 'public_key',
    http_method: 'POST',
    path: '/v3/alipay/trade/query',
    body: { out_trade_no: '20150320010101001', query_options: ['trade_settle_info'], memo: '测试 a/b "q"' },
  },
  {
    name: 'get_query',
    client: 'public_key',
    http_method: 'GET',
    path: '/v3/alipay/marketing/activity/voucher/query',
    query: [['activity_id', 'ACT 2024/05'], ['merchant_id', 'a+b&c=d'], ['memo', '券 ~*']],
  },
  {
    name: 'path_param',
    client: 'public_key',
    http_method: 'GET',
    path: '/v3/test/items/{item_id}/detail',
    path_params: [['item_id', 'a b/ü~*']],
    query: [['page', '1']],
  },
  {
    name: 'post_empty_body',
    client: 'public_key',
    http_method: 'POST',
    path: '/v3/alipay/marketing/activity/voucher/stop',
  },
  {
    name: 'app_auth_token',
    client: 'public_key',
    http_method: 'PUT',
    path: '/v3/test/items/modify',
    body: { activity_id: 'ACT1' },
    app_auth_token: '202405BBf3f1a2b3c4d5e6f708192a3b4c5d6X52',
  },
  {
    name: 'additional_auth_info',
    client: 'auth_info',
    auth_info: [['expired_seconds', '120']],
    http_method: 'POST',
    path: '/v3/alipay/trade/query',
    body: { out_trade_no: 'T1' },
  },
  {
    name: 'certificate_mode',
    client: 'certificate',
    http_method: 'POST',
    path: '/v3/alipay/trade/query',
    body: { out_trade_no: 'T2' },
    answer: signedAnswer({ body: '{"code":"10000"}', sn: alipayCertSn }),
    // The root SN is not signed. The SDK writes issuer names without RFC 2253 escaping, so for
    // this bundle (`O=Alipay OpenAPI Tests\, Root`) its root SN is not the one Java computes.
    divergence: {
      'alipay-root-cert-sn': 'the Node SDK does not escape the `,` in the root issuer name; the core computes the SN as Java does (docs/PROTOCOL.md §5.1)',
    },
  },
  {
    name: 'aes_body',
    client: 'aes',
    http_method: 'POST',
    path: '/v3/alipay/trade/query',
    body: { out_trade_no: 'T3', memo: '加密' },
    need_encrypt: true,
    answer: signedAnswer({ body: aesEncrypt('{"code":"10000"}') }),
  },
  {
    name: 'multipart_upload',
    client: 'public_key',
    http_method: 'POST',
    path: '/v3/test/files/upload',
    body: { biz_code: 'openpt_appstore', memo: '图片' },
    files: [{ field: 'file_content', file_name: 'a "b".png', content_type: 'image/png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x2d, 0x2d]) }],
    boundary: '--------------------------0123456789abcdef01234567',
  },
];

const requests = [];
for (const [index, c] of requestCases.entries()) {
  const nonce = `0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f${index}`;
  const timestamp = 1715593760000 + index;
  const requestId = `c0ffee${String(index).padStart(2, '0')}deadbeef0123456789abcdef`.slice(0, 32);
  let path = c.path;
  for (const [name, value] of c.path_params ?? []) path = path.replace(`{${name}}`, encodePathParam(value));
  const options = { requestId };
  if (c.query) options.query = Object.fromEntries(c.query);
  if (c.body) options.body = c.body;
  if (c.app_auth_token) options.appAuthToken = c.app_auth_token;
  if (c.need_encrypt) options.needEncrypt = true;
  if (c.files) {
    options.form = new AlipayFormData();
    for (const file of c.files) options.form.addFile(file.field, file.file_name, file.content);
  }
  answer = c.answer ?? ok;
  captured = null;
  const outcome = await curl(c.client, { httpMethod: c.http_method, path, options, nonce, timestamp, boundary: c.boundary });
  if (!outcome.ok || !captured) throw new Error(`${c.name}: the SDK call failed: ${JSON.stringify(outcome)}`);
  const authorization = captured.headers.authorization;
  const authString = authorization.replace(/^ALIPAY-SHA256withRSA /, '').replace(/,sign=[^,]*$/, '');
  // What the body line holds: the body, or for an upload the JSON of its `data` part.
  const signedBody = c.files ? JSON.stringify(c.body ?? {}) : captured.body;
  const signContent = `${authString}\n${captured.method}\n${captured.path}\n${signedBody}\n` +
    (c.app_auth_token ? `${c.app_auth_token}\n` : '');
  requests.push({
    name: c.name,
    client: c.client,
    input: {
      http_method: c.http_method,
      path: c.path,
      path_params: c.path_params ?? [],
      query: c.query ?? [],
      body: c.body ? JSON.stringify(c.body) : null,
      app_auth_token: c.app_auth_token ?? null,
      auth_info: c.auth_info ?? [],
      files: (c.files ?? []).map((file) => ({
        field: file.field,
        file_name: file.file_name,
        content_type: file.content_type,
        content_b64: file.content.toString('base64'),
      })),
      multipart_boundary: c.boundary ?? null,
      request_id: requestId,
      nonce,
      timestamp,
    },
    captured,
    divergence: c.divergence ?? {},
    sign_content: signContent,
    signature: authorization.replace(/^.*,sign=/, ''),
  });
}

// ---- response cases -------------------------------------------------------------------------------
const business = '{"trade_no":"2024051322001400001234567890","out_trade_no":"20150320010101001","buyer_logon_id":"测试/x","total_amount":"88.88"}';
const pretty = JSON.stringify(JSON.parse(business), null, 2);
const ciphertext = aesEncrypt(business);
const responseCases = [
  { name: 'valid', client: 'public_key', expect: 'ok', answer: signedAnswer({ body: business }) },
  {
    name: 'tampered_body',
    client: 'public_key',
    expect: 'signature_mismatch',
    answer: signedAnswer({ body: business.replace('88.88', '0.01'), signedBody: business }),
  },
  {
    name: 'reserialised_body',
    client: 'public_key',
    expect: 'signature_mismatch',
    answer: signedAnswer({ body: pretty, signedBody: business }),
  },
  { name: 'wrong_key', client: 'public_key', expect: 'signature_mismatch', answer: signedAnswer({ body: business, key: 'other_2048' }) },
  {
    name: 'missing_signature',
    client: 'public_key',
    expect: 'missing_signature',
    answer: (() => {
      const a = signedAnswer({ body: business });
      delete a.headers['alipay-signature'];
      return a;
    })(),
  },
  {
    name: 'error_400',
    client: 'public_key',
    expect: 'v3_gateway_error',
    answer: {
      status: 400,
      headers: { 'content-type': 'application/json; charset=utf-8', 'alipay-trace-id': '0b6a1d2e17155937612341002e0c0b' },
      body: '{"code":"invalid-signature","message":"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配","links":[{"link_name":"文档","link_url":"https://opendocs.alipay.com/open-v3/054fcv"}]}',
    },
  },
  {
    name: 'error_502_not_json',
    client: 'public_key',
    expect: 'malformed_response',
    answer: { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' },
  },
  { name: 'certificate_valid', client: 'certificate', expect: 'ok', answer: signedAnswer({ body: business, sn: alipayCertSn }) },
  {
    name: 'certificate_unknown_sn',
    client: 'certificate',
    expect: 'unknown_cert_sn',
    answer: signedAnswer({ body: business, sn: '0123456789abcdef0123456789abcdef' }),
  },
  { name: 'aes_valid', client: 'aes', expect: 'ok', need_encrypt: true, answer: signedAnswer({ body: ciphertext }) },
];

const responses = [];
for (const c of responseCases) {
  answer = c.answer;
  const options = { requestId: 'feedface0123456789abcdef01234567' };
  if (c.need_encrypt) Object.assign(options, { body: { out_trade_no: 'T3' }, needEncrypt: true });
  const sdk = await curl(c.client, { httpMethod: 'POST', path: '/v3/alipay/trade/query', options, nonce: 'n', timestamp: 1 });
  // The SDK and our verdict must agree on accept or refuse.
  if (sdk.ok !== (c.expect === 'ok')) throw new Error(`${c.name}: the SDK says ${JSON.stringify(sdk)}`);
  responses.push({
    name: c.name,
    client: c.client,
    status: c.answer.status,
    headers: Object.entries(c.answer.headers),
    body: c.answer.body,
    expect: c.expect,
    sdk,
  });
}
server.close();

// ---- output ---------------------------------------------------------------------------------------
const out = join(root, 'tests', 'vectors', 'v3');
mkdirSync(out, { recursive: true });
const header = {
  generator: `scripts/v3-golden/generate.mjs with npm alipay-sdk ${sdkVersion}`,
  app_id: APP_ID,
  keys: {
    app_private: 'keys/app_2048.private.pkcs1.pem',
    alipay_public: 'keys/alipay_2048.public.spki.pem',
    certificate_mode: ['certs/generated/app_cert.pem', 'certs/generated/alipay_cert.pem', 'certs/generated/root_bundle.pem'],
    aes: 'protocol-examples/aes_key.txt',
  },
  alipay_cert_sn: alipayCertSn,
};
writeFileSync(join(out, 'requests.json'), `${JSON.stringify({ ...header, cases: requests }, null, 2)}\n`);
writeFileSync(join(out, 'responses.json'), `${JSON.stringify({ ...header, cases: responses }, null, 2)}\n`);
console.log(`wrote ${requests.length} request and ${responses.length} response cases to ${out}`);
