// The web worker: loads the core (worker.js / worker_bg.wasm, built by Trunk) and answers the
// page's typed requests off its thread (src/protocol.rs). A panic is reported as a fatal
// failure, and the page replaces this worker.
importScripts('./worker.js');
const ready = wasm_bindgen('./worker_bg.wasm');
// Requests with an id up to the flag's value are cancelled (shared with the page when it is
// cross-origin isolated).
let flag = null;

self.onmessage = async (event) => {
  const msg = event.data || {};
  if (msg.cancelFlag) { flag = new Int32Array(msg.cancelFlag); return; }
  const { id, request } = msg;
  try {
    await ready;
  } catch (err) {
    self.postMessage({ type: 'failed', id, error: { kind: 'panic', message: 'could not load the core: ' + err, fatal: true } });
    return;
  }
  let last = 0;
  const progress = (f) => {
    const now = Date.now();
    if (now - last > 50 || f >= 1) { last = now; self.postMessage({ type: 'progress', id, value: f }); }
  };
  const cancelled = () => flag !== null && Atomics.load(flag, 0) >= id;
  try {
    wasm_bindgen.handle(id, request, progress, cancelled, (reply) => self.postMessage(reply));
  } catch (err) {
    let reply;
    try { reply = wasm_bindgen.panic_reply(id, String(err)); } catch (_) { /* the instance is gone */ }
    self.postMessage(reply || { type: 'failed', id, error: { kind: 'panic', message: String(err), fatal: true } });
  }
};
