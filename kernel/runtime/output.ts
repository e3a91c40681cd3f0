/**
 * The one channel from runtime helpers (display, progress bars, record) to whoever runs the cell.
 *
 * The engine (kernel/engine) installs a sink before it runs cells; the sink turns a MIME bundle
 * into a Jupyter `display_data` / `update_display_data` message or a notebook output. Outside a
 * notebook there is no sink and helpers print their text/plain form to stdout.
 *
 * The sink lives on globalThis under a registered symbol (kernel/protocol/keys.ts) so that every
 * copy of this module (the engine's and the cells') sees the same one.
 */
import {
  DISPLAY_SINK_KEY,
  DISPLAYED_RESULT_KEY,
  type DisplayOptions,
  type DisplaySink,
  type MimeBundle,
} from '../protocol';

export type { DisplayOptions, DisplaySink, MimeBundle };

type Holder = { [DISPLAY_SINK_KEY]?: DisplaySink | null };

export function setDisplaySink(sink: DisplaySink | null): void {
  (globalThis as Holder)[DISPLAY_SINK_KEY] = sink;
}

export function getDisplaySink(): DisplaySink | null {
  return (globalThis as Holder)[DISPLAY_SINK_KEY] ?? null;
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

type ShownHolder = { [DISPLAYED_RESULT_KEY]?: { value: unknown } };

/**
 * Marks `value` as already displayed by the helper that returns it (`check`'s pass/fail, a
 * figure a plot helper has drawn, a recorded value), and returns it. A cell that ends in that
 * call then leaves no `Out[n]`: the engine compares the cell's final value with the last value
 * marked while the cell ran. The value itself is unchanged for code that uses it.
 */
export function displayedResult<T>(value: T): T {
  (globalThis as ShownHolder)[DISPLAYED_RESULT_KEY] = { value };
  return value;
}

/**
 * Clears the cell's output so far (Jupyter's `clear_output`), IPython's pattern for a plot that
 * redraws in place in a training loop. With `wait: true` the output is cleared only when the next
 * output arrives, so the cell does not flicker. nbconvert clears the saved outputs in the same way;
 * outside a notebook, and in the grader (which keeps no outputs), nothing happens.
 */
export function clearOutput(options: { wait?: boolean } = {}): void {
  const wait = options?.wait ?? false;
  if (typeof wait !== 'boolean')
    throw new TypeError(`clearOutput: wait must be true or false, got ${JSON.stringify(wait) ?? String(wait)}`);
  getDisplaySink()?.clearOutput?.(wait);
}
