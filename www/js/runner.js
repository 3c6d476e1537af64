// The page's side of the worker protocol (src/protocol.rs): typed requests, progress, and one
// error path — every failure rejects the request's Promise with an Error whose `kind` is the
// core's (param, cancelled, failed, panic, protocol).
//
// Cancelling: when the page is cross-origin isolated, each worker shares a cancel flag
// (SharedArrayBuffer) that the core reads between chunks of work, so a cancelled run stops
// cleanly and the worker, with its state, stays. Without isolation (a host that cannot send
// the COOP/COEP headers) the worker is stopped and replaced, as a last resort.

export const timings = (window.__lpuTimings = window.__lpuTimings || { firstPortrait: null, portraitUpdates: 0, runs: 0, workerStarts: 0 });

function cancelledError() {
  const err = new Error('cancelled');
  err.kind = 'cancelled';
  err.cancelled = true;
  return err;
}

/** How long a cancelled request may take to stop before its worker is replaced. */
const STOP_MS = 5000;

export class Runner {
  constructor() {
    this.seq = 0;
    this.pending = new Map();
    // Cancelled requests the worker has not answered yet, and the timer that replaces the
    // worker if it does not stop in time (a long stretch of work with no checkpoint).
    this.stopping = new Set();
    this.watchdog = null;
    this.flag = self.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
    // Requests a fresh worker gets before any other (a loaded network file), so that replacing
    // the worker loses nothing the user gave it.
    this.setup = new Map();
    this.spawn();
  }
  spawn() {
    timings.workerStarts++;
    this.worker = new Worker('./worker-main.js');
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.fail('the worker failed to start: ' + (e.message || 'unknown error'));
    };
    if (this.flag) this.worker.postMessage({ cancelFlag: this.flag.buffer });
    for (const request of this.setup.values()) this.request(request).catch(() => {});
  }
  /** Sends `request` now and again to every worker that replaces this one. */
  remember(name, request) {
    this.setup.set(name, request);
    return this.request(request);
  }
  receive(msg) {
    if (msg.type !== 'progress' && this.stopping.delete(msg.id) && msg.error && msg.error.kind === 'cancelled') timings.cleanStops = (timings.cleanStops || 0) + 1;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') { if (p.onProgress) p.onProgress(msg.value); return; }
    if (msg.type === 'partial') { if (p.onPartial) p.onPartial(msg.text); return; }
    this.pending.delete(msg.id);
    if (msg.type === 'done') { p.resolve(msg.text); return; }
    const err = new Error(msg.error.message);
    err.kind = msg.error.kind;
    err.cancelled = msg.error.kind === 'cancelled';
    p.reject(err);
    if (msg.error.fatal) this.fail('the worker stopped: ' + msg.error.message);
  }
  fail(message) {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    this.restart();
  }
  restart() {
    clearTimeout(this.watchdog);
    this.stopping.clear();
    this.worker.terminate();
    this.spawn();
  }
  /** Sends a request (`{kind: 'run', query}`, …); resolves with the answer's text. */
  request(request, onProgress, onPartial) {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, onPartial, kind: request.kind });
      this.worker.postMessage({ id, request });
    });
  }
  busyWith(kind) { for (const p of this.pending.values()) if (p.kind === kind) return true; return false; }
  /**
   * Cancels every pending request: cleanly through the shared flag, else (or when the worker
   * has not stopped within STOP_MS) by replacing the worker. An idle worker is left alone.
   */
  cancel() {
    if (this.pending.size === 0) return;
    for (const [id, p] of this.pending) { p.reject(cancelledError()); this.stopping.add(id); }
    this.pending.clear();
    if (!this.flag) { this.restart(); return; }
    Atomics.store(this.flag, 0, this.seq);
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => { if (this.stopping.size) this.restart(); }, STOP_MS);
  }
}

/** Runs the parts of a split query on a pool of runners; resolves with their result texts in order. */
export class Pool {
  constructor() { this.runners = []; }
  run(parts, onProgress) {
    const jobs = parts.map((p, i) => ({ ...p, i, progress: 0, text: null }));
    const order = [...jobs].sort((a, b) => b.cost - a.cost); // the largest parts first
    const size = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8, jobs.length));
    while (this.runners.length < size) this.runners.push(new Runner());
    const total = jobs.reduce((s, j) => s + j.cost, 0) || 1;
    const report = () => onProgress(jobs.reduce((s, j) => s + j.cost * j.progress, 0) / total);
    let next = 0;
    const work = (r) => {
      if (next >= order.length) return Promise.resolve();
      const job = order[next++];
      return r.request({ kind: 'run', query: job.query }, (f) => { job.progress = f; report(); }).then((text) => {
        job.text = text; job.progress = 1; report();
        return work(r);
      });
    };
    timings.poolSize = size;
    return Promise.all(this.runners.slice(0, size).map(work)).then(() => jobs.map((j) => j.text));
  }
  cancel() { for (const r of this.runners) r.cancel(); }
}
