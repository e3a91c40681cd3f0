/**
 * How a cell's final value is shown: the engine asks `mimeBundleOf(value)` (through the global
 * registry below, so it needs no import of the runtime) and falls back to its own text form when
 * the answer is undefined.
 */
import { MIME_BUNDLE_OF_KEY, type MimeBundle } from '../../protocol';
import { isTensor } from '../record';
import { Figure } from './figure';
import { tensorToBundle } from './showTensor';

/**
 * A tensor → HTML table + text; a Figure (or any object with a `toBundle()` method, also from
 * another copy of this module) → its bundle; anything else → undefined.
 *
 * A figure that was already displayed (a cell ending in `plotLines({...})`, which shows the plot
 * and returns it) gives only its text form, `<Figure "loss" 479×307>`, so the plot is not drawn
 * twice — like matplotlib's `[<matplotlib.lines.Line2D …>]`. `fig.show()` draws it again.
 */
export function mimeBundleOf(value: unknown): MimeBundle | undefined {
  if (isTensor(value)) return tensorToBundle(value);
  if (value instanceof Figure) return value.shown ? { 'text/plain': value.toString() } : value.toBundle();
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { shown?: unknown }).shown === true &&
    typeof (value as { toBundle?: unknown }).toBundle === 'function'
  ) {
    return { 'text/plain': String(value) };
  }
  if (typeof value === 'object' && value !== null && typeof (value as { toBundle?: unknown }).toBundle === 'function') {
    const bundle = (value as { toBundle(): unknown }).toBundle();
    if (typeof bundle === 'object' && bundle !== null && !Array.isArray(bundle)) return bundle as MimeBundle;
  }
  return undefined;
}

/** The engine looks the function up here: `globalThis[MIME_BUNDLE_OF_KEY]` (kernel/protocol/keys.ts). */
export { MIME_BUNDLE_OF_KEY };
(globalThis as { [MIME_BUNDLE_OF_KEY]?: typeof mimeBundleOf })[MIME_BUNDLE_OF_KEY] = mimeBundleOf;
