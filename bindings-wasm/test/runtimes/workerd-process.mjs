// Starts workerd on a loopback port: the smoke test (workerd.mjs) and the cold-start benchmark
// (bench/workerd/cold-start.mjs) share it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const packageDir = new URL('node_modules/@cloudflare/workerd-linux-64/', import.meta.url);
export const workerdVersion = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8')).version;
const binary = new URL('bin/workerd', packageDir).pathname;

/**
 * Runs `workerd serve CONFIG [CONST]` in `dir` and resolves, once it listens, to its `port` and
 * `child` (the caller kills it). Fails if workerd exits first or says nothing within 60 s.
 */
export async function startWorkerd(dir, config, constName) {
  // fd 3 gets workerd's control messages: {"event":"listen","socket":"http","port":N} once it listens.
  const args = ['serve', config, ...(constName ? [constName] : []), '--control-fd=3'];
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('workerd: not listening within 60 s')), 60_000);
  });
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`workerd exited with ${code}`))));
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdio[3] })) {
      const message = JSON.parse(line);
      if (message.event === 'listen' && message.socket === 'http') return message.port;
    }
    throw new Error('workerd closed its control descriptor without listening');
  })();
  try {
    return { port: await Promise.race([listening, exited, timeout]), child };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
