// LPU Explorer page: share links, controls, the worker, plots, the player, exports and the JS
// API. The Rust core does the science and knows every experiment: the page wasm
// (window.wasmBindings) parses links, describes experiments and views, and holds result
// documents typed to draw, tabulate and summarise them; workers run experiments. This script
// names no experiment, no parameter and no plot.

import { $, el, showMessage, clearMessages, download, copyText } from './dom.js';
import { Runner, Pool, timings } from './runner.js';
import { buildControls, dependents, applies } from './controls.js';
import { buildFigures, drawFigure } from './plots.js';
import { Player } from './player.js';
import { Uploads } from './uploads.js';

let wasm = null;
let catalogue = null;
const state = {
  exp: null, view: null, values: {}, viewOpts: { embed: false, hide: [], plot: null },
  doc: null, docObject: null, lastGood: null, busy: false,
  paused: false,
  // The training keys (prefixed) of a trained network sent to the other views, or null.
  sentTraining: null,
};
const listeners = { result: [] };
let figures = [];
let runner = null;
// The files loaded into the page (a network file, a recording), named in links by hash.
let uploads = null;
let apiRunner = null;
const pool = new Pool();
let player = null;

// ---------- the catalogue ----------
const entryOf = (exp) => catalogue.experiments.find((e) => e.name === exp);
const specsOf = (exp) => entryOf(exp).params;
const viewOf = (name) => catalogue.views.find((v) => v.name === name);
const homeView = (exp) => catalogue.views.find((v) => v.experiment === exp);
const plotsOf = (view) => view.plots.map((n) => entryOf(view.experiment).plots.find((p) => p.name === n));

// ---------- links ----------
function encodeValue(v) { return encodeURIComponent(v).replace(/%2C/gi, ','); }
function buildQuery(exp, values) {
  const parts = ['exp=' + exp];
  for (const s of specsOf(exp)) if (values[s.key] !== undefined && values[s.key] !== s.default && applies(s, values)) parts.push(s.key + '=' + encodeValue(values[s.key]));
  return parts.join('&');
}
// A readable link: version, experiment, the keys that differ from their defaults, view state.
function shareQuery() {
  let q = 'v=' + catalogue.query_version + '&' + buildQuery(state.exp, state.values);
  const view = [];
  if (state.view !== homeView(state.exp).name) view.push('view=' + state.view);
  if (state.viewOpts.embed) view.push('embed=1');
  if (state.viewOpts.hide.length) view.push('hide=' + state.viewOpts.hide.join(','));
  if (state.viewOpts.plot) view.push('plot=' + state.viewOpts.plot);
  view.push(...uploads.linkKeys(state.values));
  if (view.length) q += '&' + view.join('&');
  return q;
}
function shareUrl(extra) {
  const u = new URL(location.href);
  u.search = '?' + shareQuery() + (extra || '');
  u.hash = '';
  return u.toString();
}
// Browsers throttle the history API, so a dragged slider writes the URL at most 4 times a
// second (the last position always lands).
let urlTimer = null, urlLast = 0;
function updateUrl() {
  clearTimeout(urlTimer);
  const write = () => {
    urlLast = performance.now();
    try { history.replaceState(null, '', '?' + shareQuery()); } catch (_) { /* sandboxed iframes may refuse */ }
  };
  const wait = 250 - (performance.now() - urlLast);
  if (wait <= 0) write();
  else urlTimer = setTimeout(write, wait);
}
// Whether the current query runs on a file loaded in the page (the core says which keys and
// values ask for one): its result depends on more than the link, so the browser keeps none.
function usesUpload() { return uploads.inUse(state.values).length > 0; }
// The core's canonical query for the current state (what the worker and `lpu run` get).
function coreQuery() { return wasm.parse(buildQuery(state.exp, state.values)).query; }

// Applies a link: bad parameters are reported and fall back to their defaults.
function applyLink(query) {
  const link = wasm.parse(query);
  clearMessages('link');
  for (const e of link.errors) showMessage('Link parameter ' + e.message + ' — using the default instead.', 'warn', 'link');
  const fallback = catalogue.experiments[0].name;
  if (!link.experiment) Object.assign(link, { experiment: fallback, values: wasm.parse('exp=' + fallback).values });
  if (!homeView(link.experiment)) {
    showMessage(`exp=${link.experiment} has no view on this page yet; run it with lpu run. Showing ${entryOf(fallback).title} instead.`, 'warn', 'link');
    Object.assign(link, { experiment: fallback, values: wasm.parse('exp=' + fallback).values, view: {} });
  }
  state.exp = link.experiment;
  state.values = link.values;
  const v = link.view || {};
  const asked = v.view && viewOf(v.view);
  state.view = asked && asked.experiment === state.exp ? asked.name : homeView(state.exp).name;
  if (v.view && v.view !== state.view) showMessage(`Link parameter view: "${v.view}" does not show exp=${state.exp}; showing ${viewOf(state.view).label}.`, 'warn', 'link');
  state.viewOpts = { embed: !!v.embed, hide: v.hide || [], plot: v.plot || null };
  uploads.fromLink(v);
  const names = viewOf(state.view).plots;
  if (state.viewOpts.plot && !names.includes(state.viewOpts.plot)) {
    showMessage(`Link parameter plot: "${state.viewOpts.plot}" is not a plot of this view (one of ${names.join(', ')}); showing all.`, 'warn', 'link');
    state.viewOpts.plot = null;
  }
  return link.errors.length === 0;
}

// ---------- controls ----------
const hidden = (key) => state.viewOpts.hide.includes(key);
function renderControls() {
  buildControls($('controls'), specsOf(state.exp), viewOf(state.view), state.values, hidden, { onChange: setValue, onLive: liveValue });
  $('panel').classList.toggle('hidden-by-link', hidden('controls'));
  for (const id of ['run-bar', 'player', 'exports']) $(id).classList.toggle('hidden-by-link', hidden(id.replace('-bar', '')));
}

// A control changed: the core validates it. A bad value is named with its range and not
// applied; a key the change invalidates elsewhere (say, a list whose length must match) is put
// back to its default, and the page says so.
function setValue(key, text) {
  const trial = Object.assign({}, state.values, { [key]: text });
  const link = wasm.parse(buildQuery(state.exp, trial));
  clearMessages('control');
  for (const c of document.querySelectorAll('.control.invalid')) c.classList.remove('invalid');
  const own = link.errors.filter((e) => e.key === key);
  for (const e of own) {
    showMessage('Not applied: ' + e.message, 'error', 'control');
    const c = document.querySelector(`.control[data-key="${CSS.escape(e.key)}"]`);
    if (c) c.classList.add('invalid');
  }
  if (own.length) return;
  for (const e of link.errors) showMessage(`Reset to its default: ${e.message}`, 'info', 'control');
  const rebuild = dependents(specsOf(state.exp), key).length > 0 || link.errors.length > 0;
  state.values = link.values;
  if (rebuild) renderControls();
  updateUrl();
  run().catch(() => {}); // failures are shown on the page
}

// Live updates while a slider moves: at most one request in flight, latest wins.
let liveWanted = null;
let liveInFlight = false;
function liveValue(key, text) {
  state.values = Object.assign({}, state.values, { [key]: text });
  updateUrl();
  if (!state.doc) return;
  liveWanted = coreQuery();
  pumpLive();
}
function pumpLive() {
  if (liveInFlight || liveWanted === null) return;
  const query = liveWanted;
  liveWanted = null;
  liveInFlight = true;
  runner.request({ kind: 'live', query })
    .then((text) => {
      // Ask for the next update before drawing this one, so worker and page overlap.
      liveInFlight = false;
      pumpLive();
      if (!state.doc) return;
      state.doc.apply_live(text);
      timings.portraitUpdates++;
      for (const f of figures) if (f.live) drawFigure(f, state.doc, player.upto, fitOne());
    })
    .catch(() => { liveInFlight = false; pumpLive(); });
}

// ---------- running ----------
let runSeq = 0;
let progressTimer = null;
function setBusy(busy) {
  state.busy = busy;
  $('cancel').disabled = !busy;
  clearTimeout(progressTimer);
  if (busy) progressTimer = setTimeout(() => { $('progress').hidden = false; }, 150);
  else { $('progress').hidden = true; $('progress').value = 0; }
}

function execute(query, onProgress, onPartial) {
  const parts = wasm.split(query);
  if (!parts.length) return runner.request({ kind: 'run', query }, onProgress, onPartial);
  // Split across a pool of workers (one per core); the core merges the parts into the
  // document the whole query gives, as `lpu run` does.
  return pool.run(parts, onProgress).then((texts) => wasm.merge(query, texts));
}

// Shows a result document: the finished one, or one published while the run goes on.
function showDoc(text) {
  const doc = new wasm.Doc(text);
  if (state.doc) state.doc.free();
  state.doc = doc;
  state.docObject = JSON.parse(text);
  state.lastGood = text;
  player.load(doc.timeline());
  $('summary').textContent = doc.summary();
  drawAll();
}

// Results of slow runs, kept in this browser by canonical query: a run is a pure function of
// its query, so opening the same link again (a trained network, a long sweep) is instant.
const CACHE_KEY = 'lpu-results-v1';
const CACHE_ENTRIES = 8, CACHE_MAX_CHARS = 1_500_000, CACHE_MIN_MS = 1000;
function cacheRead() { try { return JSON.parse(localStorage.getItem(CACHE_KEY)) || []; } catch (_) { return []; } }
function cacheGet(query) { const hit = cacheRead().find((e) => e.query === query); return hit ? hit.text : null; }
function cachePut(query, text) {
  if (text.length > CACHE_MAX_CHARS) return;
  const entries = [{ query, text }, ...cacheRead().filter((e) => e.query !== query)];
  while (entries.length) {
    try { localStorage.setItem(CACHE_KEY, JSON.stringify(entries.slice(0, CACHE_ENTRIES))); return; } catch (_) { entries.pop(); }
  }
}

function timeLeft(seconds) {
  if (!isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return ` — about ${Math.max(1, Math.round(seconds))} s left`;
  return ` — about ${Math.round(seconds / 60)} min left`;
}

function run() {
  const query = coreQuery();
  const id = ++runSeq;
  if (runner.busyWith('run')) runner.cancel(); // the new run supersedes the old one
  pool.cancel();
  setBusy(true);
  state.paused = false;
  $('pause').hidden = true;
  $('pause').textContent = 'Pause';
  $('status').textContent = 'Running…';
  const t0 = performance.now();
  let first = null; // the first progress report: a resumed run starts past 0
  const onProgress = (f) => {
    if (id !== runSeq) return;
    $('progress').value = f;
    const now = performance.now();
    if (!first) first = { f, t: now };
    const rate = (f - first.f) / ((now - first.t) / 1000);
    const eta = rate > 0 && now - first.t > 500 ? timeLeft((1 - f) / rate) : '';
    $('status').textContent = `Running… ${Math.round(f * 100)}%${eta}`;
  };
  // A run that shows its state as it goes (training) can be paused: the worker keeps the
  // state, and running the same query again resumes it.
  const onPartial = (text) => {
    if (id !== runSeq) return;
    $('pause').hidden = false;
    try { showDoc(text); } catch (err) { showMessage('Could not show the run so far: ' + err.message, 'error', 'run'); }
  };
  const cached = usesUpload() ? null : cacheGet(query);
  // A throw inside the core becomes this run's failure, not a page stuck on "Running…".
  return Promise.resolve()
    .then(() => cached || execute(query, onProgress, onPartial))
    .then((text) => {
      if (id !== runSeq) return null;
      showDoc(text);
      timings.runs++;
      clearMessages('run');
      timings.lastRunMs = performance.now() - t0;
      if (!cached && timings.lastRunMs >= CACHE_MIN_MS) cachePut(query, text);
      $('status').textContent = cached
        ? 'Done — the result of this link, kept by this browser (the same link always gives the same bytes)'
        : `Done in ${Math.round(timings.lastRunMs)} ms`;
      timings.cached = !!cached;
      $('pause').hidden = true;
      for (const f of listeners.result) try { f(state.docObject); } catch (_) { /* a listener's bug is its own */ }
      return state.docObject;
    })
    .catch((err) => {
      // A superseded or cancelled run says nothing: its successor (or cancel()) has the status.
      if (id !== runSeq || err.cancelled) throw err;
      pool.cancel();
      $('status').textContent = 'Failed';
      clearMessages('run');
      showMessage('The run failed: ' + (err.message || err) + '. The page keeps the last result; change a parameter to try again.', 'error', 'run');
      throw err;
    })
    .finally(() => { if (id === runSeq) setBusy(false); });
}

function cancel() {
  runSeq++;
  runner.cancel();
  pool.cancel();
  setBusy(false);
  $('pause').hidden = true;
  $('status').textContent = 'Cancelled — the plots show the last finished run (or the state it reached).';
}

// Pause stops the run as Cancel does; the worker keeps its state, so Resume (the same query
// run again) goes on from the last finished step.
function pauseOrResume() {
  if (state.paused) { run().catch(() => {}); return; }
  runSeq++;
  runner.cancel();
  setBusy(false);
  state.paused = true;
  $('pause').hidden = false;
  $('pause').textContent = 'Resume';
  $('status').textContent = 'Paused — the plots show the last finished step; Resume goes on from there.';
}

// ---------- files loaded in the page ----------
// A file loaded: a kind that switches the view to it does so (with the keys the file fixes),
// and a view that uses it runs on it.
function fileLoaded(u, info) {
  // A file that is a result (a fitted model) opens the link that shows it: the worker now
  // holds that result's state, so nothing is computed again.
  if (info.open) {
    player.pause();
    if (state.doc) state.doc.free();
    state.doc = null; state.docObject = null;
    applyLink(info.open);
    renderAll();
    updateUrl();
    run().catch(() => {});
    return;
  }
  if (u.key === catalogue.trained.key) state.sentTraining = null;
  const has = (key) => specsOf(state.exp).some((s) => s.key === key);
  const spec = specsOf(state.exp).find((s) => s.key === u.key);
  let changed = false;
  if (u.switch && spec && spec.options.includes(u.value) && state.values[u.key] !== u.value) {
    state.values[u.key] = u.value;
    changed = true;
  }
  if (state.values[u.key] === u.value) {
    for (const [k, v] of Object.entries(info.sets || {})) {
      if (has(k) && state.values[k] !== v) { state.values[k] = v; changed = true; }
    }
  }
  if (changed) renderControls();
  uploads.showFor(state.exp, specsOf(state.exp));
  updateUrl();
  if (state.values[u.key] === u.value) run().catch(() => {});
}
// The network file of the result shown. A result kept by the browser has no network in the
// worker: the query runs again (the same bytes) and the worker then holds it.
function networkText() {
  const query = state.docObject.query;
  return runner.request({ kind: 'network_file', query }).catch(() => {
    $('status').textContent = 'Rebuilding the network of this result…';
    return execute(query, (f) => { $('status').textContent = `Rebuilding the network of this result… ${Math.round(f * 100)}%`; })
      .then(() => { $('status').textContent = 'Network rebuilt'; return runner.request({ kind: 'network_file', query }); });
  });
}
// The values that put a view on the trained network sent from the trainer's view: its source,
// the training keys, and the view keys that must equal a training key (the core lists them).
function sentTrainingFor(exp) {
  const t = catalogue.trained;
  const source = specsOf(exp).find((s) => s.key === t.key);
  if (!state.sentTraining || !source || !source.options.includes(t.value)) return null;
  const values = Object.assign({ [t.key]: t.value }, state.sentTraining);
  for (const [own, from] of entryOf(exp).follows) if (values[from] !== undefined) values[own] = values[from];
  return values;
}
function useResultNetwork() {
  if (!state.docObject) return;
  const t = catalogue.trained;
  // A trained network travels as its training keys: links to the other views retrain it (the
  // worker keeps it, so they need not) and stay shareable. A file goes by its hash.
  const training = state.exp === t.experiment ? Object.fromEntries(Object.entries(state.values).map(([k, v]) => [t.prefix + k, v])) : null;
  const kind = uploads.byKind('network');
  networkText()
    .then((text) => uploads.send(kind, { kind: kind.request, text }))
    .then(() => {
      state.sentTraining = training;
      if (training) showMessage(`The other views that take a network now open on this trained network (${t.key}=${t.value}: their links carry its training keys and stay shareable). Choose another ${t.key} in a view to leave it.`, 'info', 'network');
    })
    .catch((e) => showMessage('Could not use the network: ' + e.message, 'error', 'network'));
}

// ---------- plots ----------
const fitOne = () => state.viewOpts.embed && !!state.viewOpts.plot;
const fileName = (plot) => `lpu-${state.exp}-${plot}`;
function renderFigures() {
  renderFileExports();
  figures = buildFigures($('plots'), plotsOf(viewOf(state.view)), { only: state.viewOpts.plot, hidden }, {
    fileName,
    onClick: (plot, x, y) => {
      const set = state.doc && state.doc.click(plot, x, y);
      if (set) setValue(set.key, set.value);
    },
    onDrag: (plot, x, y) => {
      const set = state.doc && state.doc.click(plot, x, y);
      if (set) liveValue(set.key, set.value);
    },
  });
  if (state.viewOpts.embed) {
    const u = new URL(location.href);
    for (const k of ['embed', 'plot', 'hide']) u.searchParams.delete(k);
    $('plots').append(el('a', { className: 'embed-credit', textContent: 'Open in LPU Explorer ↗', target: '_blank', rel: 'noopener', href: u.toString() }));
  }
}
// One Export button per file the experiment gives beside its document (the core lists them).
function renderFileExports() {
  for (const b of document.querySelectorAll('#exports .file-export')) b.remove();
  for (const f of entryOf(state.exp).files || []) {
    const b = el('button', { type: 'button', className: 'file-export', textContent: f.label });
    b.addEventListener('click', () => {
      if (!state.docObject) return;
      runner.request({ kind: 'file', query: state.docObject.query, what: f.kind })
        .then((b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          download(new Blob([bytes], { type: f.ext === 'json' ? 'application/json' : 'application/octet-stream' }), `${fileName(f.kind)}.${f.ext}`);
        })
        .catch((e) => showMessage(`Export failed: ${e.message}`, 'error'));
    });
    $('exports').append(b);
  }
}
function drawAll() { if (state.doc) for (const f of figures) drawFigure(f, state.doc, player.upto, fitOne()); }
function drawTimed() { if (state.doc) for (const f of figures) if (f.timed) drawFigure(f, state.doc, player.upto, fitOne()); }

// ---------- views ----------
function buildViews() {
  const nav = $('views');
  nav.replaceChildren();
  for (const v of catalogue.views) {
    const a = el('a', { textContent: v.label, href: '?view=' + v.name + (v.preset ? '&' + v.preset : '') });
    if (v.name === state.view) a.setAttribute('aria-current', 'page');
    a.addEventListener('click', (e) => { e.preventDefault(); switchView(v.name); });
    nav.append(a);
  }
}
function switchView(name) {
  player.pause();
  const exp = viewOf(name).experiment;
  if (exp !== state.exp) {
    state.exp = exp;
    // A view may open at its own size (a heavy comparison): its preset keys, as a link would.
    state.values = wasm.parse('exp=' + exp + (viewOf(name).preset ? '&' + viewOf(name).preset : '')).values;
    const sent = sentTrainingFor(exp);
    if (sent) {
      const link = wasm.parse(buildQuery(exp, Object.assign({}, state.values, sent)));
      for (const e of link.errors) showMessage(`The trained network does not fit this view: ${e.message}`, 'warn', 'control');
      state.values = link.values;
    }
    if (state.doc) state.doc.free();
    state.doc = null; state.docObject = null;
  }
  state.view = name;
  player.upto = null;
  if (state.viewOpts.plot && !viewOf(name).plots.includes(state.viewOpts.plot)) state.viewOpts.plot = null;
  renderAll();
  updateUrl();
  if (!state.doc) run().catch(() => {});
  else drawAll();
}
function renderAll() {
  document.body.classList.toggle('embed', state.viewOpts.embed);
  uploads.showFor(state.exp, specsOf(state.exp));
  buildViews();
  renderControls();
  renderFigures();
}

function embedCode() {
  const view = viewOf(state.view);
  const src = shareUrl((state.viewOpts.embed ? '' : '&embed=1') + (state.viewOpts.plot ? '' : '&plot=' + view.embed_plot));
  const esc = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<iframe src="${esc}" width="720" height="640" style="border:0;max-width:100%" loading="lazy" title="LPU Explorer: ${view.label.replace(/[<>&"]/g, '')}"></iframe>`;
}

// ---------- API for tutorials ----------
function exposeApi(ready) {
  window.lpuExplorer = {
    ready,
    /** Runs a share-link query in a separate worker; resolves with the result document. */
    run(query) {
      return ready.then(() => {
        const link = wasm.parse(String(query));
        if (!link.experiment || link.errors.length) return Promise.reject(new Error((link.errors[0] || { message: 'exp is required' }).message));
        apiRunner = apiRunner || new Runner();
        return apiRunner.request({ kind: 'run', query: link.query }).then((t) => JSON.parse(t));
      });
    },
    /** Sets parameters (and optionally exp/view) on the page, reruns, resolves with the result. */
    set(params) {
      return ready.then(() => {
        const p = Object.assign({}, params);
        if (p.view && p.view !== state.view) {
          if (!viewOf(p.view)) return Promise.reject(new Error('view: unknown view ' + p.view));
          switchView(p.view);
        }
        delete p.view;
        if (p.exp && p.exp !== state.exp) {
          const v = homeView(p.exp);
          if (!v) return Promise.reject(new Error('exp: unknown experiment ' + p.exp));
          switchView(v.name);
        }
        delete p.exp;
        const unknown = Object.keys(p).filter((k) => !(k in state.values));
        if (unknown.length) return Promise.reject(new Error(unknown[0] + ': unknown key for exp=' + state.exp));
        const trial = Object.assign({}, state.values);
        for (const [k, v] of Object.entries(p)) trial[k] = Array.isArray(v) ? v.join(',') : String(v);
        const link = wasm.parse(buildQuery(state.exp, trial));
        if (link.errors.length) return Promise.reject(new Error(link.errors[0].message));
        state.values = link.values;
        renderControls();
        updateUrl();
        return run();
      });
    },
    /** The current share query, the core's canonical query, the view and the result document. */
    get() { return { query: shareQuery(), coreQuery: coreQuery(), view: state.view, result: state.docObject }; },
    /** Subscribes to finished runs: fn(resultDocument). */
    on(event, fn) { if (listeners[event]) listeners[event].push(fn); },
    /** Test hook: makes the worker panic, to show how failures are reported. */
    _panic() {
      return runner.request({ kind: 'panic' }).catch((e) => {
        clearMessages('run');
        showMessage('Worker error: ' + e.message + ' — the worker was restarted.', 'error', 'run');
        throw e;
      });
    },
  };
}

// ---------- start ----------
function start() {
  wasm = window.wasmBindings;
  catalogue = wasm.catalogue();
  runner = new Runner();
  uploads = new Uploads(catalogue.uploads, runner, { loaded: fileLoaded });
  uploads.render($('upload-bars'));
  player = new Player({ onTime: drawTimed });
  const clean = applyLink(location.search);
  renderAll();
  if (!clean || !location.search.includes('v=')) updateUrl();
  $('run').addEventListener('click', () => run().catch(() => {}));
  $('cancel').addEventListener('click', cancel);
  $('pause').addEventListener('click', pauseOrResume);
  $('use-network').addEventListener('click', useResultNetwork);
  addEventListener('dragover', (e) => { if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) e.preventDefault(); });
  addEventListener('drop', (e) => { if (e.dataTransfer && e.dataTransfer.files.length) { e.preventDefault(); uploads.drop([...e.dataTransfer.files]); } });
  $('copy-link').addEventListener('click', () => copyText(shareUrl(), 'Link'));
  $('copy-embed').addEventListener('click', () => copyText(embedCode(), 'Embed code'));
  $('export-json').addEventListener('click', () => state.lastGood && download(new Blob([state.lastGood], { type: 'application/json' }), fileName('result') + '.json'));
  $('export-csv').addEventListener('click', () => state.doc && download(new Blob([state.doc.csv()], { type: 'text/csv' }), fileName('result') + '.csv'));
  $('export-network').addEventListener('click', () => state.docObject && networkText().then((t) => t && download(new Blob([t], { type: 'application/json' }), fileName('network') + '.json')).catch((e) => showMessage('Export failed: ' + e.message, 'error')));
  let resizeTimer = null;
  addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawAll, 150); });
  // Time runs only while the plots are on screen and the tab is visible.
  new IntersectionObserver((entries) => player.setVisible(entries.some((e) => e.isIntersecting) && !document.hidden)).observe($('plots'));
  document.addEventListener('visibilitychange', () => { if (document.hidden) player.pause(); });
  return run().catch(() => {});
}

let resolveReady;
const ready = new Promise((r) => (resolveReady = r));
exposeApi(ready);
const boot = () => {
  try { start().then(() => resolveReady()); } catch (e) { showMessage('The explorer failed to start: ' + e.message, 'error'); }
};
if (window.wasmBindings) boot();
else addEventListener('TrunkApplicationStarted', boot, { once: true });
