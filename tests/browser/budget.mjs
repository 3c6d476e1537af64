// Budgets of the explorer page (a benchmark that prints figures; not a timed test).
// Usage: trunk build --release && node tests/browser/budget.mjs dist [target/release/lpu]
// Prints: gzipped transfer size per file and in all; time from navigation to the first drawn
// phase portrait in headless Chromium; portrait updates per second while an input slider moves.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join, extname, resolve } from 'node:path';
import { sliderRate } from './slider_rate.mjs';

const dist = resolve(process.argv[2] || 'dist');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

let total = 0, totalRaw = 0;
console.log('transfer size (gzip -9)');
const files = (await readdir(dist, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath ?? e.path, e.name).slice(dist.length + 1))
  .sort();
for (const f of files) {
  const body = await readFile(join(dist, f));
  const gz = gzipSync(body, { level: 9 }).length;
  total += gz; totalRaw += body.length;
  console.log(`  ${f.padEnd(36)} ${(body.length / 1024).toFixed(1).padStart(8)} KiB raw ${(gz / 1024).toFixed(1).padStart(8)} KiB gzip`);
}
console.log(`  ${'total'.padEnd(36)} ${(totalRaw / 1024).toFixed(1).padStart(8)} KiB raw ${(total / 1024).toFixed(1).padStart(8)} KiB gzip`);

const server = createServer(async (req, res) => {
  const rel = new URL(req.url, 'http://x').pathname.slice(1) || 'index.html';
  try { const b = await readFile(join(dist, rel)); res.writeHead(200, { 'content-type': TYPES[extname(rel)] || 'application/octet-stream' }); res.end(b); }
  catch { res.writeHead(404); res.end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });

const firsts = [];
for (let i = 0; i < 5; i++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '?exp=flipflop&bits=2&neurons=100&seed=7');
  await page.waitForFunction(() => window.__lpuTimings && window.__lpuTimings.firstPortrait !== null, null, { timeout: 60000 });
  firsts.push(await page.evaluate(() => window.__lpuTimings.firstPortrait));
  await ctx.close();
}
firsts.sort((a, b) => a - b);
console.log(`time to first drawn portrait (N = 100, 2 bits; 5 loads): median ${firsts[2].toFixed(0)} ms, best ${firsts[0].toFixed(0)} ms, worst ${firsts[4].toFixed(0)} ms`);

for (const neurons of [100, 1000]) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + `?exp=flipflop&bits=2&neurons=${neurons}&seed=7`);
  await page.waitForFunction(() => window.__lpuTimings && window.__lpuTimings.firstPortrait !== null, null, { timeout: 60000 });
  // Move the slider as a hand would, at 60 input events per second, for 3 s.
  const rate = await sliderRate(page);
  console.log(`portrait updates per second while dragging an input slider (N = ${neurons}): ${rate.toFixed(1)}`);
  await ctx.close();
}
// The drift sweep of issue 4 with its defaults (3 kinds × 12 σ × N ∈ {100, 1000, 10000} ×
// 3 runs, 3 bits), split across the page's worker pool, beside `lpu run` on all cores.
{
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '?view=sweep');
  await page.waitForFunction(() => window.__lpuTimings && window.__lpuTimings.runs >= 1, null, { timeout: 600000 });
  const t = await page.evaluate(() => [window.__lpuTimings.lastRunMs, window.__lpuTimings.poolSize, navigator.hardwareConcurrency]);
  console.log(`drift sweep with defaults in the browser: ${(t[0] / 1000).toFixed(1)} s on ${t[1]} workers (${t[2]} cores)`);
  await ctx.close();
}
// Issue 10's targets: all eigenvalues of a dense N = 1000 matrix (≤ 2 s), 20 Lyapunov
// exponents of N = 200 over 1 s (≤ 5 s), and live spectrum updates while g is dragged at
// N = 200 (≥ 10 per second). Run times are the page's own (request to drawn result).
for (const [label, q] of [
  ['spectrum, N = 1000 (all eigenvalues of W)', 'exp=spectrum&source=random&neurons=1000&g=1'],
  ['lyapunov, N = 200, 20 exponents, 1 s', 'exp=lyapunov&neurons=200&exponents=20&time=1&warmup=0'],
]) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(base + '?' + q + '&seed=' + (i + 1));
    await page.waitForFunction(() => window.__lpuTimings && window.__lpuTimings.runs >= 1, null, { timeout: 120000 });
    times.push(await page.evaluate(() => window.__lpuTimings.lastRunMs));
    await ctx.close();
  }
  times.sort((a, b) => a - b);
  console.log(`${label} in the browser (3 loads): median ${(times[1] / 1000).toFixed(2)} s, best ${(times[0] / 1000).toFixed(2)} s`);
}
{
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '?exp=spectrum&neurons=200&g=1');
  await page.waitForFunction(() => window.__lpuTimings && window.__lpuTimings.runs >= 1, null, { timeout: 60000 });
  const rate = await page.evaluate(async () => {
    const s = document.getElementById('ctl-g-slider');
    const start = window.__lpuTimings.portraitUpdates;
    const t0 = performance.now();
    let i = 0;
    while (performance.now() - t0 < 3000) {
      s.value = (1 + 0.5 * Math.sin(i++ / 20)).toFixed(2);
      s.dispatchEvent(new Event('input'));
      await new Promise((r) => setTimeout(r, 1000 / 60));
    }
    await new Promise((r) => setTimeout(r, 300));
    return (window.__lpuTimings.portraitUpdates - start) / ((performance.now() - t0) / 1000);
  });
  console.log(`spectrum updates per second while dragging g (N = 200): ${rate.toFixed(1)}`);
  await ctx.close();
}
const lpuBin = process.argv[3];
if (lpuBin) {
  const { execFileSync } = await import('node:child_process');
  const t0 = Date.now();
  execFileSync(lpuBin, ['run', 'exp=drift_sweep'], { maxBuffer: 1 << 26 });
  console.log(`drift sweep with defaults natively (lpu run, all cores): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
await browser.close();
server.close();
