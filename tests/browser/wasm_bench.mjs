// Times the same queries in headless Chromium (the wasm worker, one thread) and natively on one
// thread (RAYON_NUM_THREADS=1 lpu run), interleaved: a benchmark that prints figures, not a test.
// Usage: trunk build --release && cargo build --release &&
//   node tests/browser/wasm_bench.mjs dist target/release/lpu [repeats] ["query" …]
// Natively it runs each query twice: at the CPU's own vector width, and with LPU_SIMD=128 at
// wasm's (two f64 lanes, the same bits: src/simd.rs).
// Prints per query: min, median and spread ((max − min) / median) of each side, and the wasm
// speed as a fraction of each native one (native median / wasm median).
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const dist = resolve(process.argv[2] || 'dist');
const lpu = resolve(process.argv[3] || 'target/release/lpu');
const repeats = Math.max(5, Number(process.argv[4]) || 5);
const queries = process.argv.length > 5 ? process.argv.slice(5) : [
  // The two cases of issue 13 (shorter runs than its 1000 and 3000 steps: the same per-step work).
  'exp=flipflop&bits=1&neurons=1000000&steps=300&seed=1',
  'exp=flipflop&bits=3&neurons=100000&steps=1000&seed=1',
];

const { server, url } = await serve(dist);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
const page = await (await browser.newContext()).newPage();
// A light page: the flip-flop view of 10 neurons (the benchmark's runs go to the API's worker).
await page.goto(`${url}?exp=flipflop&neurons=10&steps=10`);
await page.waitForFunction(() => window.lpuExplorer);
await page.evaluate(() => window.lpuExplorer.ready);

// One run in the page's API worker (a worker of its own, no result kept by the browser):
// seconds from request to parsed document.
const wasmRun = (q) => page.evaluate((query) => {
  const t = performance.now();
  return window.lpuExplorer.run(query).then(() => (performance.now() - t) / 1000);
}, q);
const nativeRun = (q, simd = '') => {
  const t = process.hrtime.bigint();
  const env = { ...process.env, RAYON_NUM_THREADS: '1', LPU_SIMD: simd };
  execFileSync(lpu, ['run', q], { env, maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - t) / 1e9;
};
const stats = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { min: s[0], median, spread: (s[s.length - 1] - s[0]) / median };
};
const fmt = (x) => `min ${x.min.toFixed(2)} s, median ${x.median.toFixed(2)} s, spread ${(100 * x.spread).toFixed(0)} %`;

await wasmRun(queries[0].replace(/neurons=\d+/, 'neurons=1000').replace(/steps=\d+/, 'steps=10')); // start the API worker
for (const q of queries) {
  const wasm = [], native = [], narrow = [];
  for (let i = 0; i < repeats; i++) {
    // Interleaved, and which side goes first alternates, so slow spells of the machine hit all.
    if (i % 2 === 0) { wasm.push(await wasmRun(q)); native.push(nativeRun(q)); narrow.push(nativeRun(q, '128')); }
    else { narrow.push(nativeRun(q, '128')); native.push(nativeRun(q)); wasm.push(await wasmRun(q)); }
  }
  const w = stats(wasm), n = stats(native), m = stats(narrow);
  console.log(`${q}
  Chromium (wasm, 1 thread):        ${fmt(w)}
  native (1 thread):                ${fmt(n)}
  native at 128 bits (LPU_SIMD=128): ${fmt(m)}
  wasm speed / native: ${(n.median / w.median).toFixed(2)}×; at the same width: ${(m.median / w.median).toFixed(2)}× (ratios of medians, ${repeats} runs each)`);
}
await browser.close();
server.close();
