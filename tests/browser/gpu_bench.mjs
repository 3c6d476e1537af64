// Times the flip-flop's simulation in headless Chromium with WebGPU (--enable-unsafe-webgpu),
// backend=gpu against backend=cpu (the wasm CPU path), interleaved: a benchmark that prints
// figures, not a test.
// Usage: trunk build --release &&
//   [LPU_BENCH_WORK=1e8] node tests/browser/gpu_bench.mjs dist [repeats] ["N,K,batch" …]
// A run also builds the network, searches fixed points and writes its document, so each side is
// timed at two trial lengths and the simulation's speed is the difference: neuron-steps per
// second = N × batch × (long − short steps) / (t_long − t_short), per repeat. Prints best, median
// and spread ((max − min) / median) of each side and the ratio of medians (GPU over CPU).
// The adapter is whatever Chromium offers: SwiftShader here, a software rasteriser that is
// slower than the CPU path (these figures are for correctness and the seam's overhead).
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { resolve } from 'node:path';

const dist = resolve(process.argv[2] || 'dist');
const repeats = Math.max(5, Number(process.argv[3]) || 5);
const cases = (process.argv.length > 4 ? process.argv.slice(4) : [
  '10000,1,1', '10000,3,64', '100000,1,1', '100000,3,16', '1000000,1,1', '1000000,3,4',
]).map((c) => c.split(',').map(Number));
// Neuron-steps of the difference between the two lengths: about a second of wasm CPU time
// (LPU_BENCH_WORK sets another: SwiftShader takes minutes for 1e8).
const WORK = Number(process.env.LPU_BENCH_WORK) || 1e8;
const SHORT = 10;
// SwiftShader spends about 16 ms on a step's dispatches whatever N, so the longer runs are capped.
const MAX_STEPS = 300;

const { server, url } = await serve(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await (await browser.newContext()).newPage();
await page.goto(`${url}?exp=flipflop&neurons=10&steps=10`);
await page.waitForFunction(() => window.lpuExplorer);
await page.evaluate(() => window.lpuExplorer.ready);

// One run in the page's API worker: seconds from request to parsed document, and what ran.
const run = (q) => page.evaluate((query) => {
  const t = performance.now();
  return window.lpuExplorer.run(query).then((doc) => ({ s: (performance.now() - t) / 1000, ran: doc.backend && doc.backend.ran, adapter: doc.backend && doc.backend.adapter, note: doc.backend && doc.backend.note }));
}, q);
const stats = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { best: s[s.length - 1], median, spread: (s[s.length - 1] - s[0]) / median };
};
const rate = (x) => `${(x / 1e6).toPrecision(3)} M`;

// Start the worker and the GPU device (the first WebGPU run compiles the pipelines).
const warm = await run('exp=flipflop&bits=1&neurons=1000&steps=20&backend=gpu');
console.log(`adapter: ${warm.ran === 'gpu' ? warm.adapter : `none (${warm.note})`}`);
for (const [n, k, batch] of cases) {
  const long = SHORT + Math.min(MAX_STEPS, Math.max(20, Math.round(WORK / (n * batch))));
  const q = (steps, backend) => `exp=flipflop&bits=${k}&neurons=${n}&trials=${batch}&steps=${steps}&record=0&tuning=0&grid=3&seed=1&backend=${backend}`;
  await run(q(SHORT, 'gpu')); // this (K, batch)'s pipelines
  const speeds = { cpu: [], gpu: [] };
  for (let i = 0; i < repeats; i++) {
    // Interleaved, and which side goes first alternates, so slow spells of the machine hit both.
    for (const backend of i % 2 === 0 ? ['cpu', 'gpu'] : ['gpu', 'cpu']) {
      const a = await run(q(SHORT, backend));
      const b = await run(q(long, backend));
      if (b.ran !== backend) throw new Error(`backend=${backend} ran on ${b.ran}: ${b.note}`);
      speeds[backend].push((n * batch * (long - SHORT)) / Math.max(b.s - a.s, 1e-3));
    }
  }
  const c = stats(speeds.cpu), g = stats(speeds.gpu);
  console.log(`N = ${n}, K = ${k}, batch ${batch} (${SHORT} and ${long} steps): neuron-steps per second\n` +
    `  wasm CPU: best ${rate(c.best)}, median ${rate(c.median)}, spread ${(100 * c.spread).toFixed(0)} %\n` +
    `  WebGPU:   best ${rate(g.best)}, median ${rate(g.median)}, spread ${(100 * g.spread).toFixed(0)} %\n` +
    `  GPU / CPU: ${(g.median / c.median).toPrecision(2)}× (ratio of medians, ${repeats} runs each)`);
}
await browser.close();
server.close();
