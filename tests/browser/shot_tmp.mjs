import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname, resolve } from 'node:path';
const dist = resolve('dist');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const rel = url.pathname.slice(1) || 'index.html';
  try { const body = await readFile(join(dist, rel)); res.writeHead(200, { 'content-type': TYPES[extname(rel)] || 'application/octet-stream', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }); res.end(body); } catch { res.writeHead(404); res.end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
const q = process.argv[2];
await page.goto(`http://127.0.0.1:${server.address().port}/?${q}`);
await page.waitForFunction(() => window.lpuExplorer);
const waitFor = process.argv[4] || 'Done';
await page.waitForFunction((w) => new RegExp(w).test(document.getElementById('status').textContent), waitFor, { timeout: 120000 });
await page.waitForTimeout(1500);
await page.screenshot({ path: process.argv[3], fullPage: true });
console.log(await page.textContent('#status'), '|', await page.textContent('#summary'));
await browser.close(); server.close();
