/**
 * The record wire format (docs/architecture.md, contract 3): what `record(id, value)` puts in a
 * notebook output and what the grader reads back. The codec is in codec.ts, the statistics of a
 * large tensor in summary.ts.
 *
 * A record output's MIME bundle carries `application/vnd.ts231n.record+json` with a
 * `RecordPayload`: `{ id, value: <encoded> }`, or `{ id, notImplemented: { fn, file } }` when the
 * recorded thunk hit an empty TODO. Encoding (JSON-safe, stable):
 *
 * | value | encoded |
 * |---|---|
 * | finite number, boolean, string, null | itself |
 * | NaN, Infinity, -Infinity | `{ $num: 'NaN' \| 'Infinity' \| '-Infinity' }` |
 * | undefined | `{ $undefined: true }` |
 * | bigint | `{ $bigint: '<decimal>' }` |
 * | array | array of encoded items |
 * | plain object | object of encoded values; wrapped as `{ $object: {...} }` when a key starts with `$` |
 * | tensor with ≤ FULL_TENSOR_LIMIT elements | `{ $tensor: { dtype, shape, data } }`, data flat row-major, numbers encoded as above |
 * | tensor with more | `{ $tensorSummary: { dtype, shape, size, sum, sumSq, min, max, nanCount, sample } }` |
 * | typed array | `{ $typedArray: { type: 'Float32Array', data } }` |
 * | Map / Set / Date | `{ $map: [[k, v], ...] }` / `{ $set: [...] }` / `{ $date: '<ISO>' }` |
 * | a record whose thunk hit an empty TODO | `{ $notImplemented: { fn, file } }` (how the grader stores such a record) |
 *
 * A summary's `sample` holds the values at the flat indices `floor(k · size / 256)`,
 * k = 0…255; `sum`/`sumSq` are accumulated in float64; `sum`, `sumSq`, `min` and `max` are NaN
 * when any element is (`nanCount` says how many).
 */

export const RECORD_MIME = 'application/vnd.ts231n.record+json';
/** Tensors with at most this many elements are recorded in full, larger ones as a summary. */
export const FULL_TENSOR_LIMIT = 10_000;
/** Number of evenly spaced values a tensor summary keeps. */
export const SUMMARY_SAMPLES = 256;

/** An encoded value: plain JSON. */
export type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };
export type EncodedNumber = number | { $num: 'NaN' | 'Infinity' | '-Infinity' };

/** Which empty TODO kept a value from being computed. */
export interface NotImplementedInfo {
  fn: string;
  file: string;
}

/** What a record output's MIME payload holds. */
export interface RecordPayload {
  id: string;
  /** Present for an ordinary record. */
  value?: Encoded;
  /** Present instead of `value` when the thunk hit an empty TODO. */
  notImplemented?: NotImplementedInfo;
}

/** A value cannot be recorded or decoded (a function, a disposed tensor, a cycle …); the message says which. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/** A tensor recorded in full, as `decodeValue` returns it (plain data, no tensor library needed). */
export class TensorRecord {
  constructor(
    readonly dtype: string,
    readonly shape: number[],
    /** Flat, row-major. Numbers for numeric and bool dtypes (bool as 0/1), strings for `string`. */
    readonly data: number[] | string[],
  ) {}

  get size(): number {
    return this.data.length;
  }
}

/** Statistics of a tensor too large to record in full (see summary.ts). */
export class TensorSummaryRecord {
  constructor(
    readonly dtype: string,
    readonly shape: number[],
    readonly size: number,
    readonly sum: number,
    readonly sumSq: number,
    readonly min: number,
    readonly max: number,
    readonly nanCount: number,
    readonly sample: number[],
  ) {}
}

/** A decoded `{ $notImplemented: { fn, file } }`: the record's thunk hit an empty TODO. */
export class NotImplementedRecord implements NotImplementedInfo {
  constructor(
    readonly fn: string,
    readonly file: string,
  ) {}
}
