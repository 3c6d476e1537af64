// Portrait updates per second while a hand moves the first input slider: 60 input events per
// second for 3 s, then 0.3 s for the last update to land (budget.mjs, portrait_rate.mjs).
export async function sliderRate(page) {
  return page.evaluate(async () => {
    const s = document.getElementById('ctl-input-0');
    const start = window.__lpuTimings.portraitUpdates;
    const t0 = performance.now();
    let i = 0;
    while (performance.now() - t0 < 3000) {
      s.value = (0.6 * Math.sin(i++ / 20)).toFixed(2);
      s.dispatchEvent(new Event('input'));
      await new Promise((r) => setTimeout(r, 1000 / 60));
    }
    await new Promise((r) => setTimeout(r, 300));
    return (window.__lpuTimings.portraitUpdates - start) / ((performance.now() - t0) / 1000);
  });
}
