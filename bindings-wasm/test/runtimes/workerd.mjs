// Runs workerd.capnp on a loopback port, sends the one request, prints the summary line, and stops
// workerd. Run by the host Node: node workerd.mjs
import { summary } from './smoke.mjs';
import { startWorkerd, workerdVersion } from './workerd-process.mjs';

let child;
try {
  const started = await startWorkerd(new URL('.', import.meta.url), 'workerd.capnp');
  child = started.child;
  const response = await fetch(`http://127.0.0.1:${started.port}/`, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`the worker answered ${response.status}: ${await response.text()}`);
  const result = await response.json();
  for (const failure of result.failures) console.error(failure);
  console.log(summary(`workerd ${workerdVersion}`, result));
  process.exitCode = result.failed === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  child?.kill();
}
