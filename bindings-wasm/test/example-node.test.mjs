// The Node example (examples/node/voucher-flow.mjs) runs the voucher flow with fetch against the local
// gateway, which it starts itself. Needs the built gateway (`make test-js` builds it); without
// it the test is skipped unless ALIPAY_REQUIRE_GATEWAY=1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { repoDir } from './support.mjs';

const gateway = process.env.ALIPAY_LOCAL_GATEWAY ?? `${repoDir}target/debug/alipay-local-gateway`;
const available = existsSync(gateway) && existsSync(`${repoDir}examples/node/node_modules/alipay-openapi`);
if (!available && process.env.ALIPAY_REQUIRE_GATEWAY === '1') throw new Error(`${gateway} or examples/node/node_modules is missing`);

test('the Node example runs the voucher flow against the local gateway', { skip: !available && 'no local gateway build' }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['voucher-flow.mjs'], {
    cwd: `${repoDir}examples/node`,
    env: { ...process.env, ALIPAY_LOCAL_GATEWAY: gateway },
    timeout: 60_000,
  });
  assert.match(stdout, /^voucher\.send: voucher \d{28} for user 2088102000000000$/m);
  assert.match(stdout, /same voucher, nothing sent twice/);
  assert.match(stdout, /voucher\.query: .*status ENABLED, \d+\.\d\d of \d+\.\d\d available/);
  assert.match(stdout, /TEMPLATE_EXPIRED .*retryable: false/);
  assert.match(stdout, /^paid order node\d+: trade \d{28}$/m);
  assert.match(stdout, /^v3 trade query: TRADE_SUCCESS, 88\.88 yuan \(signed answer, trace \S+\)$/m);
  assert.match(stdout, /^voucher flow ok: .*"tradeStatus":"TRADE_SUCCESS"/m);
});
