/** One-line readable descriptions of values: the text/plain of a record output, table cells. */
import {
  formatNumber,
  summaryOf,
  TensorRecord,
  TensorSummaryRecord,
  NotImplementedRecord,
  encodeValue,
  decodeValue,
} from '../../protocol';
import { isTensor } from './codec';

const fmt = formatNumber;

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
    const s = summaryOf(v);
    return `${head} sum=${fmt(s.sum)} min=${fmt(s.min)} max=${fmt(s.max)}`;
  }
  if (v instanceof TensorSummaryRecord)
    return `Tensor ${v.dtype} [${v.shape.join(', ')}] sum=${fmt(v.sum)} min=${fmt(v.min)} max=${fmt(v.max)}`;
  if (v instanceof NotImplementedRecord) return `not implemented yet: ${v.fn} in ${v.file}`;
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
