// Serves the browser example on 127.0.0.1: the page (this folder), the package's build at
// /pkg/ and the test vectors at /vectors/. `node examples/browser/serve.mjs [port]` prints the URL.
// `startServer(port, roots)` serves other folders the same way (bindings-wasm/bench/browser.mjs).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROOTS = [
  ['/pkg/', join(here, '../../bindings-wasm/dist/')],
  ['/vectors/', join(here, '../../tests/vectors/')],
  ['/', here],
];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.pem': 'text/plain' };

export function startServer(port = 0, roots = ROOTS) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [prefix, dir] = roots.find(([p]) => path.startsWith(p));
    const file = normalize(join(dir, path.slice(prefix.length) || 'index.html'));
    if (!file.startsWith(dir) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startServer(Number(process.argv[2] ?? 0));
  console.log(`serving http://127.0.0.1:${server.address().port}/`);
}
