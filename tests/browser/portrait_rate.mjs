// Portrait updates per second while an input slider moves (60 input events per second for
// 3 s) on the designed 2-bit flip-flop at N = 1000, in headless Chromium, for one or more
// builds interleaved 3 times (issue 13's target: at least 20 per second):
//   node tests/browser/portrait_rate.mjs dist [other-dist …]
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { sliderRate } from './slider_rate.mjs';
import { resolve } from 'node:path';
const dists = process.argv.slice(2).map((d) => resolve(d));
if (dists.length === 0) dists.push(resolve('dist'));
const servers = [];
for (const d of dists) servers.push(await serve(d));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
const res = dists.map(() => []);
for (let rep = 0; rep < 3; rep++) {
  for (let di = 0; di < dists.length; di++) {
    const base = servers[di].url;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(base + `?exp=flipflop&bits=2&neurons=1000&seed=7`);
    await page.waitForFunction(() => window.__lpuTimings && window.__lpuTimings.firstPortrait !== null, null, { timeout: 60000 });
    await page.waitForTimeout(500);
    const rate = await sliderRate(page);
    res[di].push(rate);
    await ctx.close();
  }
}
dists.forEach((d, i) => { const r = res[i].slice().sort((a, b) => a - b); console.log(`${d}: portrait updates per second at N = 1000: ${r.map((x) => x.toFixed(1)).join(', ')} (median ${r[1].toFixed(1)})`); });
await browser.close();
for (const s of servers) s.server.close();
process.exit(0);
