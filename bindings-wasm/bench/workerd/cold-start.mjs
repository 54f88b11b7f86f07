// Cold start in workerd, timed from outside (inside a worker the clock stands still between I/O):
// each run is a fresh workerd process. The package's cost is the package worker's time to listen
// (its modules are compiled and evaluated at start) and its first requests, less the same for a
// worker without the package; medians of 5 runs each.
//
//   node bench/workerd/cold-start.mjs
import assert from 'node:assert/strict';

import { startWorkerd, workerdVersion } from '../../test/runtimes/workerd-process.mjs';
import { APP_ID, alipayKey, api, appKey, vectors } from '../../test/support.mjs';

const RUNS = 5;
const here = new URL('.', import.meta.url);
const request = { method: 'alipay.marketing.voucher.send', bizContent: '{"template_id":"20140601000730010040000000EB"}', timestamp: 1715593760000 };
const response = vectors('responses').find((c) => c.id === 'resp-001').inputs;
const expected = new api.AlipayClient({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey(), crypto: 'node' });
const expectedSignature = expected.sign(request).signature;
const expectedNodeKey = expected.verifyResponse(response.method, response.body).nodeKey;

async function timed(run) {
  const start = performance.now();
  const result = await run();
  return [performance.now() - start, result];
}

async function post(port, path, body) {
  const answer = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
  if (!answer.ok) throw new Error(`${path} answered ${answer.status}: ${await answer.text()}`);
  return answer.json();
}

/** One fresh workerd: milliseconds to listen, then for each request. */
async function run(constName, requests) {
  const [listen, { port, child }] = await timed(() => startWorkerd(here, 'cold.capnp', constName));
  try {
    const times = [listen];
    for (const [path, body, check] of requests) {
      const [ms, result] = await timed(() => post(port, path, body));
      check(result);
      times.push(ms);
    }
    return times;
  } finally {
    child.kill();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medians = (runs) => runs[0].map((_, i) => median(runs.map((times) => times[i])));

const bareRuns = [];
const packageRuns = [];
for (let i = 0; i < RUNS; i++) {
  bareRuns.push(await run('bare', [['/', {}, () => {}], ['/', {}, () => {}]]));
  packageRuns.push(
    await run('package', [
      ['/sign', { appId: APP_ID, request }, (r) => assert.equal(r.signature, expectedSignature)],
      ['/verify', { appId: APP_ID, method: response.method, body: response.body }, (r) => assert.equal(r.nodeKey, expectedNodeKey)],
    ]),
  );
}
const [bareListen, bareFirst, bareSecond] = medians(bareRuns);
const [listen, sign, verify] = medians(packageRuns);
const imported = listen - bareListen;
const signed = imported + sign - bareFirst;
const verified = signed + verify - bareSecond;
const line = (name, ms) => console.log(`  ${name.padEnd(62)} ${ms.toFixed(1).padStart(7)} ms`);
console.log(`\ncold start, workerd ${workerdVersion}, WebCrypto, fresh process, less a worker without the package (target < 50 ms)`);
line('workerd without the package: start', bareListen);
line('workerd without the package: first request', bareFirst);
line('workerd without the package: second request', bareSecond);
line('import (compile and instantiate at start)', imported);
line('import to the first signed request', signed);
line('import to the first verified response (after the request)', verified);
