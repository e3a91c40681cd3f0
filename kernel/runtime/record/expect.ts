/**
 * Evaluating an expectation from checks.json against an encoded value: `close`, `range` or
 * `equals`. Pure; the grader could use it for public checks too.
 */
import {
  decodeValue,
  encodeValue,
  formatNumber,
  FULL_TENSOR_LIMIT,
  isPlainObject,
  TensorRecord,
  TensorSummaryRecord,
  type Encoded,
} from '../../protocol';
import type { Expectation } from './checksFile';
import { describeValue } from './describe';

const fmt = formatNumber;

/** Default tolerances of `close`: |got − expected| ≤ atol + rtol·|expected| (numpy's isclose). */
export const DEFAULT_ATOL = 1e-5;
export const DEFAULT_RTOL = 1e-4;

export interface CheckResult {
  pass: boolean;
  /** Why it failed (empty when it passed). */
  reason: string;
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
    if (expected.length !== 1)
      return {
        pass: false,
        reason: `the value has ${got.size} elements (recorded as a summary); element-wise checks need at most ${FULL_TENSOR_LIMIT}`,
      };
    const x = expected[0];
    if (got.nanCount > 0) return { pass: false, reason: `expected every element ≈ ${fmt(x)}, got ${got.nanCount} NaN` };
    const bad = !close(got.min, x) ? got.min : !close(got.max, x) ? got.max : undefined;
    return bad === undefined
      ? { pass: true, reason: '' }
      : { pass: false, reason: `expected every element ≈ ${fmt(x)} (${tol}), got ${fmt(bad)}` };
  }
  const values = numbersOf(got);
  if (typeof values === 'string') return { pass: false, reason: `expected numbers, got ${values}` };
  if (expected.length !== 1 && values.length !== expected.length)
    return { pass: false, reason: `expected ${expected.length} numbers, got ${values.length}` };
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
  return {
    pass: false,
    reason: `expected ${fmt(x)} (${tol}), got ${fmt(values[first])}${where(first, values.length)}${more}`,
  };
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
  return {
    pass: false,
    reason: `expected ${values.length > 1 ? 'every value ' : ''}${want}, got ${fmt(values[i])}${where(i, values.length)}`,
  };
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
  if (typeof v === 'object' && v !== null && isPlainObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Map || b instanceof Map || a instanceof Set || b instanceof Set)
    return deepEqual([...(a as Map<unknown, unknown>)], [...(b as Map<unknown, unknown>)]);
  if (a instanceof TensorSummaryRecord || b instanceof TensorSummaryRecord)
    return JSON.stringify(encodeValue(a)) === JSON.stringify(encodeValue(b));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    deepEqual(ka, kb) &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
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
