// Small DOM helpers. Every text goes through textContent: nothing from a URL, a file or the
// core is ever inserted as HTML.

export const $ = (id) => document.getElementById(id);

/** An element with properties and children (strings become text nodes). */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'className') e.className = v;
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export function showMessage(text, kind = 'warn', key = null) {
  const close = el('button', { type: 'button', textContent: '×', title: 'Dismiss' });
  const div = el('div', { className: 'message ' + kind }, el('span', { textContent: text }), close);
  if (key) div.dataset.key = key;
  close.addEventListener('click', () => div.remove());
  $('messages').append(div);
  return div;
}

export function clearMessages(key) {
  for (const m of $('messages').querySelectorAll('.message')) if (!key || m.dataset.key === key) m.remove();
}

export function download(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

export async function copyText(text, what) {
  clearMessages('copy');
  window.__lpuLastCopied = text;
  try {
    await navigator.clipboard.writeText(text);
    showMessage(what + ' copied to the clipboard.', 'info', 'copy');
  } catch (_) {
    // No clipboard permission (e.g. in an iframe): show it to copy by hand.
    const m = showMessage(what + ': ', 'info', 'copy');
    const input = el('input', { value: text, readOnly: true });
    input.style.flex = '1';
    m.insertBefore(input, m.lastChild);
    input.select();
  }
}
