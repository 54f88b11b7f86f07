// Runs workerd.capnp on a loopback port, sends the one request, prints the summary line, and stops
// workerd. Run by the host Node: node workerd.mjs
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { summary } from './smoke.mjs';

const here = new URL('.', import.meta.url);
const packageDir = new URL('node_modules/@cloudflare/workerd-linux-64/', here);
const { version } = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8'));
const binary = new URL('bin/workerd', packageDir).pathname;
// fd 3 gets workerd's control messages: {"event":"listen","socket":"http","port":N} once it listens.
const child = spawn(binary, ['serve', 'workerd.capnp', '--control-fd=3'], { cwd: here, stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
const deadline = setTimeout(() => {
  console.error('workerd: no answer within 60 s');
  child.kill('SIGKILL');
  process.exit(1);
}, 60_000);
try {
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`workerd exited with ${code}`))));
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdio[3] })) {
      const message = JSON.parse(line);
      if (message.event === 'listen' && message.socket === 'http') return message.port;
    }
    throw new Error('workerd closed its control descriptor without listening');
  })();
  const port = await Promise.race([listening, exited]);
  const response = await fetch(`http://127.0.0.1:${port}/`);
  if (!response.ok) throw new Error(`the worker answered ${response.status}: ${await response.text()}`);
  const result = await response.json();
  for (const failure of result.failures) console.error(failure);
  console.log(summary(`workerd ${version}`, result));
  process.exitCode = result.failed === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  clearTimeout(deadline);
  child.kill();
}
