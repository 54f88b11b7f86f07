// The Node build as an ES module user loads it, `import ... from 'alipay-openapi'`: run by Deno
// (resolved through this directory's package.json and node_modules) and Bun.
import process from 'node:process';

import * as api from 'alipay-openapi';

import { cases, keys, runtime } from './host.mjs';
import { runSmoke, summary } from './smoke.mjs';

const result = await runSmoke(api, cases, keys, { backends: ['node', 'wasm'], defaultBackend: 'node' });
for (const failure of result.failures) console.error(failure);
console.log(summary(`${runtime} (import)`, result));
process.exitCode = result.failed === 0 ? 0 : 1;
