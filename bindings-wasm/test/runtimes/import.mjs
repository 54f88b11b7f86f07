// The Node build as an ES module user loads it, `import ... from 'alipay-openapi'` and from
// 'alipay-openapi/fallback': run by Deno (resolved through this directory's package.json and
// node_modules) and Bun.
import process from 'node:process';

import * as api from 'alipay-openapi';
import * as fallback from 'alipay-openapi/fallback';

import { cases, keys, runtime } from './host.mjs';
import { runBoth, runSmoke, summary } from './smoke.mjs';

const result = await runBoth(
  () => runSmoke(api, cases, keys, { backends: ['node'], defaultBackend: 'node' }),
  () => runSmoke(fallback, cases, keys, { backends: ['node', 'wasm'], defaultBackend: 'node' }),
);
for (const failure of result.failures) console.error(failure);
console.log(summary(`${runtime} (import)`, result));
process.exitCode = result.failed === 0 ? 0 : 1;
