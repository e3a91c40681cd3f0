/**
 * Keys of the process-wide registries on `globalThis` (docs/architecture.md, contract 4). They are
 * `Symbol.for` keys so that every copy of the runtime a process loads (the engine's, the cells',
 * the grader's) finds the same object.
 */

/** The display sink (`DisplaySink`), installed by the engine while a cell runs. */
export const DISPLAY_SINK_KEY: unique symbol = Symbol.for('ts231n.displaySink');
/** `mimeBundleOf(value)`, registered by the runtime; the engine asks it how to show a cell's value. */
export const MIME_BUNDLE_OF_KEY: unique symbol = Symbol.for('ts231n.mimeBundleOf');
/** The values `record` stored in this process (id → encoded value), read by `check`. */
export const RECORDS_KEY: unique symbol = Symbol.for('ts231n.records');
