// Real-browser tests of the built explorer (dist/) in headless Debian Chromium.
// Usage: node tests/browser/e2e.mjs <dist dir> <lpu binary>
// Serves dist/ under a sub-path (the site must work from any sub-path), drives the page with
// playwright-core, and compares the page's numbers with `lpu run` on the same query.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join, extname, resolve } from 'node:path';
import assert from 'node:assert/strict';

const dist = resolve(process.argv[2] || 'dist');
const lpuBin = process.argv[3] || 'target/release/lpu';
const shots = resolve(process.argv[4] || 'target/browser-shots');
await mkdir(shots, { recursive: true });
const PREFIX = '/hosted/sub/path/';
const PLAIN = '/plain/';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

export function serve(root, prefix) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const at = [prefix, PLAIN].find((p) => url.pathname.startsWith(p));
    if (!at) { res.writeHead(404); res.end(); return; }
    let rel = decodeURIComponent(url.pathname.slice(at.length)) || 'index.html';
    if (rel.includes('..')) { res.writeHead(400); res.end(); return; }
    try {
      const body = await readFile(join(root, rel));
      // Cross-origin isolated, as `trunk serve` serves it (Trunk.toml), so cancelling uses the
      // shared flag; under PLAIN the headers are left out, as a plain static host would.
      const isolate = !url.pathname.startsWith(PLAIN);
      const headers = { 'content-type': TYPES[extname(rel)] || 'application/octet-stream' };
      if (isolate) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.writeHead(200, headers);
      res.end(body);
    } catch { res.writeHead(404); res.end(); }
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

const server = await serve(dist, PREFIX);
const base = `http://127.0.0.1:${server.address().port}${PREFIX}`;
const browser = await launch();
let failures = 0;
const consoleErrors = [];

async function open(query, opts = {}) {
  const context = await browser.newContext({ viewport: opts.viewport || { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${query}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${query}: ${e.message}`));
  await page.goto((opts.base || base) + (query ? '?' + query : ''));
  await page.waitForFunction(() => window.lpuExplorer, null, { timeout: 30000 });
  await page.evaluate(() => window.lpuExplorer.ready);
  return page;
}

async function allDrawn(page, timeout = 60000) {
  await page.waitForFunction(() => {
    const figs = [...document.querySelectorAll('figure.plot')];
    return figs.length > 0 && figs.every((f) => f.dataset.drawn === '1');
  }, null, { timeout });
}

// Fraction of non-white pixels of each plot image, drawn onto a canvas.
async function inkPerPlot(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const fig of document.querySelectorAll('figure.plot')) {
      const img = fig.querySelector('img');
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) ink++;
      out[fig.dataset.plot] = ink / (d.length / 4);
    }
    return out;
  });
}

// E2E_ONLY=<regex> runs only the tests whose names match (for working on one of them).
const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
async function test(name, fn) {
  if (only && !only.test(name)) return;
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

function cli(query) {
  return JSON.parse(execFileSync(lpuBin, ['run', query], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

let firstDoc = null;
let firstUrl = null;

await test('flip-flop view loads, draws every plot, no console error', async () => {
  const page = await open('exp=flipflop&bits=2&neurons=100&seed=7');
  await allDrawn(page);
  const ink = await inkPerPlot(page);
  assert.deepEqual(Object.keys(ink).sort(), ['activity', 'portrait', 'trajectory']);
  for (const [k, v] of Object.entries(ink)) assert.ok(v > 0.02, `${k} looks blank (${v})`);
  const state = await page.evaluate(() => window.lpuExplorer.get());
  assert.equal(state.result.experiment, 'flipflop');
  assert.ok(state.result.result.accuracy >= 0.99, 'accuracy ' + state.result.result.accuracy);
  await page.screenshot({ path: join(shots, 'flipflop.png'), fullPage: true });
  firstDoc = state.result;
  await page.click('#copy-link');
  firstUrl = await page.evaluate(() => window.__lpuLastCopied);
  assert.ok(firstUrl.startsWith(base), 'copied link keeps the sub-path: ' + firstUrl);
  await page.context().close();
});

await test('a copied link in a fresh page gives the same result JSON, and lpu run the same numbers', async () => {
  const page = await open(new URL(firstUrl).search.slice(1));
  await allDrawn(page);
  const state = await page.evaluate(() => window.lpuExplorer.get());
  assert.deepEqual(state.result, firstDoc);
  const native = cli(state.coreQuery);
  assert.deepEqual(native, firstDoc, 'lpu run differs from the page');
  await page.context().close();
});

await test('time-scale and tuning views draw', async () => {
  for (const [q, plots] of [['view=timescale&neurons=5000&tau_latent=0.05', ['cloud', 'flow', 'growth', 'needed', 'trajectories']], ['view=tuning&tuning=0,1,2', ['portrait', 'tuning']]]) {
    const page = await open(q);
    await allDrawn(page);
    const ink = await inkPerPlot(page);
    assert.deepEqual(Object.keys(ink).sort(), plots);
    for (const [k, v] of Object.entries(ink)) assert.ok(v > 0.01, `${q} ${k} looks blank (${v})`);
    await page.screenshot({ path: join(shots, q.split('&')[0].replace('=', '-') + '.png'), fullPage: true });
    const native = cli((await page.evaluate(() => window.lpuExplorer.get())).coreQuery);
    assert.deepEqual(native, await page.evaluate(() => window.lpuExplorer.get().result));
    await page.context().close();
  }
});

await test('a control change updates the URL and reruns', async () => {
  const page = await open('exp=flipflop&neurons=100');
  await allDrawn(page);
  const runs = await page.evaluate(() => window.__lpuTimings.runs);
  await page.fill('#ctl-neurons', '120');
  await page.dispatchEvent('#ctl-neurons', 'change');
  await page.waitForFunction((r) => window.__lpuTimings.runs > r, runs);
  await page.waitForURL(/neurons=120/);
  assert.equal(await page.evaluate(() => window.lpuExplorer.get().result.params.neurons), 120);
  // Out of range: named with its range, not applied, the page keeps working.
  await page.fill('#ctl-neurons', '5000000');
  await page.dispatchEvent('#ctl-neurons', 'change');
  const msg = await page.textContent('#messages');
  assert.match(msg, /neurons/);
  assert.match(msg, /1000000/);
  await page.waitForURL(/neurons=120/);
  await page.context().close();
});

await test('a bad link parameter shows its message, uses the default, applies the rest', async () => {
  const page = await open('exp=flipflop&bits=99&neurons=abc&seed=3&bogus=<img src=x onerror=alert(1)>');
  await allDrawn(page);
  const msg = await page.textContent('#messages');
  assert.match(msg, /bits: must be an integer in 1\.\.=8, got 99/);
  assert.match(msg, /neurons: must be an integer/);
  assert.match(msg, /bogus: unknown key/);
  assert.equal(await page.locator('#messages img').count(), 0, 'URL text must never become HTML');
  const p = await page.evaluate(() => window.lpuExplorer.get().result.params);
  assert.equal(p.bits, 2);
  assert.equal(p.neurons, 100);
  assert.equal(p.seed, 3);
  await page.context().close();
});

await test('a link over the browser memory limit says what to lower, and the rest of the link runs', async () => {
  // A full-rank JEDI fit of 500 neurons with 512 trials per minibatch would hold about 3 GiB in
  // the worker (each member's generated W and its gradient): refused before anything runs.
  const page = await open('exp=jedi&neurons=500&rank=0&hidden=4&repeats=200&duration=0.1&batch=512&epochs=10&refine=0&seed=4');
  await allDrawn(page, 240000);
  const msg = await page.textContent('#messages');
  assert.match(msg, /neurons: the run would hold about 3\.\d GiB of memory, more than the 1\.5 GiB a run may use in the browser: lower neurons, repeats, batch or hidden \(lpu run has no such limit\)/);
  const p = await page.evaluate(() => window.lpuExplorer.get().result.params);
  assert.equal(p.neurons, 100);
  assert.equal(p.batch, 512);
  assert.equal(p.seed, 4);
  await page.screenshot({ path: join(shots, 'memory-limit.png') });
  await page.context().close();
});

await test('embed mode shows one plot with minimal chrome and hides controls for a lesson', async () => {
  const page = await open('exp=flipflop&embed=1&plot=portrait&hide=noise,seed', { viewport: { width: 720, height: 640 } });
  await allDrawn(page);
  assert.equal(await page.locator('figure.plot').count(), 1);
  assert.equal(await page.isVisible('header.top'), false);
  assert.equal(await page.isVisible('.control[data-key="noise"]'), false);
  assert.equal(await page.isVisible('.control[data-key="bits"]'), true);
  await page.screenshot({ path: join(shots, 'embed.png') });
  await page.context().close();
  const main = await open('exp=flipflop');
  await allDrawn(main);
  await main.click('#copy-embed');
  const code = await main.evaluate(() => window.__lpuLastCopied);
  assert.match(code, /^<iframe src="[^"]*embed=1[^"]*"/);
  await main.context().close();
});

await test('dragging an input slider redraws the portrait live; clicking launches a trajectory', async () => {
  const page = await open('exp=flipflop&bits=2&neurons=100');
  await allDrawn(page);
  const before = await page.evaluate(() => window.__lpuTimings.portraitUpdates);
  for (let i = 1; i <= 20; i++) {
    await page.evaluate((v) => { const s = document.getElementById('ctl-input-0'); s.value = v; s.dispatchEvent(new Event('input')); }, (i * 0.02).toFixed(2));
    await page.waitForTimeout(20);
  }
  await page.waitForFunction((b) => window.__lpuTimings.portraitUpdates > b + 3, before);
  await page.waitForURL(/input=0\.4/);
  await page.dispatchEvent('#ctl-input-0', 'change');
  await page.waitForFunction(() => window.lpuExplorer.get().result.params.input.length === 1);
  const fps = await page.evaluate(() => window.lpuExplorer.get().result.result.fixed_points);
  assert.equal(fps.filter((p) => p.kind === 'stable').length, 2, 'input 0.4 on channel 1 leaves 2 attractors');
  const box = await page.locator('figure[data-plot="portrait"] img').boundingBox();
  const runs = await page.evaluate(() => window.__lpuTimings.runs);
  await page.mouse.click(box.x + box.width * 0.55, box.y + box.height * 0.4);
  await page.waitForFunction((r) => window.__lpuTimings.runs > r, runs);
  await page.waitForURL(/launch=/);
  const launched = await page.evaluate(() => window.lpuExplorer.get().result.result.launched);
  assert.ok(launched && launched.length > 10);
  await page.context().close();
});

for (const [how, where] of [['through the shared flag, keeping the worker', base], ['by replacing the worker on a host without isolation', `http://127.0.0.1:${server.address().port}${PLAIN}`]]) {
  await test('cancel stops a long run ' + how, async () => {
    const page = await open('exp=timescale&neurons=1000', { base: where });
    await allDrawn(page);
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    assert.equal(isolated, where === base);
    const runs = await page.evaluate(() => window.__lpuTimings.runs);
    const starts = await page.evaluate(() => window.__lpuTimings.workerStarts);
    await page.fill('#ctl-neurons', '1000000');
    await page.dispatchEvent('#ctl-neurons', 'change');
    await page.waitForFunction(() => !document.getElementById('cancel').disabled);
    await page.waitForTimeout(300);
    await page.click('#cancel');
    await page.waitForFunction(() => /Cancelled/.test(document.getElementById('status').textContent));
    assert.equal(await page.evaluate(() => window.__lpuTimings.runs), runs, 'the cancelled run must not finish');
    await page.fill('#ctl-neurons', '2000');
    await page.dispatchEvent('#ctl-neurons', 'change');
    await page.waitForFunction((r) => window.__lpuTimings.runs > r, runs);
    assert.equal(await page.evaluate(() => window.lpuExplorer.get().result.params.neurons), 2000);
    const after = await page.evaluate(() => window.__lpuTimings.workerStarts);
    if (isolated) {
      assert.equal(after, starts, 'a cancelled run must not cost the worker');
      // (≥ 1: the field's change event on blur can start, and cancel, one more run.)
      assert.ok((await page.evaluate(() => window.__lpuTimings.cleanStops)) >= 1, 'the core answered the cancel itself');
    }
    else assert.ok(after > starts, 'without isolation the worker is replaced');
    await page.context().close();
  });
}

await test('a panic inside the worker becomes a visible message and the page keeps working', async () => {
  const page = await open('exp=flipflop&neurons=50');
  await allDrawn(page);
  const err = await page.evaluate(() => window.lpuExplorer._panic().then(() => 'no error', (e) => e.message));
  assert.match(err, /panicked[\s\S]*deliberate panic/);
  assert.match(await page.textContent('#messages'), /deliberate panic/);
  const doc = await page.evaluate(() => window.lpuExplorer.run('exp=flipflop&bits=1&neurons=40'));
  assert.equal(doc.params.bits, 1);
  const set = await page.evaluate(() => window.lpuExplorer.set({ neurons: 60 }).then((d) => d.params.neurons));
  assert.equal(set, 60);
  await page.waitForURL(/neurons=60/);
  const bad = await page.evaluate(() => window.lpuExplorer.run('exp=flipflop&bits=0').then(() => 'ok', (e) => e.message));
  assert.match(bad, /bits: must be an integer in 1\.\.=8/);
  await page.context().close();
});

await test('exports: PNG, SVG, JSON, CSV and the network file download', async () => {
  const page = await open('exp=flipflop&neurons=40');
  await allDrawn(page);
  const grab = async (click) => {
    const [d] = await Promise.all([page.waitForEvent('download'), click()]);
    const path = await d.path();
    return { name: d.suggestedFilename(), body: await readFile(path) };
  };
  const svg = await grab(() => page.click('figure[data-plot="portrait"] button:has-text("SVG")'));
  assert.match(svg.body.toString(), /^<svg/);
  const png = await grab(() => page.click('figure[data-plot="portrait"] button:has-text("PNG")'));
  assert.deepEqual([...png.body.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  await page.click('#exports summary');
  const json = await grab(() => page.click('#export-json'));
  assert.equal(JSON.parse(json.body).format, 'lpu-result');
  const csv = await grab(() => page.click('#export-csv'));
  assert.match(csv.body.toString().split('\n')[0], /^time_s,input1,input2,target1,target2,z1,z2$/);
  const net = await grab(() => page.click('#export-network'));
  const nf = JSON.parse(net.body);
  assert.equal(nf.format, 'lpu-network');
  assert.equal(nf.neurons, 40);
  await page.context().close();
});

await test('phone width (375 px): no horizontal scrolling, plots drawn', async () => {
  const page = await open('exp=flipflop', { viewport: { width: 375, height: 800 } });
  await allDrawn(page);
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 376, 'page is ' + width + ' px wide');
  await page.screenshot({ path: join(shots, 'phone.png'), fullPage: true });
  await page.context().close();
});

await test('drift, sweep and stimulation views draw and match lpu run', async () => {
  const cases = [
    ['view=drift&kind=tangential&sigma=1&neurons=500', ['portrait_after', 'portrait_before', 'trajectory', 'tuning']],
    ['view=perturb&stimulate=redundant&duration=0.1', ['connectivity', 'stimulation']],
    ['view=partial&neurons=100000&observed=10,100,1000,10000,100000&repeats=10', ['error', 'full', 'repeats']],
    ['view=sweep&bits=2&neurons=100,300&points=5&runs=2&steps=200&after=400&score=200', ['accuracy', 'accuracy_observed', 'tolerable']],
    ['view=dimensionality&latent=4&neurons=20,100,300&scale=3&samples=300&scales=0.3,1,3&pairs=500', ['dimension', 'distances', 'spectrum']],
    ['view=sequence&neurons=16,32&ranks=1,2&runs=2&epochs=150&batch=8&trials=10', ['accuracy', 'dimension_neurons', 'dimension_rank', 'error', 'loss']],
  ];
  for (const [q, plots] of cases) {
    const page = await open(q);
    await allDrawn(page);
    const ink = await inkPerPlot(page);
    assert.deepEqual(Object.keys(ink).sort(), plots);
    for (const [k, v] of Object.entries(ink)) assert.ok(v > 0.01, `${q} ${k} looks blank (${v})`);
    const state = await page.evaluate(() => window.lpuExplorer.get());
    assert.deepEqual(cli(state.coreQuery), state.result, q + ': page and lpu run differ');
    if (q.startsWith('view=sweep')) assert.ok((await page.evaluate(() => window.__lpuTimings.poolSize)) >= 2, 'the sweep runs on a pool of workers');
    // The CSV export is the core's table of the main series, as `lpu run --format csv` gives it.
    await page.click('#exports summary');
    const [d] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = (await readFile(await d.path())).toString();
    assert.equal(csv.trim(), execFileSync(lpuBin, ['run', state.coreQuery, '--format', 'csv'], { encoding: 'utf8' }).trim(), q + ': CSV export');
    assert.ok(csv.split('\n').length > 3 && !/error:/.test(csv), q + ': CSV has rows');
    await page.screenshot({ path: join(shots, q.split('&')[0].replace('=', '-') + '.png'), fullPage: true });
    await page.context().close();
  }
});

// Eigenvalues come from faer, whose native build fuses multiply-adds: the page's numbers
// agree with lpu run's within 1e-9 of each array's largest magnitude instead of bit for bit.
function assertClose(a, b, path, scale = 0) {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(scale, Math.abs(a), 1), `${path}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, path + ': lengths');
    const big = a.flat().reduce((m, v) => (typeof v === 'number' ? Math.max(m, Math.abs(v)) : m), scale);
    a.forEach((v, i) => assertClose(v, b[i], `${path}[${i}]`, big));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a), Object.keys(b), path + ': keys');
    for (const k of Object.keys(a)) assertClose(a[k], b[k], `${path}.${k}`, scale);
  } else assert.deepEqual(a, b, path);
}

await test('spectrum, Lyapunov, chaos, fixed-point and JEDI views draw, match lpu run and export CSV', async () => {
  const cases = [
    ['view=spectrum&neurons=300&g=0.9&outlier=2.5', ['eigenvalues', 'moduli']],
    ['view=spectrum&source=flipflop&bits=2&neurons=200&g=0.5&matrix=jacobian&fixed_point=1', ['eigenvalues', 'moduli']],
    ['view=lyapunov&neurons=100&exponents=10&time=0.5', ['convergence', 'exponents']],
    ['view=chaos&neurons=80&points=5&sizes=40,80&time=0.3&warmup=0.2', ['dimension', 'exponents', 'lambda', 'sizes', 'variance']],
    ['view=fixed_points&source=flipflop&bits=2&neurons=100', ['eigenvalues', 'plane']],
    ['view=fixed_points&source=random&neurons=60&g=1.6&random_starts=24', ['eigenvalues', 'plane']],
    ['view=jedi&neurons=30&repeats=3&duration=1&epochs=150&refine=50', ['eigenvalues', 'embedding', 'example', 'fixed_points', 'generalisation', 'loss', 'lyapunov', 'probe', 'r2', 'robustness']],
    ['view=jedi_compare&neurons=20&repeats=3&duration=1&epochs=100&refine=30', ['accuracy', 'eigenvalues_full', 'eigenvalues_low', 'embedding_full', 'embedding_low', 'generalisation_full', 'generalisation_low', 'loss_full', 'loss_low', 'r2_full', 'r2_low', 'robustness']],
  ];
  for (const [q, plots] of cases) {
    const page = await open(q);
    await allDrawn(page);
    const ink = await inkPerPlot(page);
    assert.deepEqual(Object.keys(ink).sort(), plots);
    for (const [k, v] of Object.entries(ink)) assert.ok(v > 0.01, `${q} ${k} looks blank (${v})`);
    const state = await page.evaluate(() => window.lpuExplorer.get());
    assertClose(state.result, cli(state.coreQuery), q);
    await page.click('#exports summary');
    const [d] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = (await readFile(await d.path())).toString().trim().split('\n');
    const native = execFileSync(lpuBin, ['run', state.coreQuery, '--format', 'csv'], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(csv[0], native[0], q + ': CSV header');
    assert.equal(csv.length, native.length, q + ': CSV rows');
    const name = q.split('&')[0].replace('=', '-') + (q.includes('jacobian') ? '-jacobian' : '') + (q.includes('source=random') ? '-random' : '');
    // A view with a preset opens from its tab at that size (the comparison: a minute, not ten).
    const preset = await page.evaluate(() => window.wasmBindings.catalogue().views.find((v) => v.name === 'jedi_compare').preset);
    assert.match(preset, /neurons=50/);
    assert.equal(await page.locator(`#views a[href="?view=jedi_compare&${preset}"]`).count(), 1, 'the comparison tab carries its preset');
    await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
    await page.context().close();
  }
});

await test('dragging the g slider redraws the spectrum live; release applies it', async () => {
  const page = await open('exp=spectrum&neurons=200&g=1');
  await allDrawn(page);
  const before = await page.evaluate(() => window.__lpuTimings.portraitUpdates);
  for (let i = 1; i <= 20; i++) {
    await page.evaluate((v) => { const s = document.getElementById('ctl-g-slider'); s.value = v; s.dispatchEvent(new Event('input')); }, (1 + i * 0.05).toFixed(2));
    await page.waitForTimeout(20);
  }
  await page.waitForFunction((b) => window.__lpuTimings.portraitUpdates > b + 3, before);
  // The drawn plot is the live spectrum's: its disk has the dragged g as radius.
  const svg = await page.evaluate(() => fetch(document.querySelector('figure[data-plot="eigenvalues"] img').src).then((r) => r.text()));
  const radius = Number((/circular law: radius ([0-9.]+)/.exec(svg) || [])[1]);
  assert.ok(radius > 1.5, 'the live spectrum is for the dragged g: ' + radius);
  await page.dispatchEvent('#ctl-g-slider', 'change');
  await page.waitForURL(/g=2/);
  await page.context().close();
});

await test('dragging across the JEDI context plane analyses each point live; release applies it', async () => {
  const page = await open('exp=jedi&neurons=30&repeats=3&duration=1&epochs=100&refine=20');
  await allDrawn(page);
  const before = await page.evaluate(() => window.__lpuTimings.portraitUpdates);
  const box = await page.locator('figure[data-plot="embedding"] img').boundingBox();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
  await page.mouse.down();
  for (let i = 1; i <= 15; i++) {
    await page.mouse.move(box.x + box.width * (0.4 + i * 0.02), box.y + box.height * (0.5 - i * 0.01));
    await page.waitForTimeout(30);
  }
  await page.waitForFunction((b) => window.__lpuTimings.portraitUpdates > b + 2, before);
  const svg = await page.evaluate(() => fetch(document.querySelector('figure[data-plot="probe"] img').src).then((r) => r.text()));
  assert.ok(/Point \(/.test(svg) && /λ_max/.test(svg), 'the probe plot shows the dragged point');
  await page.mouse.up();
  await page.waitForURL(/probe=/);
  // The release runs the query with the point in it; the fit is kept, so only the analyses run.
  await page.waitForFunction(() => { const s = window.lpuExplorer.get(); return s.result && s.result.result.probe; }, null, { timeout: 60000 });
  await allDrawn(page);
  const state = await page.evaluate(() => window.lpuExplorer.get());
  assert.equal(state.result.result.probe.eigenvalues.length, 5, 'the applied probe is in the result');
  // Export gives the fitted model file, as `lpu run --model-out` writes it.
  await page.click('#exports summary');
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#exports button.file-export:text("Model file")')]);
  const model = JSON.parse((await readFile(await d.path())).toString());
  assert.equal(model.format, 'lpu-jedi');
  assert.equal(model.contexts.length, state.result.result.trial_condition.length);
  const [n] = await Promise.all([page.waitForEvent('download'), page.click('#exports button.file-export:text("Recording (.npy)")')]);
  const npy = await readFile(await n.path());
  assert.equal(npy.subarray(1, 6).toString(), 'NUMPY');
  await page.screenshot({ path: join(shots, 'jedi-explorer.png'), fullPage: true });
  // The model file, loaded into a fresh page (its own worker, no fit kept), opens its view on
  // the fitted model: the same losses and R² without fitting again, and the explorer works.
  const fresh = await open('exp=jedi&neurons=8&repeats=2&duration=0.2&epochs=2&hidden=4&context=2&refine=2');
  await allDrawn(fresh);
  await fresh.setInputFiles('#model-file', { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(model)) });
  await fresh.waitForFunction(() => /Loaded: JEDI rank 5 model of 18 trials/.test(document.getElementById('model-status').textContent));
  await fresh.waitForFunction(() => { const s = window.lpuExplorer.get(); return s.result && /neurons=30/.test(s.query) && s.result.result.finished; }, null, { timeout: 60000 });
  await allDrawn(fresh);
  const restored = await fresh.evaluate(() => window.lpuExplorer.get());
  assert.deepEqual(restored.result.result.loss, state.result.result.loss, 'the losses of the file');
  assert.deepEqual(restored.result.result.r2_test, state.result.result.r2_test, 'the held-out R² of the fit');
  const shown = await fresh.evaluate(() => window.__lpuTimings.portraitUpdates);
  const area = await fresh.locator('figure[data-plot="embedding"] img').boundingBox();
  await fresh.mouse.move(area.x + area.width * 0.5, area.y + area.height * 0.5);
  await fresh.mouse.down();
  await fresh.mouse.move(area.x + area.width * 0.6, area.y + area.height * 0.4, { steps: 5 });
  await fresh.waitForFunction((b) => window.__lpuTimings.portraitUpdates > b, shown);
  await fresh.mouse.up();
  await fresh.context().close();
  await page.context().close();
});

await test('recording files: bad ones get their messages, a good one fits as lpu run data=FILE does', async () => {
  const small = 'epochs=30&rank=2&hidden=8&context=3&refine=10';
  const page = await open(`exp=jedi&neurons=8&repeats=2&duration=0.2&${small}`);
  await allDrawn(page);
  const npyPath = join(shots, 'recording.npy');
  execFileSync(lpuBin, ['run', 'exp=jedi&neurons=10&repeats=3&duration=0.3&epochs=1&hidden=4&context=2&refine=1', '--data-out', npyPath]);
  const npy = await readFile(npyPath);
  const side = await readFile(join(shots, 'recording.json'));
  // A header claiming 100 × 1000 × 1000 float32 values, with no data.
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 1000, 1000), }";
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const huge = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, dict.length + pad + 1, 0]), Buffer.from(dict + ' '.repeat(pad) + '\n')]);
  const file = (name, buffer) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(buffer) });
  const cases = [
    [[file('notes.npy', '<b>not numpy</b>')], /not a NumPy \.npy file/],
    [[file('huge.npy', huge)], /100 000 000 values.*limit/],
    [[file('rec.npy', npy), file('labels.txt', 'a\nb\n')], /the labels give 2 labels but the array has 18 trials/],
    [[file('nan.csv', 'trial,time,neuron,value\n0,0,0,1\n0,1,0,nan\n1,0,0,1\n1,1,0,2\n')], /NaN or infinite, at trial 0/],
    [[file('flat.csv', '<b>a</b>,b\n1,2\n')], /no 'trial' column/],
  ];
  for (const [files, message] of cases) {
    await page.setInputFiles('#recording-file', files);
    await page.waitForFunction((n) => document.getElementById('messages').textContent.includes(n), files[0].name);
    const msg = await page.textContent('#messages');
    assert.match(msg, message, files[0].name + ': ' + msg);
    assert.equal(await page.locator('#messages b').count(), 0, 'file text must never become HTML');
    assert.match(await page.textContent('#recording-status'), /No recording loaded/);
  }
  // A good file with its sidecar: the view switches to it and fits; the link names it by hash.
  await page.setInputFiles('#recording-file', [file('recording.npy', npy), file('recording.json', side)]);
  await page.waitForFunction(() => /Loaded: 18 trials × 30 steps × 10 neurons, 6 conditions/.test(document.getElementById('recording-status').textContent));
  await page.waitForURL(/dataset=file.*data=[0-9a-f]{12}/);
  await page.waitForFunction(() => { const s = window.lpuExplorer.get(); return s.result && s.result.result.data && s.result.result.finished; }, null, { timeout: 120000 });
  await allDrawn(page);
  const state = await page.evaluate(() => window.lpuExplorer.get());
  assert.equal(await page.locator('#ctl-neurons').count(), 0, 'the teacher keys are hidden for a file');
  const native = cli(`${state.coreQuery}&data=${npyPath}`);
  assert.equal(state.result.result.data, native.result.data, 'the same file hash');
  assertClose(state.result.result.r2_train, native.result.r2_train, 'r2_train');
  assertClose(state.result.result.r2_test, native.result.r2_test, 'r2_test');
  await page.screenshot({ path: join(shots, 'jedi-recording.png'), fullPage: true });
  // The link opened elsewhere says which file it needs.
  const other = await open(new URL(page.url()).search.slice(1));
  await other.waitForFunction(() => /This link needs the file whose hash is [0-9a-f]{12}/.test(document.getElementById('messages').textContent));
  await other.context().close();
  await page.context().close();
});

await test('cancel stops a sweep on the worker pool', async () => {
  const page = await open('view=sweep&bits=2&neurons=100&points=3&runs=1&steps=100&after=200&score=100');
  await allDrawn(page);
  const runs = await page.evaluate(() => window.__lpuTimings.runs);
  await page.fill('#ctl-neurons', '20000,30000');
  await page.dispatchEvent('#ctl-neurons', 'change');
  await page.waitForFunction(() => !document.getElementById('cancel').disabled);
  await page.waitForTimeout(500);
  await page.click('#cancel');
  await page.waitForFunction(() => /Cancelled/.test(document.getElementById('status').textContent));
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__lpuTimings.runs), runs);
  await page.context().close();
});

await test('training shows its state as it learns, pauses and resumes to the bytes of lpu run', async () => {
  // The page is ready once its first run is done: start small, then ask for the long one.
  const page = await open('view=train&neurons=60&epochs=2&fit_epochs=2&batch=32&redraw=10');
  page.evaluate(() => { window.lpuExplorer.set({ epochs: 400, fit_epochs: 400 }).catch(() => {}); });
  // A picture of the state so far arrives before the end, and Pause appears with it.
  await page.waitForFunction(() => !document.getElementById('pause').hidden, null, { timeout: 60000 });
  await page.waitForFunction(() => /left/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
  await page.click('#pause');
  await page.waitForFunction(() => /Paused/.test(document.getElementById('status').textContent));
  const paused = await page.evaluate(() => window.lpuExplorer.get().result);
  assert.equal(paused.result.finished, false, 'the paused state is shown');
  assert.ok(paused.result.epochs_done > 0 && paused.result.epochs_done < 240, 'epochs done ' + paused.result.epochs_done);
  await page.screenshot({ path: join(shots, 'train-paused.png'), fullPage: true });
  await page.click('#pause'); // Resume
  await page.waitForFunction(() => /Done/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
  await allDrawn(page);
  const state = await page.evaluate(() => window.lpuExplorer.get());
  assert.equal(state.result.result.finished, true);
  assert.deepEqual(cli(state.coreQuery), state.result, 'a paused and resumed training equals lpu run');
  const ink = await inkPerPlot(page);
  for (const [k, v] of Object.entries(ink)) assert.ok(v > 0.01, `train ${k} looks blank (${v})`);
  await page.screenshot({ path: join(shots, 'train.png'), fullPage: true });
  // Opening the same link again in this browser is instant: the result is kept by its query.
  await page.reload();
  await page.waitForFunction(() => window.lpuExplorer);
  await page.evaluate(() => window.lpuExplorer.ready);
  await page.waitForFunction(() => /kept by this browser/.test(document.getElementById('status').textContent));
  assert.deepEqual(await page.evaluate(() => window.lpuExplorer.get().result), state.result, 'the kept result is the same document');
  // The trained network becomes the network of source=network, named by its hash in links.
  await page.click('#exports summary');
  await page.click('#use-network');
  await page.waitForFunction(() => /Loaded: 60 neurons, rank 2/.test(document.getElementById('network-status').textContent));
  // The other views open on it as source=trained: the link carries the training keys, the
  // worker still holds the training, and the result equals lpu run retraining from the link.
  await page.click('#views a[href="?view=flipflop"]');
  await page.waitForFunction(() => /Done/.test(document.getElementById('status').textContent), null, { timeout: 120000 });
  await allDrawn(page);
  const sent = await page.evaluate(() => window.lpuExplorer.get());
  assert.match(sent.query, /source=trained&.*train\.neurons=60/, sent.query);
  assert.match(sent.coreQuery, /train\.epochs=400&train\.fit_epochs=400/, sent.coreQuery);
  assert.equal(await page.locator('[id="ctl-train.neurons"]').inputValue(), '60', 'the training keys are controls');
  assert.deepEqual(cli(sent.coreQuery), sent.result, 'a view on a trained network equals lpu run of its link');
  await page.screenshot({ path: join(shots, 'flipflop-trained.png'), fullPage: true });
  // Dragging an input slider redraws the trained network's portrait live (no retraining).
  const before = await page.evaluate(() => window.__lpuTimings.portraitUpdates);
  for (let i = 1; i <= 10; i++) {
    await page.evaluate((v) => { const s = document.getElementById('ctl-input-0'); s.value = v; s.dispatchEvent(new Event('input')); }, (i * 0.03).toFixed(2));
    await page.waitForTimeout(30);
  }
  await page.waitForFunction((b) => window.__lpuTimings.portraitUpdates > b + 2, before, { timeout: 30000 });
  // Back to a designed network: the training keys leave the link and the controls.
  await page.click('#controls details.more summary');
  await page.selectOption('#ctl-source', 'designed');
  await page.waitForFunction(() => !/train\./.test(window.lpuExplorer.get().query));
  assert.equal(await page.locator('[id="ctl-train.neurons"]').count(), 0);
  assert.doesNotMatch(await page.evaluate(() => window.lpuExplorer.get().query), /train\./);
  await page.context().close();
});

await test('bad network files get their messages and the page stays usable', async () => {
  const page = await open('exp=flipflop&bits=1&neurons=20');
  await allDrawn(page);
  const file = join(shots, 'small-network.json');
  execFileSync(lpuBin, ['run', 'exp=flipflop&bits=1&neurons=4', '--network-out', file]);
  const good = (await readFile(file)).toString();
  const cases = [
    ['notes.json', 'this is <b>not</b> json', /not JSON/],
    ['other.json', '{"format":"lpu-result","version":1}', /format must be "lpu-network"/],
    ['v9.json', good.replace('"version":2', '"version":9'), /version must be 1 or 2/],
    ['sizes.json', good.replace('"neurons":4', '"neurons":5'), /must have 5 rows/],
    ['inf.json', good.replace('"bias":[', '"bias":[1e999,'), /not a finite number/],
  ];
  for (const [name, text, message] of cases) {
    await page.setInputFiles('#network-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction((n) => document.getElementById('messages').textContent.includes(n), name);
    const msg = await page.textContent('#messages');
    assert.match(msg, message, name + ': ' + msg);
    assert.equal(await page.locator('#messages b').count(), 0, 'file text must never become HTML');
  }
  // Still usable: a good file loads, and a run goes on.
  await page.setInputFiles('#network-file', { name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(good) });
  await page.waitForFunction(() => /Loaded: 4 neurons/.test(document.getElementById('network-status').textContent));
  await page.click('#run');
  await page.waitForFunction(() => /Done/.test(document.getElementById('status').textContent));
  await page.context().close();
});

await test('fixed points of a loaded network file match lpu run --network-in', async () => {
  // W = 2I on three neurons: 3³ = 27 fixed points (each rate at 0 or ±r*, r* = tanh(2r*)).
  const n = 3;
  const net = {
    format: 'lpu-network', version: 2, neurons: n, rank: 0, inputs: 0, tau: 0.01, dt: 0.001, nonlinearity: 'tanh',
    embedding: [[], [], []], encoding: [[], [], []], input: [[], [], []], bias: [0, 0, 0],
    random: [[2, 0, 0], [0, 2, 0], [0, 0, 2]], model: 'rate', readout: null,
  };
  const text = JSON.stringify(net);
  const file = join(shots, 'diagonal-network.json');
  await writeFile(file, text);
  const page = await open('view=fixed_points&source=network&random_starts=400&extent=1');
  await page.setInputFiles('#network-file', { name: 'diagonal.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.waitForFunction(() => /Loaded: 3 neurons/.test(document.getElementById('network-status').textContent));
  await page.click('#run');
  await page.waitForFunction(() => /Done/.test(document.getElementById('status').textContent));
  await allDrawn(page);
  const state = await page.evaluate(() => window.lpuExplorer.get());
  const points = state.result.result.fixed_points;
  const count = (k) => points.filter((f) => f.kind === k).length;
  assert.deepEqual([points.length, count('stable'), count('saddle'), count('unstable')], [27, 8, 18, 1]);
  const native = JSON.parse(execFileSync(lpuBin, ['run', state.coreQuery, '--network-in', file], { encoding: 'utf8' }));
  assertClose(state.result, native, 'loaded network');
  const ink = await inkPerPlot(page);
  for (const [k, v] of Object.entries(ink)) assert.ok(v > 0.01, `fixed points of a file: ${k} looks blank (${v})`);
  await page.screenshot({ path: join(shots, 'fixed_points-network.png'), fullPage: true });
  await page.context().close();
});

await test('WebGPU (--enable-unsafe-webgpu): backend=gpu simulates and trains on the GPU within the contract of lpu run on the CPU', async () => {
  const gpuBrowser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await (await gpuBrowser.newContext()).newPage();
    await page.goto(base + '?exp=timescale');
    await page.waitForFunction(() => window.lpuExplorer, null, { timeout: 30000 });
    await page.evaluate(() => window.lpuExplorer.ready);
    const q = 'exp=flipflop&bits=2&neurons=20000&steps=500&seed=3';
    const doc = await page.evaluate((q) => window.lpuExplorer.run(q), q + '&backend=gpu');
    assert.equal(doc.backend.ran, 'gpu', JSON.stringify(doc.backend));
    const cpu = cli(q);
    const a = doc.result.latent.flat(), b = cpu.result.latent.flat();
    const scale = Math.max(...b.map(Math.abs));
    const err = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert.ok(err <= 1e-3 * scale, `latent off by ${err} (scale ${scale})`);
    assert.equal(doc.result.accuracy, cpu.result.accuracy);
    assert.equal(doc.result.fixed_points.length, cpu.result.fixed_points.length);
    // Training on WebGPU: the first minibatch's loss (before any step) is the CPU's within 1e-4.
    const tq = 'exp=train&neurons=12&epochs=3&fit_epochs=2&batch=4&steps=20&test_trials=2';
    const trained = await page.evaluate((q) => window.lpuExplorer.run(q), tq + '&backend=gpu');
    assert.equal(trained.backend.ran, 'gpu', JSON.stringify(trained.backend));
    assert.equal(trained.backend.training, true);
    const cpuTrained = cli(tq);
    const [lg, lc] = [trained.result.loss[0].loss[0], cpuTrained.result.loss[0].loss[0]];
    assert.ok(Math.abs(lg - lc) <= 1e-4 * lc, `first loss ${lg} against the CPU's ${lc}`);
    assert.equal(trained.result.loss.map((c) => c.loss.length).join(), '3,2');
  } finally {
    await gpuBrowser.close();
  }
});

await test('without WebGPU, backend=gpu runs on the CPU and the document says why', async () => {
  const page = await open('exp=timescale');
  const doc = await page.evaluate(() => window.lpuExplorer.run('exp=flipflop&bits=1&neurons=200&steps=100&backend=gpu'));
  assert.equal(doc.backend.ran, 'cpu');
  assert.match(doc.backend.note, /no GPU/);
});

await test('no console errors anywhere', async () => {
  const real = consoleErrors.filter((e) => !/deliberate panic/.test(e));
  assert.deepEqual(real, []);
});

await browser.close();
server.close();
console.log(failures ? `${failures} browser test(s) failed` : 'all browser tests passed');
process.exit(failures ? 1 : 0);
