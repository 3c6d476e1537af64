// Times the default JEDI fit in headless Chromium (a benchmark that prints figures; not a test).
// Usage: trunk build --release && node tests/browser/jedi_time.mjs dist ["exp=jedi&…"]
// Prints: seconds from pressing Run to the finished result, and the mean held-out R².
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { resolve } from 'node:path';

const dist = resolve(process.argv[2] || 'dist');
const query = process.argv[3] || 'exp=jedi';
const { server, url } = await serve(dist);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
const page = await (await browser.newContext()).newPage();
const t0 = Date.now();
await page.goto(`${url}?${query}`);
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
