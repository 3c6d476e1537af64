// Files a person loads into the page (a network file, a recording). The core lists their kinds
// (catalogue.uploads): the key=value that asks for each, the link key that names a loaded file
// by its hash, the file names accepted, the size limits and how a file travels to the worker.
// Files go only to this page's worker: nothing leaves the machine, and links carry hashes.
// This script names no kind: everything below comes from that list.

import { $, el, showMessage, clearMessages } from './dom.js';

const extOf = (name) => { const i = name.lastIndexOf('.'); return i < 0 ? '' : name.slice(i).toLowerCase(); };
const mib = (bytes) => `${Math.round(bytes / 1048576)} MiB`;

// A file's bytes as base64 (the worker protocol carries text).
function base64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new Error('cannot read the file: ' + (r.error ? r.error.message : 'unknown error')));
    r.readAsDataURL(file);
  });
}

export class Uploads {
  /** `kinds`: catalogue.uploads; `hooks.loaded(kind, info)` runs after a file loads. */
  constructor(kinds, runner, hooks) {
    this.kinds = kinds;
    this.runner = runner;
    this.hooks = hooks;
    this.loaded = {}; // kind → {hash, description, sets}
    this.linked = {}; // kind → the hash a link asks for
  }
  byKind(kind) { return this.kinds.find((u) => u.kind === kind); }
  /** One bar per kind: a file button and a status line. */
  render(container) {
    for (const u of this.kinds) {
      const input = el('input', { id: `${u.kind}-file`, type: 'file', accept: u.extensions.concat(u.label_extensions).join(','), multiple: u.label_extensions.length > 0 });
      input.addEventListener('change', () => { this.load(u, [...input.files]); input.value = ''; });
      const label = el('label', { className: 'file-button', title: u.title }, u.label + ' ', input);
      container.append(el('div', { className: 'upload-bar', id: `${u.kind}-bar` }, label, el('span', { id: `${u.kind}-status`, className: 'status', textContent: u.empty })));
    }
  }
  /** Whether experiment `exp` (with parameter specs `specs`) takes kind `u`: it is one of the
   * kind's experiments, or its specs offer key=value. */
  takes(u, exp, specs) {
    if (u.experiments) return u.experiments.includes(exp);
    const s = specs.find((p) => p.key === u.key);
    return !!(s && s.options.includes(u.value));
  }
  /** Shows the bars of the kinds the experiment takes, and of those loaded. */
  showFor(exp, specs) {
    for (const u of this.kinds) $(`${u.kind}-bar`).hidden = !this.takes(u, exp, specs) && !this.loaded[u.kind];
    this.exp = exp;
    this.specs = specs;
  }
  /** The kinds the values ask for. */
  inUse(values) { return this.kinds.filter((u) => u.key && values[u.key] === u.value); }
  /** Link keys naming the files the values use: `data=<hash>`. */
  linkKeys(values) {
    return this.inUse(values).map((u) => [u.link, (this.loaded[u.kind] || {}).hash || this.linked[u.kind]]).filter(([, h]) => h).map(([k, h]) => `${k}=${h}`);
  }
  /** The hashes a link's view keys ask for; says which file to load for each one missing. */
  fromLink(view) {
    this.linked = {};
    for (const u of this.kinds) {
      const h = u.link && view[u.link];
      if (!h) continue;
      this.linked[u.kind] = h;
      if (!this.loaded[u.kind] || this.loaded[u.kind].hash !== h) {
        showMessage(`This link needs the file whose hash is ${h}: load it with "${u.label}" (or drop it onto the page), then run. Files never travel in links.`, 'warn', 'link');
      }
    }
  }
  /** Loads dropped files as the first kind that accepts them, among those the view takes first
   * (a .json is a model file in a view that takes models, a network file elsewhere). */
  drop(files) {
    const shown = this.kinds.filter((u) => this.takes(u, this.exp, this.specs || []));
    for (const u of shown.concat(this.kinds.filter((u) => !shown.includes(u)))) {
      if (files.some((f) => u.extensions.includes(extOf(f.name)))) { this.load(u, files); return; }
    }
    const names = files.map((f) => f.name).join(', ');
    const accepted = this.kinds.map((u) => `${u.label.toLowerCase()}: ${u.extensions.join(', ')}`).join('; ');
    showMessage(`Nothing was loaded from ${names}: the page takes ${accepted}.`, 'error', 'upload');
  }
  /** Loads `files` as kind `u`: a bad file leaves the worker's file of that kind as it was. */
  load(u, files) {
    clearMessages(u.kind);
    clearMessages('upload');
    if (!files.length) return Promise.resolve();
    const main = files.find((f) => u.extensions.includes(extOf(f.name))) || files[0];
    const labels = files.find((f) => f !== main && u.label_extensions.includes(extOf(f.name))) || null;
    const extra = files.filter((f) => f !== main && f !== labels);
    if (extra.length) showMessage(`Not used: ${extra.map((f) => f.name).join(', ')} (one ${u.label.replace(/^Load /, '')} file${u.label_extensions.length ? ' and one labels file' : ''} at a time).`, 'warn', u.kind);
    const tooBig = (f, limit) => f.size > limit && `The file "${f.name}" has ${f.size} bytes, more than the limit of ${mib(limit)}; nothing was loaded.`;
    const big = tooBig(main, u.max_bytes) || (labels && tooBig(labels, u.max_label_bytes));
    if (big) { showMessage(big, 'error', u.kind); return Promise.resolve(); }
    const request = u.encoding === 'text'
      ? main.text().then((text) => ({ kind: u.request, text }))
      : Promise.all([base64(main), labels ? base64(labels) : null]).then(([data, l]) => ({ kind: u.request, name: main.name, data, labels: labels ? [labels.name, l] : null }));
    return request.then((r) => this.send(u, r)).catch((e) => {
      const had = this.loaded[u.kind];
      showMessage(`The file "${main.name}" was not loaded: ${e.message}. The page goes on with ${had ? 'the file loaded before' : 'no ' + u.label.replace(/^Load /, '')}.`, 'error', u.kind);
    });
  }
  /** Sends a load request for kind `u` (kept for a replaced worker); resolves when it is loaded. */
  send(u, request) {
    const before = this.runner.setup.get(u.kind);
    return this.runner.remember(u.kind, request).then((answer) => this.done(u, JSON.parse(answer)), (e) => {
      if (before) this.runner.setup.set(u.kind, before);
      else this.runner.setup.delete(u.kind);
      throw e;
    });
  }
  done(u, info) {
    this.loaded[u.kind] = info;
    const want = this.linked[u.kind];
    const note = want && want !== info.hash ? ` — not the file this link asks for (${want})` : '';
    $(`${u.kind}-status`).textContent = `Loaded: ${info.description} (hash ${info.hash})${note}`;
    $(`${u.kind}-bar`).hidden = false;
    clearMessages(u.kind);
    if (!note) clearMessages('link');
    showMessage(u.key ? `Loaded ${info.description}. Views with ${u.key}=${u.value} run on it.` : `Loaded ${info.description}.`, 'info', u.kind);
    this.hooks.loaded(u, info);
  }
}
