/**
 * Values as they travel from the sandbox to the grader: the record encoding of kernel/protocol
 * (contract 3 in docs/architecture.md), decoded there; here only the grader's views of it — a
 * numeric view for comparison and a short text for reports.
 */
import {
  decodeValue,
  formatNumber,
  RecordError,
  TensorRecord,
  TensorSummaryRecord,
  type Encoded,
} from '../kernel/protocol';

/** A value's numbers, flat and row-major, with its shape. */
export interface TensorData {
  dtype: string;
  shape: number[];
  data: number[];
}

/** A numeric view of an encoded value: a full array, a summary, or null when not numeric. */
export type Numeric = { full: TensorData } | { summary: TensorSummaryRecord } | null;

/** Nested arrays of numbers with a regular shape → flat data; anything else → false. */
function flattenNested(v: unknown, shape: number[], out: number[], depth = 0): boolean {
  if (typeof v === 'number') {
    if (depth !== shape.length) return false;
    out.push(v);
    return true;
  }
  if (!Array.isArray(v)) return false;
  if (shape.length === depth) shape.push(v.length);
  else if (shape[depth] !== v.length) return false;
  return v.every((x) => flattenNested(x, shape, out, depth + 1));
}

function decoded(v: Encoded): unknown {
  try {
    return decodeValue(v);
  } catch (e) {
    if (e instanceof RecordError) return undefined; // malformed: not numeric
    throw e;
  }
}

/** Numbers, nested number arrays, numeric tensors and typed arrays → a numeric view; anything else → null. */
export function numeric(v: Encoded): Numeric {
  const d = decoded(v);
  if (typeof d === 'number') return { full: { dtype: 'float32', shape: [], data: [d] } };
  if (Array.isArray(d)) {
    const shape: number[] = [];
    const data: number[] = [];
    if (d.length > 0 && flattenNested(d, shape, data)) return { full: { dtype: 'float32', shape, data } };
    return null;
  }
  if (d instanceof TensorRecord)
    return d.dtype === 'string' ? null : { full: { dtype: d.dtype, shape: [...d.shape], data: d.data as number[] } };
  if (d instanceof TensorSummaryRecord) return { summary: d };
  if (ArrayBuffer.isView(d) && !(d instanceof DataView)) {
    const data = Array.from(d as unknown as ArrayLike<number>);
    return { full: { dtype: d.constructor.name, shape: [data.length], data } };
  }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short human-readable form for reports (never more than ~200 characters). */
export function describe(v: Encoded): string {
  const n = numeric(v);
  if (n && 'full' in n) {
    const { shape, data } = n.full;
    if (shape.length === 0) return formatNumber(data[0]);
    const head = data.slice(0, 6).map(formatNumber).join(', ');
    return `tensor [${shape.join('×')}] [${head}${data.length > 6 ? ', …' : ''}]`;
  }
  if (n && 'summary' in n) {
    const s = n.summary;
    const [sum, min, max] = [s.sum, s.min, s.max].map(formatNumber);
    return `tensor [${s.shape.join('×')}] (sum ${sum}, min ${min}, max ${max})`;
  }
  // Objects (e.g. a hidden test's named results): each field described the same way.
  const text =
    isRecord(v) && !Object.keys(v).some((k) => k.startsWith('$'))
      ? `{${Object.entries(v)
          .map(([k, x]) => `${k}: ${describe(x as Encoded)}`)
          .join(', ')}}`
      : (JSON.stringify(v) ?? 'undefined');
  return text.length > 200 ? text.slice(0, 197) + '…' : text;
}
