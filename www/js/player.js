// The player: play / pause / step / reset and a time slider over the rows of a result that is
// a trial in time (the core's timeline: times and the rows one step advances).

import { $ } from './dom.js';

export class Player {
  constructor({ onTime }) {
    this.onTime = onTime;
    this.timeline = null;
    this.upto = null;
    this.playing = false;
    this.visible = true;
    this.raf = null;
    $('play').addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    $('step').addEventListener('click', () => this.step());
    $('reset').addEventListener('click', () => { this.pause(); this.set(0); });
    $('time').addEventListener('input', () => { this.pause(); this.set(Number($('time').value)); });
  }
  get length() { return this.timeline ? this.timeline.time.length : 0; }
  /** A new result: its timeline (or null when it has none). */
  load(timeline) {
    this.timeline = timeline;
    const n = this.length;
    $('player').hidden = n === 0;
    $('time').max = Math.max(0, n - 1);
    if (this.upto !== null && this.upto >= n) this.upto = null;
    $('time').value = this.upto === null ? n - 1 : this.upto;
    this.show();
  }
  set(upto) {
    this.upto = upto;
    $('time').value = upto;
    this.show();
    this.onTime(upto);
  }
  show() {
    const n = this.length;
    const i = this.upto === null ? n - 1 : this.upto;
    $('time-out').textContent = n ? `${this.timeline.time[i].toFixed(3)} s` : '–';
  }
  setVisible(v) { this.visible = v; if (!v) this.pause(); }
  play() {
    const n = this.length;
    if (!n) return;
    if (this.upto === null || this.upto >= n - 1) this.upto = 0;
    this.playing = true;
    $('play').textContent = '❚❚ Pause';
    let last = 0;
    const tick = (now) => {
      if (!this.playing) return;
      if (!this.visible) { this.pause(); return; }
      if (now - last > 40) {
        last = now;
        this.set(Math.min(n - 1, this.upto + Math.max(1, Math.round(n / 200))));
        if (this.upto >= n - 1) { this.pause(); return; }
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }
  pause() { this.playing = false; cancelAnimationFrame(this.raf); $('play').textContent = '▶ Play'; }
  step() {
    this.pause();
    const n = this.length;
    if (!n) return;
    this.set(this.upto === null ? 0 : Math.min(n - 1, this.upto + this.timeline.step));
  }
}
