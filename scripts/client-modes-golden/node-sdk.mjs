// The Node half of generate.py: reads the cases (JSON) on stdin, runs npm `alipay-sdk` 4.14.0
// (pinned in package-lock.json) on each, prints what it returned (JSON) on stdout. An `exec` case is
// an upload (`AlipayFormData` with fields and a file): the SDK posts it to the case's gateway, a
// recorder that generate.py runs, and what the SDK made of the answer is its output. The SDK reads
// the time with `new Date()` (the timestamp) and `Date.now()` (the form's name): both are pinned to
// the case's instant while the SDK call runs. The caller sets TZ=Asia/Shanghai, the zone the SDK
// formats the timestamp in.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { AlipaySdk, AlipayFormData } = require('alipay-sdk');
const version = require('alipay-sdk/package.json').version;

const { keyFile, cases } = JSON.parse(readFileSync(0, 'utf8'));
const privateKey = readFileSync(keyFile, 'utf8');
const RealDate = Date;

function at(millis, run) {
  class FixedDate extends RealDate {
    constructor(...args) {
      super(...(args.length ? args : [millis]));
    }
    static now() {
      return millis;
    }
  }
  globalThis.Date = FixedDate;
  try {
    return run();
  } finally {
    globalThis.Date = RealDate;
  }
}

// The SDK signs before its first `await`, so the pinned clock covers the signing.
async function upload(sdk, c) {
  const form = new AlipayFormData();
  for (const [name, value] of Object.entries(c.fields)) form.addField(name, value);
  for (const file of c.files) form.addFile(file.field, file.file_name, Buffer.from(file.content, 'base64'));
  const sent = at(c.millis, () => sdk.exec(c.method, {}, { formData: form }));
  try {
    return await sent;
  } catch (error) {
    return { error: error.message };
  }
}

const out = [];
for (const c of cases) {
  const sdk = new AlipaySdk({ appId: c.app_id, privateKey, gateway: c.gateway, charset: c.charset, signType: 'RSA2' });
  if (c.call === 'exec') {
    out.push({ id: c.id, output: await upload(sdk, c) });
    continue;
  }
  const params = { bizContent: JSON.parse(c.biz_content), ...c.params };
  const output = at(c.millis, () =>
    c.call === 'sdkExecute' ? sdk.sdkExecute(c.method, params) : sdk.pageExecute(c.method, c.http_method, params),
  );
  out.push({ id: c.id, output });
}
process.stdout.write(JSON.stringify({ version, out }));
