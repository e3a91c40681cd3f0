/**
 * `record` and `check`: the values a notebook hands to the grader, and the public self-checks a
 * student runs.
 *
 * `record(id, value)` emits a display output whose bundle carries
 * `application/vnd.ts231n.record+json: { id, value: <encoded> }` (see `encodeValue`) plus a
 * readable `text/plain`. The grader reads these outputs back with `decodeValue`.
 *
 * `check(id, value?)` compares a value (by default the last one recorded under `id` in this
 * process) with the public expectation for `id` in `checks.json` in the working directory (the
 * notebook's folder) and prints ✓ or ✗ with a short reason.
 *
 * Both accept a thunk. When it throws a `NotImplementedError` (an empty TODO in the starter) they
 * print "not implemented yet: <fn> in <file>" and carry on, so a starter notebook runs to the end.
 *
 * Encoding (pure, JSON-safe, stable — the grader depends on it):
 * | value | encoded |
 * |---|---|
 * | finite number, boolean, string, null | itself |
 * | NaN, Infinity, -Infinity | `{ $num: 'NaN' \| 'Infinity' \| '-Infinity' }` |
 * | undefined | `{ $undefined: true }` |
 * | bigint | `{ $bigint: '<decimal>' }` |
 * | array | array of encoded items |
 * | plain object | object of encoded values; wrapped as `{ $object: {...} }` when a key starts with `$` |
 * | tf.Tensor with ≤ 10,000 elements | `{ $tensor: { dtype, shape, data } }`, data flat row-major, numbers encoded as above |
 * | tf.Tensor with more | `{ $tensorSummary: { dtype, shape, size, sum, sumSq, min, max, nanCount, sample } }` |
 * | typed array | `{ $typedArray: { type: 'Float32Array', data } }` |
 * | Map / Set / Date | `{ $map: [[k, v], ...] }` / `{ $set: [...] }` / `{ $date: '<ISO>' }` |
 *
 * A summary's `sample` holds the values at the flat indices `floor(k · size / 256)`,
 * k = 0…255; `sum`/`sumSq` are accumulated in float64; `min`/`max` are NaN when any element is.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from './tensor';
import { displayedResult, emit, MimeBundle } from './output';
import { isNotImplementedError } from './errors';

export const RECORD_MIME = 'application/vnd.ts231n.record+json';
/** Tensors with at most this many elements are recorded in full, larger ones as a summary. */
export const FULL_TENSOR_LIMIT = 10_000;
/** Number of evenly spaced values a tensor summary keeps. */
export const SUMMARY_SAMPLES = 256;

export type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };
export type EncodedNumber = number | { $num: 'NaN' | 'Infinity' | '-Infinity' };

/** What a record output's MIME payload holds. */
export interface RecordPayload {
  id: string;
  /** Present for an ordinary record. */
  value?: Encoded;
  /** Present instead of `value` when the thunk hit an empty TODO. */
  notImplemented?: { fn: string; file: string };
}

/** A tensor recorded in full, as `decodeValue` returns it (no tf memory is allocated). */
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

  /** A tf.Tensor with the same dtype, shape and data (the caller owns and disposes it). */
  toTensor(): tf.Tensor {
    if (this.dtype === 'string') return tf.tensor(this.data as string[], this.shape, 'string');
    return tf.tensor(this.data as number[], this.shape, this.dtype as 'float32' | 'int32' | 'bool');
  }

  /** The summary that would have been recorded had the tensor been large. */
  summary(): TensorSummaryRecord {
    if (this.dtype === 'string') throw new RecordError('a string tensor has no numeric summary');
    return summarize(this.dtype, this.shape, this.data as ArrayLike<number>);
  }
}

/** Statistics of a tensor too large to record in full. */
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

/** A value cannot be recorded (a function, a disposed tensor, a cycle …); the message says which. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/** A checks.json that cannot be read or has a malformed entry. */
export class ChecksFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksFileError';
  }
}

// ---------------------------------------------------------------------------------------------
// encoding

/** Flat indices of a summary's sample: floor(k · size / 256), k = 0…255 (fewer when size < 256). */
export function sampleIndices(size: number): number[] {
  const n = Math.min(SUMMARY_SAMPLES, size);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(Math.floor((k * size) / n));
  return out;
}

/** Summary statistics of flat numeric data, exactly as `encodeValue` records large tensors. */
export function summarize(dtype: string, shape: number[], data: ArrayLike<number>): TensorSummaryRecord {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let nanCount = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) {
      nanCount++;
      continue;
    }
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (nanCount > 0) sum = sumSq = min = max = NaN;
  if (data.length === 0) min = max = NaN;
  const sample = sampleIndices(data.length).map((i) => data[i]);
  return new TensorSummaryRecord(dtype, [...shape], data.length, sum, sumSq, min, max, nanCount, sample);
}

function encodeNumber(v: number): EncodedNumber {
  if (Number.isFinite(v)) return v;
  return { $num: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
}

function decodeNumber(e: unknown): number {
  if (typeof e === 'number') return e;
  if (isMarker(e, '$num')) {
    const s = (e as { $num: unknown }).$num;
    if (s === 'NaN') return NaN;
    if (s === 'Infinity') return Infinity;
    if (s === '-Infinity') return -Infinity;
  }
  throw new RecordError(`not an encoded number: ${JSON.stringify(e)}`);
}

/** True for a tf.Tensor, also one from another copy of tfjs. */
export function isTensor(v: unknown): v is tf.Tensor {
  if (v instanceof tf.Tensor) return true;
  if (typeof v !== 'object' || v === null) return false;
  const t = v as { dtype?: unknown; shape?: unknown; dataSync?: unknown; rank?: unknown };
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && typeof t.dataSync === 'function' && typeof t.rank === 'number';
}

function encodeTensorData(dtype: string, shape: number[], data: ArrayLike<number> | string[]): Encoded {
  if (dtype === 'string') return { $tensor: { dtype, shape: [...shape], data: Array.from(data as string[]) } };
  if (data.length > FULL_TENSOR_LIMIT) return encodeSummary(summarize(dtype, shape, data as ArrayLike<number>));
  const out: Encoded[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = encodeNumber((data as ArrayLike<number>)[i]) as Encoded;
  return { $tensor: { dtype, shape: [...shape], data: out } };
}

function encodeSummary(s: TensorSummaryRecord): Encoded {
  return {
    $tensorSummary: {
      dtype: s.dtype,
      shape: [...s.shape],
      size: s.size,
      sum: encodeNumber(s.sum),
      sumSq: encodeNumber(s.sumSq),
      min: encodeNumber(s.min),
      max: encodeNumber(s.max),
      nanCount: s.nanCount,
      sample: s.sample.map(encodeNumber) as Encoded[],
    },
  } as Encoded;
}

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

function typedArrayName(v: unknown): TypedArrayName | undefined {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return undefined;
  const name = v.constructor.name;
  return name in TYPED_ARRAYS ? (name as TypedArrayName) : undefined;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Encodes a value as JSON-safe data (see the table at the top of this file). Pure apart from
 * reading tensor data. Throws `RecordError` for functions, symbols, disposed tensors, cycles and
 * class instances other than the ones listed.
 */
export function encodeValue(value: unknown): Encoded {
  return encodeAt(value, 'value', new Set());
}

function encodeAt(v: unknown, where: string, seen: Set<object>): Encoded {
  switch (typeof v) {
    case 'number':
      return encodeNumber(v) as Encoded;
    case 'boolean':
    case 'string':
      return v;
    case 'undefined':
      return { $undefined: true };
    case 'bigint':
      return { $bigint: v.toString() };
    case 'function':
      throw new RecordError(`${where} is a function; record what it returns instead`);
    case 'symbol':
      throw new RecordError(`${where} is a symbol, which cannot be recorded`);
  }
  if (v === null) return null;
  const o = v as object;
  if (isTensor(o)) {
    if (o.isDisposed) throw new RecordError(`${where} is a tensor that was already disposed; record it before disposing it`);
    if (o.dtype === 'complex64') throw new RecordError(`${where} is a complex64 tensor; record its real and imaginary parts separately`);
    return encodeTensorData(o.dtype, o.shape, o.dataSync() as ArrayLike<number> | string[]);
  }
  if (o instanceof TensorRecord) return encodeTensorData(o.dtype, o.shape, o.data);
  if (o instanceof TensorSummaryRecord) return encodeSummary(o);
  const typed = typedArrayName(o);
  if (typed) return { $typedArray: { type: typed, data: Array.from(o as ArrayLike<number>, encodeNumber) as Encoded[] } };
  if (o instanceof Date) return { $date: o.toISOString() };
  if (seen.has(o)) throw new RecordError(`${where} contains itself (a cycle); record a copy without the cycle`);
  seen.add(o);
  try {
    if (Array.isArray(o)) return o.map((item, i) => encodeAt(item, `${where}[${i}]`, seen));
    if (o instanceof Map) return { $map: [...o].map(([k, val], i) => [encodeAt(k, `${where} key ${i}`, seen), encodeAt(val, `${where}.get(${String(k)})`, seen)]) };
    if (o instanceof Set) return { $set: [...o].map((item, i) => encodeAt(item, `${where} item ${i}`, seen)) };
    if (!isPlainObject(o)) {
      const name = (o.constructor && o.constructor.name) || 'object';
      throw new RecordError(`${where} is a ${name}; record numbers, strings, arrays, plain objects or tensors`);
    }
    const out: { [key: string]: Encoded } = {};
    let needsWrap = false;
    for (const [k, val] of Object.entries(o)) {
      out[k] = encodeAt(val, `${where}.${k}`, seen);
      if (k.startsWith('$')) needsWrap = true;
    }
    return needsWrap ? { $object: out } : out;
  } finally {
    seen.delete(o);
  }
}

function isMarker(e: unknown, key: string): boolean {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const keys = Object.keys(e);
  return keys.length === 1 && keys[0] === key;
}

/**
 * The inverse of `encodeValue`. Tensors come back as `TensorRecord` (full) or
 * `TensorSummaryRecord` (summary), which allocate no tf memory; `TensorRecord.toTensor()`
 * makes a tf.Tensor when one is needed. Throws `RecordError` on malformed input.
 */
export function decodeValue(e: unknown): unknown {
  if (e === null || typeof e === 'boolean' || typeof e === 'number' || typeof e === 'string') return e;
  if (Array.isArray(e)) return e.map(decodeValue);
  if (typeof e !== 'object') throw new RecordError(`cannot decode a ${typeof e}`);
  const o = e as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0].startsWith('$')) {
    const body = o[keys[0]];
    switch (keys[0]) {
      case '$num':
        return decodeNumber(o);
      case '$undefined':
        return undefined;
      case '$bigint':
        return BigInt(String(body));
      case '$date':
        return new Date(String(body));
      case '$object': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(body as object)) out[k] = decodeValue(v);
        return out;
      }
      case '$map':
        return new Map((body as unknown[][]).map(([k, v]) => [decodeValue(k), decodeValue(v)]));
      case '$set':
        return new Set((body as unknown[]).map(decodeValue));
      case '$typedArray': {
        const b = body as { type: string; data: unknown[] };
        const Ctor = TYPED_ARRAYS[b.type as TypedArrayName];
        if (!Ctor) throw new RecordError(`unknown typed array type ${JSON.stringify(b.type)}`);
        return Ctor.from(b.data.map(decodeNumber));
      }
      case '$tensor': {
        const b = body as { dtype: string; shape: number[]; data: unknown[] };
        if (!b || !Array.isArray(b.shape) || !Array.isArray(b.data)) throw new RecordError('malformed $tensor: needs dtype, shape and data');
        const data = b.dtype === 'string' ? (b.data as string[]).slice() : b.data.map(decodeNumber);
        return new TensorRecord(b.dtype, [...b.shape], data);
      }
      case '$tensorSummary': {
        const b = body as Record<string, unknown>;
        if (!b || !Array.isArray(b.shape) || !Array.isArray(b.sample)) throw new RecordError('malformed $tensorSummary: needs shape and sample');
        return new TensorSummaryRecord(
          String(b.dtype),
          [...(b.shape as number[])],
          Number(b.size),
          decodeNumber(b.sum),
          decodeNumber(b.sumSq),
          decodeNumber(b.min),
          decodeNumber(b.max),
          Number(b.nanCount ?? 0),
          (b.sample as unknown[]).map(decodeNumber),
        );
      }
      default:
        throw new RecordError(`unknown marker ${keys[0]} in an encoded value`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = decodeValue(v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// readable summaries

function fmt(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

/** A one-line, human-readable description of a (decoded or live) value, at most ~200 chars. */
export function describeValue(v: unknown): string {
  const s = describe(v, 0);
  return s.length > 200 ? s.slice(0, 197) + '...' : s;
}

function describe(v: unknown, depth: number): string {
  if (typeof v === 'number') return fmt(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined || v === null || typeof v === 'boolean') return String(v);
  if (isTensor(v)) {
    if (v.isDisposed) return 'Tensor (disposed)';
    return describe(decodeValue(encodeValue(v)), depth);
  }
  if (v instanceof TensorRecord) {
    const head = `Tensor ${v.dtype} [${v.shape.join(', ')}]`;
    if (v.dtype === 'string') return head;
    if (v.shape.length === 0) return `${head} ${fmt(v.data[0] as number)}`;
    const s = v.summary();
    return `${head} sum=${fmt(s.sum)} min=${fmt(s.min)} max=${fmt(s.max)}`;
  }
  if (v instanceof TensorSummaryRecord) return `Tensor ${v.dtype} [${v.shape.join(', ')}] sum=${fmt(v.sum)} min=${fmt(v.min)} max=${fmt(v.max)}`;
  if (depth > 2) return '…';
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => describe(x, depth + 1));
    if (v.length > 8) items.push(`… ${v.length - 8} more`);
    return `[${items.join(', ')}]`;
  }
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (v instanceof Map) return `Map(${v.size})`;
  if (v instanceof Set) return `Set(${v.size})`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const entries = Object.entries(v as object);
    const items = entries.slice(0, 8).map(([k, x]) => `${k}: ${describe(x, depth + 1)}`);
    if (entries.length > 8) items.push(`… ${entries.length - 8} more`);
    return `{ ${items.join(', ')} }`;
  }
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// the per-process store of recorded values

type Stored = { value: Encoded } | { notImplemented: { fn: string; file: string } };
const STORE = Symbol.for('ts231n.records');
type StoreHolder = { [STORE]?: Map<string, Stored> };

function store(): Map<string, Stored> {
  const g = globalThis as StoreHolder;
  if (!g[STORE]) g[STORE] = new Map();
  return g[STORE];
}

/** The last value recorded under `id` in this process (decoded), or undefined. */
export function recordedValue(id: string): unknown {
  const s = store().get(id);
  return s && 'value' in s ? decodeValue(s.value) : undefined;
}

/** Forgets every recorded value (tests; a restarted kernel starts empty anyway). */
export function clearRecords(): void {
  store().clear();
}

function checkId(fnName: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.trim() === '') throw new TypeError(`${fnName}(id, …): id must be a non-empty string such as 'knn.dists_two_loops'`);
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

type Outcome<T> = { ok: true; value: T } | { ok: false; notImplemented: { fn: string; file: string } };

function evaluate<T>(valueOrThunk: T | (() => T)): Outcome<T> {
  if (typeof valueOrThunk !== 'function') return { ok: true, value: valueOrThunk };
  try {
    return { ok: true, value: (valueOrThunk as () => T)() };
  } catch (e) {
    if (isNotImplementedError(e)) return { ok: false, notImplemented: { fn: e.fn, file: e.file } };
    throw e;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
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
  if (!outcome.ok) {
    const { fn, file } = outcome.notImplemented;
    store().set(id, { notImplemented: { fn, file } });
    const payload: RecordPayload = { id, notImplemented: { fn, file } };
    emit({ [RECORD_MIME]: payload, 'text/plain': `${id}: not implemented yet: ${fn} in ${file}` });
    return undefined;
  }
  const value = outcome.value;
  if (isThenable(value)) throw new RecordError(`record('${id}', …) got a Promise; await it first: record('${id}', await …)`);
  let encoded: Encoded;
  try {
    encoded = encodeValue(value);
  } catch (e) {
    if (e instanceof RecordError) throw new RecordError(`record('${id}', …): ${e.message}`);
    throw e;
  }
  store().set(id, { value: encoded });
  const payload: RecordPayload = { id, value: encoded };
  emit({ [RECORD_MIME]: payload, 'text/plain': `recorded ${id}: ${describeValue(decodeValue(encoded))}` });
  return displayedResult(value);
}

// ---------------------------------------------------------------------------------------------
// checks

export type Expectation =
  | { close: number | number[] | number[][]; atol?: number; rtol?: number }
  | { range: [number | null, number | null] }
  | { equals: unknown };

export interface CheckSpec {
  description: string;
  expect: Expectation;
}

/** Default tolerances of `close`: |got − expected| ≤ atol + rtol·|expected| (numpy's isclose). */
export const DEFAULT_ATOL = 1e-5;
export const DEFAULT_RTOL = 1e-4;

export interface CheckResult {
  pass: boolean;
  /** Why it failed (empty when it passed). */
  reason: string;
}

const checksCache = new Map<string, { mtimeMs: number; size: number; checks: Record<string, CheckSpec> }>();

/**
 * Reads and validates `checks.json` in `dir` (cached by mtime and size). Throws
 * `ChecksFileError` when it is missing or malformed.
 */
export function loadChecks(dir: string = process.cwd()): Record<string, CheckSpec> {
  const file = path.join(dir, 'checks.json');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new ChecksFileError(`no checks.json in ${dir}; run the notebook from its own folder (checks.json ships beside it)`);
  }
  const cached = checksCache.get(file);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.checks;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ChecksFileError(`${file} is not valid JSON (${(e as Error).message}); restore it from the starter`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ChecksFileError(`${file} must hold an object of check ids`);
  for (const [id, spec] of Object.entries(raw as Record<string, unknown>)) {
    const problem = specProblem(spec);
    if (problem) throw new ChecksFileError(`${file}: check '${id}' ${problem}`);
  }
  const checks = raw as Record<string, CheckSpec>;
  checksCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, checks });
  return checks;
}

function specProblem(spec: unknown): string | undefined {
  if (typeof spec !== 'object' || spec === null) return 'must be an object with description and expect';
  const s = spec as { description?: unknown; expect?: unknown };
  if (typeof s.description !== 'string') return 'needs a description string';
  const e = s.expect as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) return 'needs an expect object';
  if ('close' in e) {
    const ok = (x: unknown): boolean => typeof x === 'number' || isMarker(x, '$num') || (Array.isArray(x) && x.every(ok));
    if (!ok(e.close)) return 'expect.close must be a number or an array of numbers';
    for (const k of ['atol', 'rtol']) if (k in e && (typeof e[k] !== 'number' || (e[k] as number) < 0)) return `expect.${k} must be a number ≥ 0`;
    return undefined;
  }
  if ('range' in e) {
    const r = e.range;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => x === null || typeof x === 'number')) return 'expect.range must be [min, max] (null for an open end)';
    return undefined;
  }
  if ('equals' in e) return undefined;
  return 'has no valid expect: use { close }, { range } or { equals }';
}

/** Numbers in a decoded value, row-major; a summary or non-numeric content gives a reason instead. */
function numbersOf(v: unknown): number[] | string {
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  if (v instanceof TensorRecord) return v.dtype === 'string' ? 'a string tensor' : (v.data as number[]);
  if (v instanceof TensorSummaryRecord) return 'summary';
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) {
    const out: number[] = [];
    for (const item of v) {
      const n = numbersOf(item);
      if (typeof n === 'string') return n;
      out.push(...n);
    }
    return out;
  }
  return v === undefined ? 'undefined' : typeof v === 'object' ? (v === null ? 'null' : 'an object') : `a ${typeof v}`;
}

function where(i: number, n: number): string {
  return n > 1 ? ` at element ${i} of ${n}` : '';
}

function checkClose(got: unknown, e: { close: unknown; atol?: number; rtol?: number }): CheckResult {
  const atol = e.atol ?? DEFAULT_ATOL;
  const rtol = e.rtol ?? DEFAULT_RTOL;
  const expected = numbersOf(decodeValue(e.close));
  if (typeof expected === 'string') return { pass: false, reason: 'checks.json: expect.close is not numeric' };
  const close = (g: number, x: number): boolean => (g === x ? true : Math.abs(g - x) <= atol + rtol * Math.abs(x));
  const tol = `atol ${fmt(atol)}, rtol ${fmt(rtol)}`;
  if (got instanceof TensorSummaryRecord) {
    if (expected.length !== 1) return { pass: false, reason: `the value has ${got.size} elements (recorded as a summary); element-wise checks need at most ${FULL_TENSOR_LIMIT}` };
    const x = expected[0];
    if (got.nanCount > 0) return { pass: false, reason: `expected every element ≈ ${fmt(x)}, got ${got.nanCount} NaN` };
    const bad = !close(got.min, x) ? got.min : !close(got.max, x) ? got.max : undefined;
    return bad === undefined ? { pass: true, reason: '' } : { pass: false, reason: `expected every element ≈ ${fmt(x)} (${tol}), got ${fmt(bad)}` };
  }
  const values = numbersOf(got);
  if (typeof values === 'string') return { pass: false, reason: `expected numbers, got ${values}` };
  if (expected.length !== 1 && values.length !== expected.length) return { pass: false, reason: `expected ${expected.length} numbers, got ${values.length}` };
  if (values.length === 0) return { pass: false, reason: 'expected numbers, got an empty value' };
  let first = -1;
  let count = 0;
  let maxDiff = 0;
  for (let i = 0; i < values.length; i++) {
    const x = expected.length === 1 ? expected[0] : expected[i];
    if (!close(values[i], x)) {
      if (first < 0) first = i;
      count++;
      const d = Math.abs(values[i] - x);
      maxDiff = Number.isNaN(d) ? NaN : Math.max(maxDiff, d);
    }
  }
  if (first < 0) return { pass: true, reason: '' };
  const x = expected.length === 1 ? expected[0] : expected[first];
  const more = values.length > 1 ? ` (${count} of ${values.length} differ, max |diff| ${fmt(maxDiff)})` : '';
  return { pass: false, reason: `expected ${fmt(x)} (${tol}), got ${fmt(values[first])}${where(first, values.length)}${more}` };
}

function checkRange(got: unknown, range: [number | null, number | null]): CheckResult {
  const lo = range[0] ?? -Infinity;
  const hi = range[1] ?? Infinity;
  const want = `in [${range[0] ?? '-∞'}, ${range[1] ?? '∞'}]`;
  if (got instanceof TensorSummaryRecord) {
    if (got.nanCount > 0) return { pass: false, reason: `expected every element ${want}, got ${got.nanCount} NaN` };
    if (got.min < lo) return { pass: false, reason: `expected every element ${want}, got ${fmt(got.min)}` };
    if (got.max > hi) return { pass: false, reason: `expected every element ${want}, got ${fmt(got.max)}` };
    return { pass: true, reason: '' };
  }
  const values = numbersOf(got);
  if (typeof values === 'string') return { pass: false, reason: `expected numbers, got ${values}` };
  if (values.length === 0) return { pass: false, reason: 'expected numbers, got an empty value' };
  const i = values.findIndex((v) => !(v >= lo && v <= hi));
  if (i < 0) return { pass: true, reason: '' };
  return { pass: false, reason: `expected ${values.length > 1 ? 'every value ' : ''}${want}, got ${fmt(values[i])}${where(i, values.length)}` };
}

/** Tensors as nested arrays, so a tensor equals the JSON array that spells it. */
function plain(v: unknown): unknown {
  if (v instanceof TensorRecord) {
    const build = (dim: number, offset: number): unknown => {
      if (dim === v.shape.length) return v.data[offset];
      const stride = v.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: v.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [plain(k), plain(x)]));
  if (v instanceof Set) return new Set([...v].map(plain));
  if (typeof v === 'object' && v !== null && isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Map || b instanceof Map || a instanceof Set || b instanceof Set) return deepEqual([...(a as Map<unknown, unknown>)], [...(b as Map<unknown, unknown>)]);
  if (a instanceof TensorSummaryRecord || b instanceof TensorSummaryRecord) return JSON.stringify(encodeValue(a)) === JSON.stringify(encodeValue(b));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return deepEqual(ka, kb) && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function short(v: unknown): string {
  if (v instanceof TensorRecord || v instanceof TensorSummaryRecord) return describeValue(v);
  let s: string;
  try {
    s = JSON.stringify(encodeValue(v));
  } catch {
    s = describeValue(v);
  }
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/**
 * Compares an encoded value with an expectation from checks.json. Pure; the grader can use it
 * for public checks too.
 * - `close`: every number is within atol + rtol·|expected| (a single expected number applies to
 *   every element; for a tensor summary its min and max are compared);
 * - `range`: every number is in [min, max] (null = open end);
 * - `equals`: deep equality after decoding (tensors compare as nested arrays; NaN equals NaN).
 */
export function evaluateCheck(expect: Expectation, encoded: Encoded): CheckResult {
  const got = decodeValue(encoded);
  if ('close' in expect) return checkClose(got, expect as { close: unknown; atol?: number; rtol?: number });
  if ('range' in expect) return checkRange(got, expect.range);
  if ('equals' in expect) {
    const want = decodeValue(expect.equals);
    if (deepEqual(plain(got), plain(want))) return { pass: true, reason: '' };
    return { pass: false, reason: `expected ${short(want)}, got ${short(got)}` };
  }
  return { pass: false, reason: 'checks.json: the expectation has no close, range or equals' };
}

function report(id: string, pass: boolean, text: string): boolean {
  const line = `${pass ? '✓' : '✗'} ${id} — ${text}`;
  const colour = pass ? '#1a7f37' : '#cf222e';
  const html = `<div style="color:${colour};font-family:monospace">${pass ? '✓' : '✗'} <b>${escapeHtml(id)}</b> — ${escapeHtml(text)}</div>`;
  emit({ 'text/html': html, 'text/plain': line });
  return displayedResult(pass);
}

/**
 * Checks a value against the public expectation for `id` in ./checks.json, prints ✓ or ✗ with
 * a short reason and returns whether it passed. Without a value, checks the last value recorded
 * under `id` in this process. Never throws for a wrong, missing or unimplemented value: a failed
 * check is feedback, not a crash (it returns false).
 */
export function check(id: string, ...args: [] | [unknown]): boolean {
  checkId('check', id);
  let checks: Record<string, CheckSpec>;
  try {
    checks = loadChecks(process.cwd());
  } catch (e) {
    if (e instanceof ChecksFileError) return report(id, false, e.message);
    throw e;
  }
  const spec = checks[id];
  if (!spec) {
    const known = Object.keys(checks);
    const list = known.slice(0, 6).join(', ') + (known.length > 6 ? ', …' : '');
    return report(id, false, `unknown check id; checks.json here has ${known.length} id${known.length === 1 ? '' : 's'}${known.length ? ': ' + list : ''}`);
  }
  let encoded: Encoded;
  if (args.length === 0) {
    const stored = store().get(id);
    if (!stored) return report(id, false, `nothing recorded under this id yet; run the cell that records it, or pass the value: check('${id}', value)`);
    if ('notImplemented' in stored) return report(id, false, `not implemented yet: ${stored.notImplemented.fn} in ${stored.notImplemented.file}`);
    encoded = stored.value;
  } else {
    let outcome: Outcome<unknown>;
    try {
      outcome = evaluate(args[0]);
    } catch (e) {
      const err = e as Error;
      return report(id, false, `${spec.description}: raised ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`);
    }
    if (!outcome.ok) return report(id, false, `not implemented yet: ${outcome.notImplemented.fn} in ${outcome.notImplemented.file}`);
    if (isThenable(outcome.value)) return report(id, false, `got a Promise; await it first: check('${id}', await …)`);
    try {
      encoded = encodeValue(outcome.value);
    } catch (e) {
      if (e instanceof RecordError) return report(id, false, `${spec.description}: ${e.message}`);
      throw e;
    }
  }
  const result = evaluateCheck(spec.expect, encoded);
  return report(id, result.pass, result.pass ? spec.description : `${spec.description}: ${result.reason}`);
}
