/**
 * The one channel from runtime helpers (display, progress bars, record) to whoever runs the cell.
 *
 * The engine (kernel/engine) installs a sink before it runs cells; the sink turns a MIME bundle
 * into a Jupyter `display_data` / `update_display_data` message or a notebook output. Outside a
 * notebook there is no sink and helpers print their text/plain form to stdout.
 *
 * The sink lives on globalThis under a registered symbol so that every copy of this module
 * (the engine's and the cells') sees the same one.
 */
export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  /** Names the output so a later call with `update: true` replaces it in place. */
  displayId?: string;
  /** Replace the output with this displayId (Jupyter `update_display_data`). */
  update?: boolean;
  /** nbformat output metadata, e.g. `{ 'image/png': { width: 320 } }`. */
  metadata?: Record<string, unknown>;
}

export interface DisplaySink {
  display(bundle: MimeBundle, options?: DisplayOptions): void;
}

const KEY = Symbol.for('ts231n.displaySink');
type Holder = { [KEY]?: DisplaySink | null };

export function setDisplaySink(sink: DisplaySink | null): void {
  (globalThis as Holder)[KEY] = sink;
}

export function getDisplaySink(): DisplaySink | null {
  return (globalThis as Holder)[KEY] ?? null;
}

/** Show a MIME bundle: through the sink in a notebook, as its text/plain on stdout elsewhere. */
export function emit(bundle: MimeBundle, options: DisplayOptions = {}): void {
  const sink = getDisplaySink();
  if (sink) {
    sink.display(bundle, options);
    return;
  }
  const text = bundle['text/plain'];
  if (typeof text === 'string' && !options.update) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

const SHOWN = Symbol.for('ts231n.displayedResult');
type ShownHolder = { [SHOWN]?: { value: unknown } };

/**
 * Marks `value` as already displayed by the helper that returns it (`check`'s pass/fail, a
 * figure a plot helper has drawn, a recorded value), and returns it. A cell that ends in that
 * call then leaves no `Out[n]`: the engine compares the cell's final value with the last value
 * marked while the cell ran. The value itself is unchanged for code that uses it.
 */
export function displayedResult<T>(value: T): T {
  (globalThis as ShownHolder)[SHOWN] = { value };
  return value;
}
