// The web worker: loads the core (worker.js / worker_bg.wasm, built by Trunk) and answers the
// page's typed requests off its thread (src/protocol.rs). A panic is reported as a fatal
// failure, and the page replaces this worker.
//
// WebGPU answers only from the event loop, while a run is one synchronous call into the core.
// Where the browser has WebAssembly JSPI, the core's `lpuYield` import suspends the run until
// the next task (so WebGPU's callbacks run), and `handle` returns a promise: runs are then
// taken one at a time, in order. Elsewhere every run is on the CPU.
const jspi = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
self.lpuGpuMissing = () => {
  if (!('gpu' in navigator)) return 'this browser has no WebGPU';
  if (!jspi) return 'this browser cannot pause a run to wait for WebGPU (no WebAssembly JSPI)';
  return '';
};
self.lpuYield = () => { throw new Error('lpuYield is only called through JSPI'); };
let running = null; // the promise of the run in flight, under JSPI
if (jspi) {
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  const suspendable = (imports) => {
    for (const space of Object.values(imports)) {
      for (const name of Object.keys(space)) {
        if (name.startsWith('__wbg_lpuYield_')) space[name] = new WebAssembly.Suspending(nextTask);
      }
    }
    return imports;
  };
  const promising = (instance) => {
    const exports = Object.assign({}, instance.exports);
    const run = WebAssembly.promising(instance.exports.handle);
    exports.handle = (...args) => { running = run(...args); };
    const wrapped = Object.create(WebAssembly.Instance.prototype);
    Object.defineProperty(wrapped, 'exports', { value: exports });
    return wrapped;
  };
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const streaming = WebAssembly.instantiateStreaming && WebAssembly.instantiateStreaming.bind(WebAssembly);
  WebAssembly.instantiate = async (source, imports) => {
    const made = await instantiate(source, suspendable(imports));
    return made instanceof WebAssembly.Instance ? promising(made) : { module: made.module, instance: promising(made.instance) };
  };
  if (streaming) {
    WebAssembly.instantiateStreaming = async (source, imports) => {
      const made = await streaming(source, suspendable(imports));
      return { module: made.module, instance: promising(made.instance) };
    };
  }
}
importScripts('./worker.js');
const ready = wasm_bindgen({ module_or_path: './worker_bg.wasm' });
// Requests with an id up to the flag's value are cancelled (shared with the page when it is
// cross-origin isolated).
let flag = null;

let queue = Promise.resolve();

self.onmessage = (event) => {
  const msg = event.data || {};
  if (msg.cancelFlag) { flag = new Int32Array(msg.cancelFlag); return; }
  queue = queue.then(() => answer(msg));
};

async function answer({ id, request }) {
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
    if (running) { const run = running; running = null; await run; }
  } catch (err) {
    running = null;
    let reply;
    try { reply = wasm_bindgen.panic_reply(id, String(err)); } catch (_) { /* the instance is gone */ }
    self.postMessage(reply || { type: 'failed', id, error: { kind: 'panic', message: String(err), fatal: true } });
  }
}
