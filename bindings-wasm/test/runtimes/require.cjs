// The Node build as a CommonJS user loads it, `require('alipay-openapi')`: run by Node 18 and Bun.
'use strict';
const api = require('alipay-openapi');

(async () => {
  const { runSmoke, summary } = await import('./smoke.mjs');
  const { cases, keys, runtime } = await import('./host.mjs');
  const result = await runSmoke(api, cases, keys, { backends: ['node', 'wasm'], defaultBackend: 'node' });
  for (const failure of result.failures) console.error(failure);
  console.log(summary(`${runtime} (require)`, result));
  process.exitCode = result.failed === 0 ? 0 : 1;
})();
