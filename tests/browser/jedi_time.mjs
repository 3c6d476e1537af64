// Times the default JEDI fit in headless Chromium (a benchmark that prints figures; not a test).
// Usage: trunk build --release && node tests/browser/jedi_time.mjs dist ["exp=jedi&…"]
// Prints: seconds from pressing Run to the finished result, and the mean held-out R².
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname, resolve } from 'node:path';

const dist = resolve(process.argv[2] || 'dist');
const query = process.argv[3] || 'exp=jedi';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const server = createServer(async (req, res) => {
  const rel = new URL(req.url, 'http://x').pathname.slice(1) || 'index.html';
  try {
    const b = await readFile(join(dist, rel));
    res.writeHead(200, { 'content-type': TYPES[extname(rel)] || 'application/octet-stream', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.end(b);
  } catch { res.writeHead(404); res.end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
const page = await (await browser.newContext()).newPage();
const t0 = Date.now();
await page.goto(`http://127.0.0.1:${server.address().port}/?${query}`);
await page.waitForFunction(() => {
  const s = window.lpuExplorer && window.lpuExplorer.get();
  return s && s.result && s.result.result && s.result.result.finished;
}, null, { timeout: 900000, polling: 1000 });
const seconds = (Date.now() - t0) / 1000;
const r = await page.evaluate(() => window.lpuExplorer.get().result.result);
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
console.log(`${query}: ${seconds.toFixed(1)} s in Chromium (page load to finished result); held-out R² ${mean(r.r2_test).toFixed(3)}, training R² ${mean(r.r2_train).toFixed(3)}`);
await browser.close();
server.close();
