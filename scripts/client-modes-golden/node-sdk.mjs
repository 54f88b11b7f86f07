// The Node half of generate.py: reads the cases (JSON) on stdin, runs npm `alipay-sdk` 4.14.0
// (pinned in package-lock.json) on each, prints what it returned (JSON) on stdout. The SDK reads
// the time with `new Date()` (the timestamp) and `Date.now()` (the form's name): both are pinned to
// the case's instant while the SDK call runs. The caller sets TZ=Asia/Shanghai, the zone the SDK
// formats the timestamp in.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { AlipaySdk } = require('alipay-sdk');
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

const out = cases.map((c) => {
  const sdk = new AlipaySdk({ appId: c.app_id, privateKey, gateway: c.gateway, charset: c.charset, signType: 'RSA2' });
  const params = { bizContent: JSON.parse(c.biz_content), ...c.params };
  const output = at(c.millis, () =>
    c.call === 'sdkExecute' ? sdk.sdkExecute(c.method, params) : sdk.pageExecute(c.method, c.http_method, params),
  );
  return { id: c.id, output };
});
process.stdout.write(JSON.stringify({ version, out }));
