// LPU Explorer page: controls, share links, the worker, plots, exports and the JS API.
// The Rust core does the science: the page wasm (window.wasmBindings) parses links and draws
// plots, the worker wasm runs experiments. Nothing from the URL is ever inserted as HTML:
// every text goes through textContent and every plot is an SVG produced by the core.
'use strict';

(() => {
  const VIEW_LABELS = { flipflop: 'Flip-flop LPU', timescale: 'Time-scale LPU', tuning: 'Tuning curves', drift: 'Drift', sweep: 'Drift sweep', perturb: 'Stimulation' };
  // Plots per view; `aspect` is height / width, `wide` spans the grid.
  const VIEW_PLOTS = {
    flipflop: [
      { name: 'trajectory', title: 'Inputs, latent trajectories and targets', aspect: 0.5, wide: true },
      { name: 'portrait', title: 'Phase portrait (click to launch a trajectory)', aspect: 0.9, click: true },
      { name: 'activity', title: 'Activity of a subset of neurons', aspect: 0.9 },
    ],
    tuning: [
      { name: 'tuning', title: 'Tuning curves against the latent variables', aspect: 0.65 },
      { name: 'portrait', title: 'Phase portrait (click to launch a trajectory)', aspect: 0.9, click: true },
    ],
    drift: [
      { name: 'trajectory', title: 'Latent trajectories and targets, before and after the drift', aspect: 0.5, wide: true },
      { name: 'portrait_before', title: 'LPU before the drift', aspect: 0.9 },
      { name: 'portrait_after', title: 'LPU after the drift', aspect: 0.9 },
      { name: 'tuning', title: 'A neuron\'s tuning before and after', aspect: 0.65, wide: true },
    ],
    sweep: [
      { name: 'accuracy', title: 'Accuracy against drift strength (all neurons)', aspect: 0.42, wide: true },
      { name: 'accuracy_observed', title: 'Accuracy against drift strength (first n_obs neurons)', aspect: 0.42, wide: true },
      { name: 'tolerable', title: 'Tolerable drift σ* against N', aspect: 0.7 },
    ],
    perturb: [
      { name: 'stimulation', title: 'Stimulation and the state read from coding and redundant neurons', aspect: 0.5, wide: true },
      { name: 'connectivity', title: 'Connectivity: coding and redundant blocks', aspect: 0.9 },
    ],
    timescale: [
      { name: 'flow', title: 'Latent flow: network beside mean field', aspect: 0.62, wide: true },
      { name: 'growth', title: 'Growth rate against its target', aspect: 0.75 },
      { name: 'cloud', title: 'Connectivity cloud (m_i, ñ_i)', aspect: 0.9 },
    ],
  };
  // Controls shown first per view; the rest go under "More parameters".
  const MAIN_KEYS = {
    flipflop: ['bits', 'neurons', 'tau', 'dt', 'noise', 'seed', 'pulse_prob', 'input'],
    tuning: ['tuning', 'bits', 'neurons', 'seed', 'extent', 'input'],
    timescale: ['neurons', 'tau_latent', 'tau', 'rho', 'seed'],
    drift: ['bits', 'neurons', 'kind', 'sigma', 'observed', 'noise', 'tuning', 'seed'],
    sweep: ['bits', 'neurons', 'sigma_min', 'sigma_max', 'points', 'runs', 'observed', 'noise', 'seed'],
    perturb: ['stimulate', 'amplitude', 'onset', 'duration', 'neurons', 'redundant', 'random', 'seed'],
  };
  const LABELS = {
    bits: 'bits K', neurons: 'neurons N', tau: 'τ', dt: 'Δt', steps: 'steps', bin: 'time bin', pulse_prob: 'pulse probability',
    noise: 'noise σ', init_mean: 'initial rate mean', init_sd: 'initial rate s.d.', tau_latent: 'latent τ_z', rho: 'ρ (m, ñ correlation)',
    gain: 'input gain β', input: 'constant input', observed: 'observed neurons n_obs', grid: 'flow grid', slice: 'slice z3…', launch: 'launch point',
    record: 'neurons in heatmap', extent: 'latent window ±', tuning: 'tuning neurons', seed: 'seed', points: 'flow points', cloud: 'cloud points',
    'drift_sweep.points': 'σ values', 'drift_sweep.neurons': 'sizes N', 'drift.tuning': 'tuning neuron', sigma: 'drift σ', sigma_min: 'σ from', sigma_max: 'σ to',
    kind: 'drift kind', base: 'designed neurons', runs: 'runs', after: 'steps after drift', score: 'scored steps', threshold: 'coding threshold',
    stimulate: 'stimulated group', amplitude: 'amplitude', onset: 'onset', duration: 'duration', redundant: 'redundant neurons', random: 'random W s.d.', length: 'trial length',
  };
  const UNITS = { tau: 's', dt: 's', bin: 's', tau_latent: 's', extent: 'latent units', launch: 'latent units', onset: 's', duration: 's', length: 's' };
  const INPUT_SLIDER = 2; // constant-input sliders span ±2 (the core allows ±10 by typing)

  const $ = (id) => document.getElementById(id);
  const timings = (window.__lpuTimings = { firstPortrait: null, portraitUpdates: 0, runs: 0 });

  let wasm = null;
  let catalogue = null;
  const state = {
    exp: 'flipflop', view: 'flipflop', values: {}, viewOpts: { embed: false, hide: [], plot: null },
    doc: null, docText: null, upto: null, playing: false, busy: false, lastGood: null,
  };
  const listeners = { result: [] };
  let figures = [];

  // ---------- messages ----------
  function showMessage(text, kind = 'warn', key = null) {
    const box = $('messages');
    const div = document.createElement('div');
    div.className = 'message ' + kind;
    if (key) div.dataset.key = key;
    const span = document.createElement('span');
    span.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = '×';
    close.title = 'Dismiss';
    close.addEventListener('click', () => div.remove());
    div.append(span, close);
    box.append(div);
    return div;
  }
  function clearMessages(key) {
    for (const m of $('messages').querySelectorAll('.message')) if (!key || m.dataset.key === key) m.remove();
  }

  // ---------- worker ----------
  class Runner {
    constructor() { this.seq = 0; this.pending = new Map(); this.spawn(); }
    spawn() {
      this.worker = new Worker('./worker-main.js');
      this.worker.onmessage = (e) => this.receive(e.data);
      this.worker.onerror = (e) => {
        e.preventDefault();
        this.fail('the worker failed to start: ' + (e.message || 'unknown error'));
      };
    }
    receive(msg) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'progress') { if (p.onProgress) p.onProgress(msg.value); return; }
      this.pending.delete(msg.id);
      if (msg.type === 'done') p.resolve(msg.text);
      else {
        p.reject(new Error(msg.message));
        if (msg.fatal) this.restart();
      }
    }
    fail(message) {
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
      this.restart();
    }
    restart() { this.worker.terminate(); this.spawn(); }
    request(kind, query, onProgress) {
      const id = ++this.seq;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, onProgress, kind });
        this.worker.postMessage({ id, kind, query });
      });
    }
    busyWith(kind) { for (const p of this.pending.values()) if (p.kind === kind) return true; return false; }
    idle() { return this.pending.size === 0; }
    cancel() {
      const err = new Error('cancelled');
      err.cancelled = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.restart();
    }
  }
  let runner = null;
  let apiRunner = null;

  // ---------- links ----------
  function specsOf(exp) { return catalogue.experiments.find((e) => e.name === exp).params; }
  function encodeValue(v) { return encodeURIComponent(v).replace(/%2C/gi, ','); }
  function buildQuery(exp, values) {
    const parts = ['exp=' + exp];
    for (const s of specsOf(exp)) if (values[s.key] !== undefined && values[s.key] !== s.default) parts.push(s.key + '=' + encodeValue(values[s.key]));
    return parts.join('&');
  }
  // A readable link: version, experiment, the keys that differ from their defaults, view state.
  function shareQuery() {
    let q = 'v=' + catalogue.query_version + '&' + buildQuery(state.exp, state.values);
    const view = [];
    if (state.view !== state.exp) view.push('view=' + state.view);
    if (state.viewOpts.embed) view.push('embed=1');
    if (state.viewOpts.hide.length) view.push('hide=' + state.viewOpts.hide.join(','));
    if (state.viewOpts.plot) view.push('plot=' + state.viewOpts.plot);
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
  // The core's canonical query for the current state (what the worker and `lpu run` get).
  function coreQuery() { return JSON.parse(wasm.parse(buildQuery(state.exp, state.values))).query; }

  // Applies a link: bad parameters are reported and fall back to their defaults.
  function applyLink(query) {
    const link = JSON.parse(wasm.parse(query));
    clearMessages('link');
    for (const e of link.errors) showMessage('Link parameter ' + e.message + ' — using the default instead.', 'warn', 'link');
    if (!link.experiment) {
      const fallback = JSON.parse(wasm.parse('exp=flipflop'));
      Object.assign(link, { experiment: 'flipflop', values: fallback.values });
    }
    if (!catalogue.views.some((v) => v.experiment === link.experiment)) {
      showMessage(`exp=${link.experiment} has no view on this page yet; run it with lpu run. Showing the flip-flop instead.`, 'warn', 'link');
      const fallback = JSON.parse(wasm.parse('exp=flipflop'));
      Object.assign(link, { experiment: 'flipflop', values: fallback.values, view: {} });
    }
    state.exp = link.experiment;
    state.values = link.values;
    const v = link.view || {};
    state.view = v.view && VIEW_PLOTS[v.view] && catalogue.views.find((x) => x.name === v.view).experiment === state.exp ? v.view : state.exp;
    if (v.view && v.view !== state.view) showMessage(`Link parameter view: "${v.view}" does not show exp=${state.exp}; showing ${VIEW_LABELS[state.view]}.`, 'warn', 'link');
    state.viewOpts = { embed: !!v.embed, hide: v.hide || [], plot: v.plot || null };
    const plotNames = VIEW_PLOTS[state.view].map((p) => p.name);
    if (state.viewOpts.plot && !plotNames.includes(state.viewOpts.plot)) {
      showMessage(`Link parameter plot: "${state.viewOpts.plot}" is not a plot of this view (one of ${plotNames.join(', ')}); showing all.`, 'warn', 'link');
      state.viewOpts.plot = null;
    }
    return link.errors.length === 0;
  }

  // ---------- controls ----------
  function kindOf(spec) {
    if (spec.allowed.startsWith('one of')) return 'choice';
    if (spec.allowed.startsWith('up to')) return 'list';
    if (spec.allowed.startsWith('"all"')) return 'text';
    if (spec.allowed.startsWith('integer')) return 'int';
    if (spec.allowed.startsWith('number')) return 'float';
    return 'text';
  }
  function hidden(key) { return state.viewOpts.hide.includes(key); }

  function buildControls() {
    const form = $('controls');
    form.replaceChildren();
    const specs = specsOf(state.exp);
    const main = MAIN_KEYS[state.view] || [];
    const more = document.createElement('details');
    more.className = 'more';
    const sum = document.createElement('summary');
    sum.textContent = 'More parameters';
    more.append(sum);
    const ordered = [...main.map((k) => specs.find((s) => s.key === k)).filter(Boolean), ...specs.filter((s) => !main.includes(s.key))];
    for (const spec of ordered) {
      const el = spec.key === 'input' && state.exp === 'flipflop' ? inputSliders(spec) : control(spec);
      if (hidden(spec.key)) el.classList.add('hidden-by-link');
      (main.includes(spec.key) ? form : more).append(el);
    }
    if (more.children.length > 1) form.append(more);
    $('panel').classList.toggle('hidden-by-link', hidden('controls'));
    for (const id of ['run-bar', 'player', 'exports']) $(id).classList.toggle('hidden-by-link', hidden(id.replace('-bar', '')));
  }

  function labelFor(spec, input) {
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = LABELS[state.exp + '.' + spec.key] || LABELS[spec.key] || spec.key;
    if (UNITS[spec.key]) {
      const u = document.createElement('span');
      u.className = 'unit';
      u.textContent = ' (' + UNITS[spec.key] + ')';
      label.append(u);
    }
    label.title = `${spec.key}: ${spec.help}. Allowed: ${spec.allowed}.`;
    return label;
  }

  function control(spec) {
    const wrap = document.createElement('div');
    wrap.className = 'control';
    wrap.dataset.key = spec.key;
    const input = document.createElement('input');
    input.id = 'ctl-' + spec.key;
    input.name = spec.key;
    const kind = kindOf(spec);
    if (kind === 'choice') {
      const select = document.createElement('select');
      select.id = 'ctl-' + spec.key;
      select.name = spec.key;
      for (const o of spec.allowed.replace('one of ', '').split(', ')) {
        const opt = document.createElement('option');
        opt.value = o; opt.textContent = o;
        select.append(opt);
      }
      select.value = state.values[spec.key] ?? spec.default;
      select.addEventListener('change', () => setValue(spec.key, select.value));
      const help = document.createElement('div');
      help.className = 'help';
      help.textContent = spec.help;
      wrap.append(labelFor(spec, select), select, help);
      return wrap;
    }
    if (kind === 'int' || kind === 'float') {
      input.type = 'number';
      input.min = spec.min;
      input.max = spec.max;
      input.step = kind === 'int' ? '1' : 'any';
    } else input.type = 'text';
    input.value = state.values[spec.key] ?? spec.default;
    input.addEventListener('change', () => setValue(spec.key, input.value.trim()));
    const help = document.createElement('div');
    help.className = 'help';
    help.textContent = spec.help + ' · ' + spec.allowed;
    wrap.append(labelFor(spec, input), input, help);
    return wrap;
  }

  // One slider per channel: dragging redraws flow and fixed points live; release reruns.
  function inputSliders(spec) {
    const wrap = document.createElement('div');
    wrap.className = 'control';
    wrap.dataset.key = spec.key;
    const bits = Number(state.values.bits) || 1;
    const current = (state.values.input || '').split(',').filter((s) => s !== '').map(Number);
    const title = document.createElement('label');
    title.textContent = 'constant input per channel';
    title.title = `input: ${spec.help}. Allowed: ${spec.allowed}.`;
    title.htmlFor = 'ctl-input-0';
    wrap.append(title, document.createElement('span'));
    const sliders = [];
    for (let c = 0; c < bits; c++) {
      const row = document.createElement('div');
      row.className = 'control';
      row.style.gridColumn = '1 / -1';
      const s = document.createElement('input');
      s.type = 'range';
      s.id = 'ctl-input-' + c;
      s.min = -INPUT_SLIDER; s.max = INPUT_SLIDER; s.step = 0.01;
      s.value = current[c] ?? 0;
      const lab = document.createElement('label');
      lab.htmlFor = s.id;
      lab.textContent = 'channel ' + (c + 1);
      const out = document.createElement('output');
      out.textContent = Number(s.value).toFixed(2);
      const value = () => sliders.map((x) => Number(x.value)).map((v) => +v.toFixed(3)).join(',').replace(/(,0)+$/, '').replace(/^0$/, '');
      s.addEventListener('input', () => {
        out.textContent = Number(s.value).toFixed(2);
        state.values.input = value();
        updateUrl();
        livePortrait();
      });
      s.addEventListener('change', () => setValue('input', value()));
      sliders.push(s);
      row.append(lab, out, s);
      wrap.append(row);
    }
    const help = document.createElement('div');
    help.className = 'help';
    help.textContent = 'Drag to watch the bifurcation: a constant input on channel 1 merges attractors (LCF Fig. 1F).';
    wrap.append(help);
    return wrap;
  }

  // A control changed: the core validates it; a bad value is named with its range and not applied.
  function setValue(key, text) {
    const trial = Object.assign({}, state.values, { [key]: text });
    const link = JSON.parse(wasm.parse(buildQuery(state.exp, trial)));
    clearMessages('control');
    for (const el of document.querySelectorAll('.control.invalid')) el.classList.remove('invalid');
    if (link.errors.length) {
      for (const e of link.errors) {
        showMessage('Not applied: ' + e.message, 'error', 'control');
        const el = document.querySelector(`.control[data-key="${CSS.escape(e.key)}"]`);
        if (el) el.classList.add('invalid');
      }
      return;
    }
    const rebuild = key === 'bits' && trial.bits !== state.values.bits;
    state.values = link.values;
    // A launch point has one value per bit: with a new bit count it no longer applies.
    if (key === 'bits') state.values.launch = '';
    if (rebuild) buildControls();
    updateUrl();
    run().catch(() => {}); // failures are shown on the page
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

  function run() {
    const query = coreQuery();
    const id = ++runSeq;
    if (runner.busyWith('run')) runner.cancel(); // the new run supersedes the old one
    cancelPool();
    setBusy(true);
    $('status').textContent = 'Running…';
    const t0 = performance.now();
    const onProgress = (f) => { $('progress').value = f; $('status').textContent = `Running… ${Math.round(f * 100)}%`; };
    const exec = state.exp === 'drift_sweep' ? runSweep(query, onProgress) : runner.request('run', query, onProgress);
    return exec
      .then((text) => {
        if (id !== runSeq) return null;
        const doc = JSON.parse(text);
        if (doc.error) throw new Error(doc.error);
        timings.runs++;
        state.doc = doc;
        state.docText = text;
        state.latentJson = null;
        state.lastGood = text;
        clearMessages('run');
        timings.lastRunMs = performance.now() - t0;
        $('status').textContent = `Done in ${Math.round(timings.lastRunMs)} ms`;
        setupPlayer();
        summarise();
        drawAll();
        for (const f of listeners.result) try { f(doc); } catch (_) { /* a listener's bug is its own */ }
        return doc;
      })
      .catch((err) => {
        if (id !== runSeq && !err.cancelled) return null;
        if (err.cancelled) $('status').textContent = 'Cancelled — the plots show the last finished run.';
        else { $('status').textContent = 'Failed'; clearMessages('run'); showMessage('The run failed: ' + err.message + '. The page keeps the last result; change a parameter to try again.', 'error', 'run'); }
        throw err;
      })
      .finally(() => { if (id === runSeq) setBusy(false); });
  }

  // A drift sweep is split by N and kind across a pool of workers (one per core); the page's
  // core merges the parts into the document the whole sweep gives (as `lpu run` does).
  let pool = [];
  function cancelPool() { for (const r of pool) r.cancel(); }
  function runSweep(query, onProgress) {
    const values = state.values;
    const sizes = values.neurons.split(',').filter(Boolean);
    const kinds = (values.kinds || '0,1,2').split(',').filter(Boolean);
    const jobs = [];
    for (const n of sizes) for (const k of kinds) {
      const sub = JSON.parse(wasm.parse(buildQuery('drift_sweep', Object.assign({}, values, { neurons: n, kinds: k }))));
      jobs.push({ query: sub.query, weight: Number(n), progress: 0, text: null });
    }
    jobs.sort((a, b) => b.weight - a.weight);
    const size = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8, jobs.length));
    while (pool.length < size) pool.push(new Runner());
    const total = jobs.reduce((s, j) => s + j.weight, 0);
    const report = () => onProgress(jobs.reduce((s, j) => s + j.weight * j.progress, 0) / total);
    let next = 0;
    const worker = (r) => {
      if (next >= jobs.length) return Promise.resolve();
      const job = jobs[next++];
      return r.request('run', job.query, (f) => { job.progress = f; report(); }).then((text) => {
        if (text.startsWith('{"error"')) throw new Error(JSON.parse(text).error);
        job.text = text; job.progress = 1; report();
        return worker(r);
      });
    };
    timings.poolSize = size;
    return Promise.all(pool.slice(0, size).map(worker)).then(() => {
      const merged = wasm.merge_sweep(query, '[' + jobs.map((j) => j.text).join(',') + ']');
      return merged;
    });
  }

  // Live portrait while an input slider moves: at most one request in flight, latest wins.
  let liveWanted = null;
  let liveInFlight = false;
  function livePortrait() {
    if (state.exp !== 'flipflop' || !state.doc) return;
    liveWanted = coreQuery();
    pumpLive();
  }
  function pumpLive() {
    if (liveInFlight || liveWanted === null) return;
    const q = liveWanted;
    liveWanted = null;
    liveInFlight = true;
    runner
      .request('portrait', q)
      .then((text) => {
        // Ask for the next update before drawing this one, so worker and page overlap.
        liveInFlight = false;
        pumpLive();
        if (!state.doc || text.startsWith('{"error"')) return;
        Object.assign(state.doc.result, JSON.parse(text));
        state.docText = null; // re-serialised only when a full redraw needs it
        // The portrait needs only the trajectory besides the new part: a slim document.
        if (!state.latentJson) state.latentJson = JSON.stringify(state.doc.result.latent);
        const params = Object.assign({}, state.doc.params, { input: (state.values.input || '').split(',').filter((v) => v !== '').map(Number) });
        const slim = `{"experiment":"flipflop","params":${JSON.stringify(params)},"result":{"latent":${state.latentJson},${text.slice(1)}}`;
        timings.portraitUpdates++;
        for (const f of figures) if (f.name === 'portrait') drawPlot(f, slim);
      })
      .catch(() => { liveInFlight = false; pumpLive(); });
  }

  // ---------- plots ----------
  function buildPlots() {
    const box = $('plots');
    box.replaceChildren();
    figures = [];
    for (const p of VIEW_PLOTS[state.view]) {
      if (state.viewOpts.plot && p.name !== state.viewOpts.plot) continue;
      if (hidden(p.name)) continue;
      const fig = document.createElement('figure');
      fig.className = 'plot' + (p.wide && !state.viewOpts.plot ? ' wide' : '') + (p.click ? ' clickable' : '');
      fig.dataset.plot = p.name;
      const cap = document.createElement('figcaption');
      const t = document.createElement('span');
      t.textContent = p.title;
      const sp = document.createElement('span');
      sp.className = 'spacer';
      const png = document.createElement('button');
      png.type = 'button'; png.textContent = 'PNG'; png.title = 'Download this plot as PNG';
      const svg = document.createElement('button');
      svg.type = 'button'; svg.textContent = 'SVG'; svg.title = 'Download this plot as SVG';
      cap.append(t, sp, png, svg);
      const holder = document.createElement('div');
      holder.className = 'canvas-box';
      const img = document.createElement('img');
      img.alt = p.title;
      img.draggable = false;
      holder.append(img);
      const err = document.createElement('div');
      err.className = 'plot-error';
      fig.append(cap, holder, err);
      if (p.click) {
        const hint = document.createElement('p');
        hint.className = 'hint';
        hint.textContent = 'Click anywhere in the portrait to launch a trajectory from that latent point.';
        fig.append(hint);
      }
      box.append(fig);
      const entry = { ...p, fig, img, holder, err, svg: null, frame: null, width: 0, height: 0, url: null };
      png.addEventListener('click', () => exportPng(entry));
      svg.addEventListener('click', () => entry.svg && download(new Blob([entry.svg], { type: 'image/svg+xml' }), `lpu-${state.exp}-${p.name}.svg`));
      if (p.click) img.addEventListener('click', (e) => launchAt(entry, e));
      figures.push(entry);
    }
    if (state.viewOpts.embed) {
      const credit = document.createElement('a');
      credit.className = 'embed-credit';
      credit.textContent = 'Open in LPU Explorer ↗';
      credit.target = '_blank';
      credit.rel = 'noopener';
      const u = new URL(location.href);
      u.searchParams.delete('embed');
      u.searchParams.delete('plot');
      u.searchParams.delete('hide');
      credit.href = u.toString();
      box.append(credit);
    }
  }

  function drawPlot(f, text) {
    if (!state.doc) return;
    if (!text && !state.docText) state.docText = JSON.stringify(state.doc);
    text = text || state.docText;
    const width = Math.max(260, Math.round(f.holder.clientWidth || 600));
    // Narrow screens get taller plots: stacked panels stay readable on a phone.
    const aspect = width < 520 ? Math.max(f.aspect, 0.85) : f.aspect;
    const height = Math.round(width * (state.viewOpts.embed && state.viewOpts.plot ? Math.min(aspect, (innerHeight - 60) / width) : aspect));
    const upto = state.upto === null ? -1 : state.upto;
    const useUpto = ['trajectory', 'portrait', 'activity'].includes(f.name) ? upto : -1;
    const out = JSON.parse(wasm.render(f.name, text, width, Math.max(180, height), useUpto));
    if (out.error) { f.err.textContent = out.error; return; }
    f.err.textContent = '';
    f.svg = out.svg; f.frame = out.frame; f.width = width; f.height = Math.max(180, height);
    const url = URL.createObjectURL(new Blob([out.svg], { type: 'image/svg+xml' }));
    const old = f.url;
    f.url = url;
    f.img.onload = () => {
      if (old) URL.revokeObjectURL(old);
      if (f.name === 'portrait' && timings.firstPortrait === null) timings.firstPortrait = performance.now();
      f.fig.dataset.drawn = '1';
    };
    f.img.src = url;
  }
  function drawAll() { for (const f of figures) drawPlot(f); }

  function launchAt(f, e) {
    if (!f.frame || !state.doc) return;
    const scale = f.width / f.img.clientWidth;
    const px = e.offsetX * scale, py = e.offsetY * scale;
    const [l, t, r, b] = f.frame.pixels;
    const [x0, x1, y0, y1] = f.frame.data;
    if (px < l || px > r || py < t || py > b) return;
    const x = x0 + ((px - l) / (r - l)) * (x1 - x0);
    const y = y1 - ((py - t) / (b - t)) * (y1 - y0);
    const k = Number(state.values.bits);
    let point;
    if (k === 1) point = [x];
    else {
      point = [x, y];
      for (let d = 2; d < k; d++) point.push(Number(state.values.slice));
    }
    setValue('launch', point.map((v) => v.toFixed(3)).join(','));
  }

  function summarise() {
    const r = state.doc.result;
    const el = $('summary');
    if (state.exp === 'flipflop') {
      const counts = { stable: 0, saddle: 0, unstable: 0 };
      for (const p of r.fixed_points) counts[p.kind]++;
      let s = `State accuracy ${r.accuracy.toFixed(3)} over ${r.scored_points} scored bin ends`;
      if (r.noisy_accuracy !== null) s += ` (${r.noisy_accuracy.toFixed(3)} with noise)`;
      s += `. ${r.fixed_points.length} fixed points: ${counts.stable} stable, ${counts.saddle} saddle, ${counts.unstable} unstable.`;
      el.textContent = s;
    } else if (state.exp === 'drift') {
      let t = `State accuracy ${r.accuracy_before.toFixed(3)} before and ${r.accuracy_after.toFixed(3)} after a ${state.doc.params.kind} drift of σ = ${state.doc.params.sigma}`;
      if (r.observed_accuracy_after !== null) t += ` (${r.observed_accuracy_before.toFixed(3)} → ${r.observed_accuracy_after.toFixed(3)} from the first ${state.doc.params.observed} neurons)`;
      const stable = (p) => p.fixed_points.filter((f) => f.kind === 'stable').length;
      el.textContent = t + `. Attractors: ${stable(r.before)} before, ${stable(r.after)} after. ${(r.fraction_keeping_coding * 100).toFixed(0)}% of neurons keep their coding group.`;
    } else if (state.exp === 'drift_sweep') {
      const f = (v) => (v === null ? '–' : v.toPrecision(3));
      el.textContent = 'Tolerable drift σ* (all neurons): ' + r.tolerable_drift.map((t) => `N = ${t.neurons}: random ${f(t.random)}, orthogonal ${f(t.orthogonal)}, tangential ${f(t.tangential)}`).join('; ') + '.';
    } else if (state.exp === 'perturb') {
      el.textContent = `Stimulating ${state.doc.params.stimulate} neurons for ${state.doc.params.duration * 1000} ms ${r.switched ? 'switched' : 'did not switch'} bit 1 (state ${r.state_before.join(', ')} → ${r.state_end.join(', ')}). Random connectivity s.d. ${r.random_sd.toPrecision(3)}; redundant readout R² ${r.redundant_readout_r2 === null ? '–' : r.redundant_readout_r2.toFixed(3)}.`;
    } else {
      const g = r.growth_rate;
      el.textContent = `Growth rate at the origin λ̂ = ${g.estimate.toFixed(3)} 1/s against the target 1/τ_z = ${g.target.toFixed(3)} 1/s: error ${(g.normalised_error * 100).toFixed(1)}% (predicted s.d. over seeds ${(g.predicted_sd * 100).toFixed(1)}%). ${r.fixed_points.length} fixed points in the network, ${r.mean_field_fixed_points.length} in the mean field.`;
    }
  }

  // ---------- time: play / pause / step / reset ----------
  let raf = null;
  let visible = true;
  function trialLength() { return state.doc && state.doc.result.time ? state.doc.result.time.length : 0; }
  function setupPlayer() {
    const n = trialLength();
    $('player').hidden = !(n > 0 && state.exp === 'flipflop');
    $('time').max = Math.max(0, n - 1);
    if (state.upto !== null && state.upto >= n) state.upto = null;
    $('time').value = state.upto === null ? n - 1 : state.upto;
    showTime();
  }
  function showTime() {
    const n = trialLength();
    const i = state.upto === null ? n - 1 : state.upto;
    $('time-out').textContent = n ? `${state.doc.result.time[i].toFixed(3)} s` : '–';
  }
  function drawTimed() { for (const f of figures) if (['trajectory', 'portrait', 'activity'].includes(f.name)) drawPlot(f); showTime(); }
  function play() {
    if (!trialLength()) return;
    if (state.upto === null || state.upto >= trialLength() - 1) state.upto = 0;
    state.playing = true;
    $('play').textContent = '❚❚ Pause';
    let last = 0;
    const tick = (now) => {
      if (!state.playing) return;
      if (!visible) { pause(); return; }
      if (now - last > 40) {
        last = now;
        const n = trialLength();
        state.upto = Math.min(n - 1, state.upto + Math.max(1, Math.round(n / 200)));
        $('time').value = state.upto;
        drawTimed();
        if (state.upto >= n - 1) { pause(); return; }
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
  }
  function pause() { state.playing = false; cancelAnimationFrame(raf); $('play').textContent = '▶ Play'; }
  function stepBin() {
    pause();
    const n = trialLength();
    if (!n) return;
    const perBin = Math.max(1, Math.round(Number(state.values.bin || 0.01) / Number(state.values.dt || 0.001)));
    state.upto = state.upto === null ? 0 : Math.min(n - 1, state.upto + perBin);
    $('time').value = state.upto;
    drawTimed();
  }
  function resetTime() { pause(); state.upto = 0; $('time').value = 0; drawTimed(); }

  // ---------- exports ----------
  function download(blob, name) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  async function exportPng(f) {
    if (!f.svg) return;
    const scale = Math.max(2, Math.ceil(window.devicePixelRatio || 1));
    const img = new Image();
    const url = URL.createObjectURL(new Blob([f.svg], { type: 'image/svg+xml' }));
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = f.width * scale; c.height = f.height * scale;
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(img, 0, 0, c.width, c.height);
    URL.revokeObjectURL(url);
    c.toBlob((b) => download(b, `lpu-${state.exp}-${f.name}.png`), 'image/png');
  }

  async function copyText(text, what) {
    clearMessages('copy');
    window.__lpuLastCopied = text;
    try {
      await navigator.clipboard.writeText(text);
      showMessage(what + ' copied to the clipboard.', 'info', 'copy');
    } catch (_) {
      // No clipboard permission (e.g. in an iframe): show it to copy by hand.
      const m = showMessage(what + ': ', 'info', 'copy');
      const input = document.createElement('input');
      input.value = text; input.readOnly = true; input.style.flex = '1';
      m.insertBefore(input, m.lastChild);
      input.select();
    }
  }
  function embedCode() {
    const first = VIEW_PLOTS[state.view][state.view === 'timescale' ? 0 : 1].name;
    const src = shareUrl((state.viewOpts.embed ? '' : '&embed=1') + (state.viewOpts.plot ? '' : '&plot=' + first));
    const esc = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    return `<iframe src="${esc}" width="720" height="640" style="border:0;max-width:100%" loading="lazy" title="LPU Explorer: ${VIEW_LABELS[state.view]}"></iframe>`;
  }

  // ---------- views ----------
  function buildViews() {
    const nav = $('views');
    nav.replaceChildren();
    for (const v of catalogue.views) {
      const a = document.createElement('a');
      a.textContent = VIEW_LABELS[v.name];
      a.href = '?view=' + v.name;
      if (v.name === state.view) a.setAttribute('aria-current', 'page');
      a.addEventListener('click', (e) => { e.preventDefault(); switchView(v.name); });
      nav.append(a);
    }
  }
  function switchView(name) {
    pause();
    const exp = catalogue.views.find((v) => v.name === name).experiment;
    if (exp !== state.exp) {
      state.exp = exp;
      state.values = JSON.parse(wasm.parse('exp=' + exp)).values;
      state.doc = null; state.docText = null;
    }
    state.view = name;
    state.upto = null;
    renderAll();
    updateUrl();
    if (!state.doc) run().catch(() => {});
    else drawAll();
  }
  function renderAll() {
    document.body.classList.toggle('embed', state.viewOpts.embed);
    buildViews();
    buildControls();
    buildPlots();
  }

  // ---------- API for tutorials ----------
  function exposeApi(ready) {
    window.lpuExplorer = {
      ready,
      /** Runs a share-link query in a separate worker; resolves with the result document. */
      run(query) {
        return ready.then(() => {
          const link = JSON.parse(wasm.parse(String(query)));
          if (!link.experiment || link.errors.length) return Promise.reject(new Error((link.errors[0] || { message: 'exp is required' }).message));
          apiRunner = apiRunner || new Runner();
          return apiRunner.request('run', link.query).then((t) => {
            const doc = JSON.parse(t);
            if (doc.error) throw new Error(doc.error);
            return doc;
          });
        });
      },
      /** Sets parameters (and optionally exp/view) on the page, reruns, resolves with the result. */
      set(params) {
        return ready.then(() => {
          const p = Object.assign({}, params);
          if (p.view && p.view !== state.view) switchView(p.view);
          delete p.view;
          if (p.exp && p.exp !== state.exp) {
            const v = catalogue.views.find((x) => x.experiment === p.exp);
            if (!v) return Promise.reject(new Error('exp: unknown experiment ' + p.exp));
            switchView(v.name);
          }
          delete p.exp;
          const trial = Object.assign({}, state.values);
          for (const [k, v] of Object.entries(p)) trial[k] = Array.isArray(v) ? v.join(',') : String(v);
          const link = JSON.parse(wasm.parse(buildQuery(state.exp, trial)));
          const unknown = Object.keys(p).filter((k) => !(k in state.values));
          if (unknown.length) return Promise.reject(new Error(unknown[0] + ': unknown key for exp=' + state.exp));
          if (link.errors.length) return Promise.reject(new Error(link.errors[0].message));
          state.values = link.values;
          buildControls();
          updateUrl();
          return run();
        });
      },
      /** The current share query and result document. */
      get() { return { query: shareQuery(), coreQuery: coreQuery(), view: state.view, result: state.doc }; },
      /** Subscribes to finished runs: fn(resultDocument). */
      on(event, fn) { if (listeners[event]) listeners[event].push(fn); },
      /** Test hook: makes the worker panic, to show how failures are reported. */
      _panic() { return runner.request('panic', '').catch((e) => { clearMessages('run'); showMessage('Worker error: ' + e.message + ' — the worker was restarted.', 'error', 'run'); throw e; }); },
    };
  }

  // ---------- start ----------
  function start() {
    wasm = window.wasmBindings;
    catalogue = JSON.parse(wasm.catalogue());
    runner = new Runner();
    const clean = applyLink(location.search);
    renderAll();
    if (!clean || !location.search.includes('v=')) updateUrl();
    $('run').addEventListener('click', () => run().catch(() => {}));
    $('cancel').addEventListener('click', () => { runSeq++; runner.cancel(); cancelPool(); setBusy(false); $('status').textContent = 'Cancelled — the plots show the last finished run.'; });
    $('copy-link').addEventListener('click', () => copyText(shareUrl(), 'Link'));
    $('copy-embed').addEventListener('click', () => copyText(embedCode(), 'Embed code'));
    $('play').addEventListener('click', () => (state.playing ? pause() : play()));
    $('step').addEventListener('click', stepBin);
    $('reset').addEventListener('click', resetTime);
    $('time').addEventListener('input', () => { pause(); state.upto = Number($('time').value); drawTimed(); });
    $('export-json').addEventListener('click', () => state.lastGood && download(new Blob([state.lastGood], { type: 'application/json' }), `lpu-${state.exp}-result.json`));
    $('export-csv').addEventListener('click', () => state.lastGood && download(new Blob([wasm.csv(state.lastGood)], { type: 'text/csv' }), `lpu-${state.exp}-result.csv`));
    $('export-network').addEventListener('click', () => runner.request('network', '').then((t) => t && download(new Blob([t], { type: 'application/json' }), `lpu-${state.exp}-network.json`)).catch((e) => showMessage('Export failed: ' + e.message, 'error')));
    let resizeTimer = null;
    addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawAll, 150); });
    // Time runs only while the plots are on screen and the tab is visible.
    new IntersectionObserver((entries) => { visible = entries.some((e) => e.isIntersecting) && !document.hidden; if (!visible) pause(); }).observe($('plots'));
    document.addEventListener('visibilitychange', () => { if (document.hidden) pause(); });
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
})();
