// The web worker: loads the core (worker.js / worker_bg.wasm, built by Trunk) and runs the
// page's requests off its thread. A panic is reported, and the page replaces this worker.
importScripts('./worker.js');
const ready = wasm_bindgen('./worker_bg.wasm');

self.onmessage = async (event) => {
  const { id, kind, query } = event.data || {};
  try {
    await ready;
  } catch (err) {
    self.postMessage({ id, type: 'error', message: 'could not load the core: ' + err, fatal: true });
    return;
  }
  try {
    let text = '';
    if (kind === 'run') {
      let last = 0;
      text = wasm_bindgen.run(String(query), (f) => {
        const now = Date.now();
        if (now - last > 50 || f >= 1) { last = now; self.postMessage({ id, type: 'progress', value: f }); }
      });
    } else if (kind === 'portrait') {
      text = wasm_bindgen.portrait(String(query));
    } else if (kind === 'network') {
      text = wasm_bindgen.network_file();
    } else if (kind === 'panic') {
      wasm_bindgen.debug_panic();
    } else {
      throw new Error('unknown request ' + kind);
    }
    self.postMessage({ id, type: 'done', text });
  } catch (err) {
    let panic = '';
    try { panic = wasm_bindgen.last_panic(); } catch (_) { /* the instance is gone */ }
    self.postMessage({ id, type: 'error', message: panic ? 'the core panicked: ' + panic : String(err), fatal: true });
  }
};
