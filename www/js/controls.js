// Controls built from the core's parameter specs (key, label, unit, kind, options, range,
// widget): the page knows no parameter by name. Limits are the core's; a control only
// mirrors them, and every change goes back to the core for checking.

import { el } from './dom.js';

function labelFor(spec, forId) {
  const label = el('label', { htmlFor: forId, textContent: spec.label || spec.key });
  if (spec.unit) label.append(el('span', { className: 'unit', textContent: ' (' + spec.unit + ')' }));
  label.title = `${spec.key}: ${spec.help}. Allowed: ${spec.allowed}.`;
  return label;
}

function plain(spec, value, onChange) {
  const wrap = el('div', { className: 'control', dataset: { key: spec.key } });
  const id = 'ctl-' + spec.key;
  if (spec.kind === 'choice') {
    const select = el('select', { id, name: spec.key });
    for (const o of spec.options) select.append(el('option', { value: o, textContent: o }));
    select.value = value ?? spec.default;
    select.addEventListener('change', () => onChange(spec.key, select.value));
    wrap.append(labelFor(spec, id), select, el('div', { className: 'help', textContent: spec.help }));
    return wrap;
  }
  const input = el('input', { id, name: spec.key });
  if (spec.kind === 'int' || spec.kind === 'float') {
    Object.assign(input, { type: 'number', min: spec.min, max: spec.max, step: spec.kind === 'int' ? '1' : 'any' });
  } else input.type = 'text';
  input.value = value ?? spec.default;
  input.addEventListener('change', () => onChange(spec.key, input.value.trim()));
  wrap.append(labelFor(spec, id), input, el('div', { className: 'help', textContent: spec.help + ' · ' + spec.allowed }));
  return wrap;
}

// One slider per list item (e.g. a constant input per channel): dragging asks for the
// experiment's live update, release applies the value.
function sliders(spec, values, handlers) {
  const w = spec.widget;
  const wrap = el('div', { className: 'control', dataset: { key: spec.key } });
  const count = Math.max(0, Number(values[w.count_key]) || 0);
  const current = String(values[spec.key] || '').split(',').filter((s) => s !== '').map(Number);
  const title = el('label', { htmlFor: 'ctl-' + spec.key + '-0', textContent: spec.label || spec.key });
  title.title = `${spec.key}: ${spec.help}. Allowed: ${spec.allowed}.`;
  wrap.append(title, el('span'));
  const inputs = [];
  const value = () => inputs.map((x) => +Number(x.value).toFixed(3)).join(',').replace(/(,0)+$/, '').replace(/^0$/, '');
  for (let c = 0; c < count; c++) {
    // The slider spans ±span, and further when the value (typed or linked) lies outside.
    const v = current[c] ?? 0;
    const reach = Math.min(spec.max, Math.max(w.span, Math.abs(v)));
    const s = el('input', { type: 'range', id: 'ctl-' + spec.key + '-' + c, min: -reach, max: reach, step: 0.01 });
    s.value = v;
    const out = el('output', { textContent: Number(s.value).toFixed(2) });
    s.addEventListener('input', () => { out.textContent = Number(s.value).toFixed(2); handlers.onLive(spec.key, value()); });
    s.addEventListener('change', () => handlers.onChange(spec.key, value()));
    inputs.push(s);
    const row = el('div', { className: 'control' }, el('label', { htmlFor: s.id, textContent: w.item_label + (c + 1) }), out, s);
    row.style.gridColumn = '1 / -1';
    wrap.append(row);
  }
  wrap.append(el('div', { className: 'help', textContent: w.hint ? spec.help + ' · ' + w.hint : spec.help }));
  return wrap;
}

// A slider beside a number box for one number: dragging asks for the experiment's live
// update, release (or typing) applies the value.
function slider(spec, value, handlers) {
  const w = spec.widget;
  const node = plain(spec, value, handlers.onChange);
  const box = node.querySelector('input');
  const v = Number(box.value);
  const reach = Math.min(spec.max, Math.max(w.span, Number.isFinite(v) ? v : 0));
  const s = el('input', { type: 'range', id: 'ctl-' + spec.key + '-slider', min: spec.min, max: reach, step: (reach - spec.min) / 300 });
  s.value = box.value;
  s.setAttribute('aria-label', (spec.label || spec.key) + ' slider');
  s.addEventListener('input', () => { box.value = s.value; handlers.onLive(spec.key, s.value); });
  s.addEventListener('change', () => handlers.onChange(spec.key, s.value));
  box.addEventListener('input', () => { s.value = box.value; });
  box.after(s);
  const help = node.querySelector('.help');
  if (help && w.hint) help.textContent += ' · ' + w.hint;
  return node;
}

/**
 * Fills `form` with the controls of `specs`: the view's main keys first, the rest under
 * "More parameters". `hidden(key)` hides a control for a lesson.
 */
export function buildControls(form, specs, view, values, hidden, handlers) {
  form.replaceChildren();
  const main = view.main || [];
  const more = el('details', { className: 'more' }, el('summary', { textContent: 'More parameters' }));
  const ordered = [...main.map((k) => specs.find((s) => s.key === k)).filter(Boolean), ...specs.filter((s) => !main.includes(s.key))];
  for (const spec of ordered) {
    if (!applies(spec, values)) continue;
    const type = spec.widget && spec.widget.type;
    const node = type === 'sliders' ? sliders(spec, values, handlers)
      : type === 'slider' ? slider(spec, values[spec.key], handlers)
        : plain(spec, values[spec.key], handlers.onChange);
    if (hidden(spec.key)) node.classList.add('hidden-by-link');
    (main.includes(spec.key) ? form : more).append(node);
  }
  if (more.children.length > 1) form.append(more);
}

/** Whether a key applies under the other values (the core says when it applies only with another key's value). */
export function applies(spec, values) {
  return !spec.shown_if || ((values[spec.shown_if.key] ?? '') === spec.shown_if.value) !== !!spec.shown_if.not;
}

/** Keys whose control depends on another key's value (a slider count, or a key that applies only with it). */
export function dependents(specs, key) {
  return specs.filter((s) => (s.widget && s.widget.count_key === key) || (s.shown_if && s.shown_if.key === key)).map((s) => s.key);
}
