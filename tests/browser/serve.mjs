// A static server for dist/ with the cross-origin isolation headers `trunk serve` sends (so the
// worker's cancel flag is shared), for the benchmark scripts.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname } from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves `dist` on a free local port; resolves with the server and its base URL. */
export async function serve(dist) {
  const server = createServer(async (req, res) => {
    const rel = new URL(req.url, 'http://x').pathname.slice(1) || 'index.html';
    try {
      const b = await readFile(join(dist, rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] || 'application/octet-stream', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.end(b);
    } catch { res.writeHead(404); res.end(); }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}
