// The Node build as a CommonJS user loads it, `require('alipay-openapi')` and
// `require('alipay-openapi/fallback')`: run by Node 18 and Bun.
'use strict';
const api = require('alipay-openapi');
const fallback = require('alipay-openapi/fallback');

(async () => {
  const { runBoth, runSmoke, summary } = await import('./smoke.mjs');
  const { cases, keys, runtime } = await import('./host.mjs');
  const result = await runBoth(
    () => runSmoke(api, cases, keys, { backends: ['node'], defaultBackend: 'node' }),
    () => runSmoke(fallback, cases, keys, { backends: ['node', 'wasm'], defaultBackend: 'node' }),
  );
  for (const failure of result.failures) console.error(failure);
  console.log(summary(`${runtime} (require)`, result));
  process.exitCode = result.failed === 0 ? 0 : 1;
})();
