/**
 * `record(id, value)` and the per-process store of what was recorded (which `check` reads).
 *
 * `record` emits a display output whose bundle carries the record MIME type with a
 * `RecordPayload` (kernel/protocol/record.ts; contract 3 in docs/architecture.md) plus a readable
 * `text/plain`. The grader reads these outputs back.
 */
import {
  decodeValue,
  encodeNotImplemented,
  encodeValue,
  notImplementedOf,
  RECORD_MIME,
  RECORDS_KEY,
  RecordError,
  type Encoded,
  type RecordPayload,
} from '../../protocol';
import { displayedResult, emit } from '../output';
import { checkId, evaluate, isThenable } from './argument';
import { describeValue } from './describe';

/** id → encoded value; a record whose thunk hit an empty TODO holds the `$notImplemented` marker. */
type StoreHolder = { [RECORDS_KEY]?: Map<string, Encoded> };

/** The store, shared by every copy of the runtime in this process. */
export function store(): Map<string, Encoded> {
  const g = globalThis as StoreHolder;
  if (!g[RECORDS_KEY]) g[RECORDS_KEY] = new Map();
  return g[RECORDS_KEY];
}

/** The last value recorded under `id` in this process (decoded), or undefined (also for an unimplemented one). */
export function recordedValue(id: string): unknown {
  const s = store().get(id);
  return s === undefined || notImplementedOf(s) ? undefined : decodeValue(s);
}

/** Forgets every recorded value (tests; a restarted kernel starts empty anyway). */
export function clearRecords(): void {
  store().clear();
}

/**
 * Records a value for the grader and returns it. With a thunk, records what it returns; if the
 * thunk throws `NotImplementedError`, prints "not implemented yet: <fn> in <file>", records that
 * fact and returns undefined. Other errors propagate (the cell fails with the student's error).
 *
 * `const dists = record('knn.dists_two_loops', () => knn.computeDistancesTwoLoops(XTest));`
 */
export function record<T>(id: string, valueOrThunk: T | (() => T)): T | undefined {
  checkId('record', id);
  const outcome = evaluate(valueOrThunk);
  if (outcome.ok === false) {
    const { fn, file } = outcome.notImplemented;
    store().set(id, encodeNotImplemented({ fn, file }));
    const payload: RecordPayload = { id, notImplemented: { fn, file } };
    emit({ [RECORD_MIME]: payload, 'text/plain': `${id}: not implemented yet: ${fn} in ${file}` });
    return undefined;
  }
  const value = outcome.value;
  if (isThenable(value))
    throw new RecordError(`record('${id}', …) got a Promise; await it first: record('${id}', await …)`);
  let encoded: Encoded;
  try {
    encoded = encodeValue(value);
  } catch (e) {
    if (e instanceof RecordError) throw new RecordError(`record('${id}', …): ${e.message}`);
    throw e;
  }
  store().set(id, encoded);
  const payload: RecordPayload = { id, value: encoded };
  emit({ [RECORD_MIME]: payload, 'text/plain': `recorded ${id}: ${describeValue(decodeValue(encoded))}` });
  return displayedResult(value);
}
