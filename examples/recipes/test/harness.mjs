// Starts the local gateway, a recipe server and a relay in front of its notify_url, for the Node
// tests of every recipe (the Python ones included, for the browser test).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export { gatewayBinary, startGateway } from '../../../bindings-wasm/test/support.mjs';

const recipesDir = fileURLToPath(new URL('..', import.meta.url));
const python = fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));
export const pythonAvailable = existsSync(python);

export const RECIPES = {
  express: [process.execPath, 'express/server.mjs'],
  hono: [process.execPath, 'hono/server.mjs'],
  fastapi: [python, 'fastapi/app.py'],
  flask: [python, 'flask/app.py'],
};

/** Starts a recipe on a free port; resolves once it prints `listening on <url>`. */
export async function startRecipe(name, env) {
  const [command, script] = RECIPES[name];
  const child = spawn(command, [script], { cwd: recipesDir, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const failed = new Promise((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  const line = new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const url = /^listening on (http:\/\/\S+)$/.exec(await Promise.race([line, failed]))?.[1];
  if (!url) throw new Error(`${name} did not print its URL`);
  return { url, stop: () => child.kill() };
}

/**
 * A relay for notify_url: passes each notification to its `target` (set once the recipe runs) and records the body and the
 * recipe's answer, but tells the gateway `failure` the first time, so that the gateway delivers
 * the same notification again (as Alipay does when an answer is lost).
 */
export async function startRelay() {
  const relay = { target: undefined, deliveries: [] };
  const { deliveries } = relay;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const reply = await fetch(`${relay.target}${req.url}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] }, body });
    const answer = await reply.text();
    deliveries.push({ body: body.toString('latin1'), answer });
    res.end(deliveries.length === 1 ? 'failure' : answer);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(relay, { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() });
}

export async function post(url, json) {
  const reply = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  return { status: reply.status, json: await reply.json() };
}

export async function getJson(url) {
  const reply = await fetch(url);
  return { status: reply.status, json: await reply.json() };
}

export async function postForm(url, body) {
  const reply = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  return reply.text();
}

/** Polls `check` until it returns a value other than undefined, for up to `ms`. */
export async function eventually(check, ms = 10_000) {
  for (const deadline = Date.now() + ms; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
  }
}
