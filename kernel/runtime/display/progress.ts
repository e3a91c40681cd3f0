/**
 * Progress bars for long loops, updated in place.
 *
 * In a notebook the first draw is a display output with a fresh displayId and every later draw
 * replaces it (`update_display_data`); draws are throttled to one per `every` seconds (default
 * 0.1, so ≤ 10 per second) and the last state is always drawn when the loop ends. Outside a
 * notebook it writes to stderr: one line rewritten with `\r` on a terminal, otherwise a line at
 * most every 5 s plus the final one (CI logs stay short).
 *
 *   for (const i of progress(numIters, { label: 'training' })) { ... }
 *   for (const batch of progress(batches)) { ... }
 *   const bar = new ProgressBar(n, { label: 'folds' }); ...; bar.update(done); ...; bar.close();
 */
import { emit, getDisplaySink } from '../output';
import { escapeHtml } from './html';
import { DisplayArgumentError } from './data';

export interface ProgressOptions {
  /** Shown before the bar. */
  label?: string;
  /** Number of steps; taken from the input's length/size when it has one. */
  total?: number;
  /** Minimum seconds between redraws (default 0.1). The final state is always drawn. */
  every?: number;
  /** Characters in the text bar (default 24). */
  width?: number;
}

/** A time in seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function formatRate(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return '? it/s';
  if (rate >= 1) return `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} it/s`;
  return `${(1 / rate).toFixed(1)} s/it`;
}

let nextId = 0;

export interface ProgressState {
  count: number;
  total?: number;
  /** Seconds since the bar was created. */
  elapsed: number;
  /** Steps per second so far. */
  rate: number;
  /** Seconds left at the current rate (undefined without a total). */
  eta?: number;
  done: boolean;
}

export class ProgressBar {
  readonly label: string;
  readonly total?: number;
  readonly displayId: string;
  private readonly every: number;
  private readonly width: number;
  private readonly start = performance.now();
  private count = 0;
  private lastDraw = -Infinity;
  private drawn = false;
  private closed = false;
  private lastLineLength = 0;

  constructor(total?: number, options: ProgressOptions = {}) {
    const t = options.total ?? total;
    if (t !== undefined && !(Number.isFinite(t) && t >= 0))
      throw new DisplayArgumentError(`ProgressBar: total must be a number ≥ 0, got ${t}`);
    this.total = t;
    this.label = options.label ?? '';
    this.every = Math.max(0, options.every ?? 0.1);
    this.width = Math.max(5, options.width ?? 24);
    this.displayId = `ts231n-progress-${process.pid}-${++nextId}-${Date.now().toString(36)}`;
    this.draw(true);
  }

  /** Steps done so far, elapsed time, rate and ETA. */
  state(): ProgressState {
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.count / elapsed : 0;
    const eta = this.total !== undefined && rate > 0 ? Math.max(0, this.total - this.count) / rate : undefined;
    return { count: this.count, total: this.total, elapsed, rate, eta, done: this.closed };
  }

  /** Sets the number of steps done (e.g. `bar.update(i + 1)` after step i). Reaching the total closes the bar. */
  update(count: number): void {
    if (!(typeof count === 'number' && count >= 0 && Number.isFinite(count)))
      throw new DisplayArgumentError(`ProgressBar.update: count must be a number ≥ 0, got ${count}`);
    if (this.closed) return;
    this.count = count;
    if (this.total !== undefined && count >= this.total) this.close();
    else this.draw(false);
  }

  /** Adds `n` steps (default 1). */
  tick(n = 1): void {
    this.update(this.count + n);
  }

  /** Same as `close()`: reads well after a manually driven loop. */
  done(): void {
    this.close();
  }

  /** Draws the final state (also when a loop ends early) and stops updating. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.draw(true);
    if (!getDisplaySink() && process.stderr.isTTY) process.stderr.write('\n');
  }

  /** The bar as one line of text, e.g. `training  45% |██████████░░░░░░░░░░░░░░| 450/1000 [0:03<0:04, 150.2 it/s]`. */
  text(): string {
    const s = this.state();
    const label = this.label ? `${this.label} ` : '';
    const timing = `[${formatDuration(s.elapsed)}${s.total !== undefined ? `<${s.done ? '0:00' : formatDuration(s.eta ?? NaN)}` : ''}, ${formatRate(s.rate)}]`;
    if (s.total === undefined) return `${label}${s.count} it ${timing}`;
    const frac = s.total > 0 ? Math.min(1, s.count / s.total) : 1;
    const full = Math.round(frac * this.width);
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    return `${label}${pct} |${'█'.repeat(full)}${'░'.repeat(this.width - full)}| ${s.count}/${s.total} ${timing}`;
  }

  private html(): string {
    const s = this.state();
    const frac = s.total === undefined ? undefined : s.total > 0 ? Math.min(1, s.count / s.total) : 1;
    const colour = s.done ? '#1a7f37' : '#4c78a8';
    const bar =
      frac === undefined
        ? ''
        : `<div style="display:inline-block;vertical-align:middle;width:240px;height:12px;background:#e6e6e6;border-radius:3px;margin:0 8px"><div style="width:${(frac * 100).toFixed(1)}%;height:100%;background:${colour};border-radius:3px"></div></div>`;
    const rest = this.text()
      .replace(/^.*\| /, '')
      .replace(this.label ? `${this.label} ` : '', '');
    const pct = frac === undefined ? '' : `${Math.floor(frac * 100)}% `;
    return `<div style="font-family:monospace;font-size:12px">${escapeHtml(this.label)}${bar}${pct}${escapeHtml(rest)}</div>`;
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < this.every * 1000) return;
    const sink = getDisplaySink();
    if (sink) {
      emit({ 'text/html': this.html(), 'text/plain': this.text() }, { displayId: this.displayId, update: this.drawn });
    } else if (process.stderr.isTTY) {
      const line = this.text();
      process.stderr.write('\r' + line + ' '.repeat(Math.max(0, this.lastLineLength - line.length)));
      this.lastLineLength = line.length;
    } else if (this.closed || now - this.lastDraw >= 5000) {
      process.stderr.write(this.text() + '\n');
    } else return;
    this.drawn = true;
    this.lastDraw = now;
  }
}

/**
 * What `progress()` returns: iterate it, or drive its bar by hand when the loop lives elsewhere
 * (`const p = progress(numIters); net.train(..., { onIteration: (it) => p.update(it + 1) }); p.close()`).
 */
export interface ProgressControls {
  readonly bar: ProgressBar;
  /** `bar.update(count)`: sets the number of steps done. */
  update(count: number): void;
  /** `bar.tick(n)`: adds n steps (default 1). */
  tick(n?: number): void;
  /** `bar.close()`: draws the final state. */
  close(): void;
  /** Same as `close()`. */
  done(): void;
}

/** An iterable that draws a progress bar while it is consumed; `bar` is the bar. */
export interface ProgressIterable<T> extends Iterable<T>, ProgressControls {}

export interface AsyncProgressIterable<T> extends AsyncIterable<T>, ProgressControls {}

function controls(getBar: () => ProgressBar): ProgressControls {
  return {
    get bar() {
      return getBar();
    },
    update: (count: number) => getBar().update(count),
    tick: (n?: number) => getBar().tick(n),
    close: () => getBar().close(),
    done: () => getBar().close(),
  };
}

function sizeOf(items: unknown): number | undefined {
  if (typeof items !== 'object' || items === null) return undefined;
  const o = items as { length?: unknown; size?: unknown };
  if (typeof o.length === 'number') return o.length;
  if (typeof o.size === 'number') return o.size;
  return undefined;
}

/**
 * Wraps a loop in a progress bar: `progress(n)` yields 0 … n−1; `progress(items)` yields the
 * items (arrays, generators, Maps …; async iterables with `for await`). Ending the loop early
 * draws the final state too. The bar is created when iteration starts.
 */
export function progress(total: number, options?: ProgressOptions): ProgressIterable<number>;
export function progress<T>(items: Iterable<T>, options?: ProgressOptions): ProgressIterable<T>;
export function progress<T>(items: AsyncIterable<T>, options?: ProgressOptions): AsyncProgressIterable<T>;
export function progress<T>(
  items: number | Iterable<T> | AsyncIterable<T>,
  options: ProgressOptions = {},
): ProgressIterable<T | number> | AsyncProgressIterable<T> {
  if (typeof items === 'number') {
    if (!(Number.isInteger(items) && items >= 0))
      throw new DisplayArgumentError(`progress(n): n must be a whole number ≥ 0, got ${items}`);
    const n = items;
    return progress<number>(
      (function* () {
        for (let i = 0; i < n; i++) yield i;
      })(),
      { ...options, total: options.total ?? n },
    );
  }
  const total = options.total ?? sizeOf(items);
  let bar: ProgressBar | undefined;
  const getBar = (): ProgressBar => (bar ??= new ProgressBar(total, options));
  if (items != null && typeof (items as Iterable<T>)[Symbol.iterator] === 'function') {
    const source = items as Iterable<T>;
    return Object.assign(controls(getBar), {
      *[Symbol.iterator]() {
        const b = getBar();
        try {
          for (const item of source) {
            yield item;
            b.tick();
          }
        } finally {
          b.close();
        }
      },
    });
  }
  if (items != null && typeof (items as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') {
    const source = items as AsyncIterable<T>;
    return Object.assign(controls(getBar), {
      async *[Symbol.asyncIterator]() {
        const b = getBar();
        try {
          for await (const item of source) {
            yield item;
            b.tick();
          }
        } finally {
          b.close();
        }
      },
    });
  }
  throw new DisplayArgumentError('progress(x): x must be a number of steps or an iterable (array, generator, Map …)');
}
