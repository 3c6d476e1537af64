// Plot figures: SVG drawn by the core from the typed result document it holds, shown as
// images, with PNG/SVG downloads and clicks mapped to data coordinates.

import { el, download } from './dom.js';
import { timings } from './runner.js';

/** Builds the figures of `plots` (the core's plot specs) into `box`. */
export function buildFigures(box, plots, opts, handlers) {
  box.replaceChildren();
  const figures = [];
  for (const p of plots) {
    if (opts.only && p.name !== opts.only) continue;
    if (opts.hidden(p.name)) continue;
    const png = el('button', { type: 'button', textContent: 'PNG', title: 'Download this plot as PNG' });
    const svg = el('button', { type: 'button', textContent: 'SVG', title: 'Download this plot as SVG' });
    const cap = el('figcaption', {}, el('span', { textContent: p.title }), el('span', { className: 'spacer' }), png, svg);
    const img = el('img', { alt: p.title, draggable: false });
    const holder = el('div', { className: 'canvas-box' }, img);
    const err = el('div', { className: 'plot-error' });
    const fig = el('figure', { className: 'plot' + (p.wide && !opts.only ? ' wide' : '') + (p.clickable ? ' clickable' : ''), dataset: { plot: p.name } }, cap, holder, err);
    if (p.hint) fig.append(el('p', { className: 'hint', textContent: p.hint }));
    box.append(fig);
    const f = { ...p, fig, img, holder, err, svg: null, frame: null, width: 0, height: 0, url: null };
    png.addEventListener('click', () => exportPng(f, handlers.fileName(p.name)));
    svg.addEventListener('click', () => f.svg && download(new Blob([f.svg], { type: 'image/svg+xml' }), handlers.fileName(p.name) + '.svg'));
    if (p.clickable) img.addEventListener('click', (e) => clickAt(f, e, handlers.onClick));
    // A clickable plot that a live update redraws can also be dragged across: each move asks
    // for the live update of the point under the pointer; the release's click applies it.
    if (p.clickable && p.live && handlers.onDrag) {
      img.addEventListener('pointermove', (e) => { if (e.buttons & 1) clickAt(f, e, handlers.onDrag); });
    }
    figures.push(f);
  }
  return figures;
}

/** Draws figure `f` from the typed document `doc`; `upto` is the player's row or null. */
export function drawFigure(f, doc, upto, fit) {
  const width = Math.max(260, Math.round(f.holder.clientWidth || 600));
  // Narrow screens get taller plots: stacked panels stay readable on a phone.
  const aspect = width < 520 ? Math.max(f.aspect, 0.85) : f.aspect;
  const height = Math.max(180, Math.round(width * (fit ? Math.min(aspect, (innerHeight - 60) / width) : aspect)));
  let out;
  try {
    out = doc.render(f.name, width, height, f.timed && upto !== null ? upto : -1);
  } catch (e) {
    f.err.textContent = e.message || String(e);
    return;
  }
  f.err.textContent = '';
  Object.assign(f, { svg: out.svg, frame: out.frame, width, height });
  const url = URL.createObjectURL(new Blob([out.svg], { type: 'image/svg+xml' }));
  const old = f.url;
  f.url = url;
  f.img.onload = () => {
    if (old) URL.revokeObjectURL(old);
    if (f.clickable && timings.firstPortrait === null) timings.firstPortrait = performance.now();
    f.fig.dataset.drawn = '1';
  };
  f.img.src = url;
}

function clickAt(f, e, onClick) {
  if (!f.frame) return;
  const scale = f.width / f.img.clientWidth;
  const px = e.offsetX * scale, py = e.offsetY * scale;
  const [l, t, r, b] = f.frame.pixels;
  const [x0, x1, y0, y1] = f.frame.data;
  if (px < l || px > r || py < t || py > b) return;
  onClick(f.name, x0 + ((px - l) / (r - l)) * (x1 - x0), y1 - ((py - t) / (b - t)) * (y1 - y0));
}

async function exportPng(f, name) {
  if (!f.svg) return;
  const scale = Math.max(2, Math.ceil(window.devicePixelRatio || 1));
  const url = URL.createObjectURL(new Blob([f.svg], { type: 'image/svg+xml' }));
  const img = new Image();
  img.src = url;
  await img.decode();
  const c = el('canvas', { width: f.width * scale, height: f.height * scale });
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(img, 0, 0, c.width, c.height);
  URL.revokeObjectURL(url);
  c.toBlob((b) => download(b, name + '.png'), 'image/png');
}
