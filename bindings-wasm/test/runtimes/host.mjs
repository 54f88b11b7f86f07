// What the scripts run by Node, Bun and Deno share: the smoke cases and keys read from tests/vectors
// with node:fs (all three have it), and the runtime's name and version for the summary line.
import { readFileSync } from 'node:fs';

import { KEYS, pickCases } from './smoke.mjs';

const vectorsDir = new URL('../../../tests/vectors/', import.meta.url);
const read = (path) => readFileSync(new URL(path, vectorsDir), 'utf8');
const json = (name) => JSON.parse(read(`${name}.json`));

export const cases = pickCases(json('requests'), json('responses'), json('notifies'));
export const keys = Object.fromEntries(KEYS.map((path) => [path, read(path)]));

export const runtime = globalThis.Deno
  ? `deno ${globalThis.Deno.version.deno}`
  : globalThis.Bun
    ? `bun ${globalThis.Bun.version}`
    : `node ${process.versions.node}`;
