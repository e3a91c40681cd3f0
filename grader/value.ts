/**
 * Values as they travel from the sandbox to the grader: plain JSON, with tensors encoded like
 * kernel/runtime/record.ts does (contract 3) —
 * `{ $tensor: { dtype, shape, data } }` for ≤ 10,000 elements, else
 * `{ $tensorSummary: { dtype, shape, sum, sumSq, min, max, sample } }`.
 */
import type { Encoded } from './types';

export const RECORD_MIME = 'application/vnd.ts231n.record+json';
export const FULL_TENSOR_LIMIT = 10_000;
export const SUMMARY_SAMPLES = 256;

export interface TensorData {
  dtype: string;
  shape: number[];
  data: number[];
}

export interface TensorSummary {
  dtype: string;
  shape: number[];
  sum: number;
  sumSq: number;
  min: number;
  max: number;
  sample: number[];
}

/** A numeric view of an encoded value: a full array, a summary, or null when not numeric. */
export type Numeric = { full: TensorData } | { summary: TensorSummary } | null;

/** Encoded numbers: plain, or `{ $num: 'NaN' | 'Infinity' | '-Infinity' }`; NaN and non-numbers become NaN. */
export function numberOf(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (x && typeof x === 'object' && typeof (x as { $num?: unknown }).$num === 'string') return Number((x as { $num: string }).$num);
  return NaN;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function flattenNested(v: unknown, shape: number[], out: number[], depth = 0): boolean {
  if (typeof v === 'number' || (isRecord(v) && typeof v.$num === 'string')) {
    if (depth !== shape.length) return false;
    out.push(numberOf(v));
    return true;
  }
  if (!Array.isArray(v)) return false;
  if (shape.length === depth) shape.push(v.length);
  else if (shape[depth] !== v.length) return false;
  return v.every((x) => flattenNested(x, shape, out, depth + 1));
}

/** Numbers, nested number arrays and encoded tensors → a numeric view; anything else → null. */
export function numeric(v: Encoded): Numeric {
  if (typeof v === 'number') return { full: { dtype: 'float32', shape: [], data: [v] } };
  if (Array.isArray(v)) {
    const shape: number[] = [];
    const data: number[] = [];
    if (v.length > 0 && flattenNested(v, shape, data)) return { full: { dtype: 'float32', shape, data } };
    return null;
  }
  if (isRecord(v) && isRecord(v.$num)) return null;
  if (isRecord(v) && typeof v.$num === 'string') return { full: { dtype: 'float32', shape: [], data: [numberOf(v)] } };
  if (isRecord(v) && isRecord(v.$tensor)) {
    const t = v.$tensor as unknown as { dtype: string; shape: number[]; data: unknown[] };
    return { full: { dtype: String(t.dtype), shape: [...t.shape], data: t.data.map(numberOf) } };
  }
  if (isRecord(v) && isRecord(v.$typedArray)) {
    const t = v.$typedArray as unknown as { type: string; data: unknown[] };
    return { full: { dtype: t.type, shape: [t.data.length], data: t.data.map(numberOf) } };
  }
  if (isRecord(v) && isRecord(v.$tensorSummary)) {
    const t = v.$tensorSummary as Record<string, unknown>;
    return {
      summary: {
        dtype: String(t.dtype),
        shape: [...(t.shape as number[])],
        sum: numberOf(t.sum),
        sumSq: numberOf(t.sumSq),
        min: numberOf(t.min),
        max: numberOf(t.max),
        sample: (t.sample as unknown[]).map(numberOf),
      },
    };
  }
  return null;
}

/** A short human-readable form for reports (never more than ~200 characters). */
export function describe(v: Encoded): string {
  const n = numeric(v);
  if (n && 'full' in n) {
    const { shape, data } = n.full;
    if (shape.length === 0) return fmt(data[0]);
    const head = data.slice(0, 6).map(fmt).join(', ');
    return `tensor [${shape.join('×')}] [${head}${data.length > 6 ? ', …' : ''}]`;
  }
  if (n && 'summary' in n) {
    const s = n.summary;
    return `tensor [${s.shape.join('×')}] (sum ${fmt(s.sum)}, min ${fmt(s.min)}, max ${fmt(s.max)})`;
  }
  // Objects (e.g. a hidden test's named results): each field described the same way.
  const text = isRecord(v) && !Object.keys(v).some((k) => k.startsWith('$')) ? `{${Object.entries(v).map(([k, x]) => `${k}: ${describe(x as Encoded)}`).join(', ')}}` : JSON.stringify(v) ?? 'undefined';
  return text.length > 200 ? text.slice(0, 197) + '…' : text;
}

function fmt(x: number | null): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(6).replace(/\.?0+$/, '') : x.toExponential(4);
}
