/**
 * A tensor as an HTML table (with a plain-text fallback), truncated like numpy's repr when large:
 * each axis longer than 2·edgeItems shows its first and last `edgeItems` entries around an
 * ellipsis. Rank 0 is a value, rank 1 a one-row table, rank 2 a table, higher ranks one table
 * per last-two-dims slice (leading axes truncated the same way, at most `maxSlices` slices).
 *
 * Only the displayed entries are read back from the backend (gathered inside `tf.tidy`), so
 * showing a 50,000×32×32×3 tensor is cheap and leaves `tf.memory().numTensors` unchanged.
 */
import { tf } from '../tensor';
import { emit, MimeBundle } from '../output';
import { CELL_STYLE, escapeHtml, HEAD_STYLE, padAll, TABLE_STYLE } from './html';
import { isTensor } from '../record';
import { DisplayArgumentError } from './data';

export interface TensorDisplayOptions {
  /** Entries shown at each end of a truncated axis (numpy's edgeitems). Default 3. */
  edgeItems?: number;
  /** Truncate when the tensor has more elements than this (numpy's threshold). Default 1000. */
  threshold?: number;
  /** Digits after the decimal point for floats. Default 4. */
  precision?: number;
  /** Most last-two-dims slices shown for rank ≥ 3. Default 8. */
  maxSlices?: number;
  /** A caption shown before the shape header. */
  title?: string;
}

const DEFAULTS: Required<Omit<TensorDisplayOptions, 'title'>> = {
  edgeItems: 3,
  threshold: 1000,
  precision: 4,
  maxSlices: 8,
};

/** -1 marks the ellipsis in an axis' list of shown indices. */
const GAP = -1;

function shownIndices(n: number, edge: number, truncate: boolean): number[] {
  if (!truncate || n <= 2 * edge) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: edge }, (_, i) => i), GAP, ...Array.from({ length: edge }, (_, i) => n - edge + i)];
}

/** Formats all shown values with one shared style, like numpy (uniform decimals or exponents). */
function formatter(
  dtype: string,
  values: ArrayLike<number> | string[],
  precision: number,
): (v: number | string) => string {
  if (dtype === 'string') return (v) => JSON.stringify(v);
  if (dtype === 'bool') return (v) => (v ? 'true' : 'false');
  if (dtype === 'int32') return (v) => String(v);
  const nums = Array.from(values as ArrayLike<number>).filter((v) => Number.isFinite(v));
  const special = (v: number): string | undefined =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : undefined;
  if (nums.every((v) => Number.isInteger(v)) && nums.every((v) => Math.abs(v) < 1e16)) {
    return (v) => special(v as number) ?? `${v}.`;
  }
  const abs = nums.map(Math.abs).filter((a) => a > 0);
  const maxAbs = Math.max(0, ...abs);
  const minAbs = abs.length ? Math.min(...abs) : 0;
  // numpy switches at a ratio of 1e3; 1e5 keeps typical randn/activation tensors in fixed point
  if (maxAbs >= 1e8 || (maxAbs > 0 && maxAbs < 1e-3) || (minAbs > 0 && maxAbs / minAbs > 1e5)) {
    return (v) => special(v as number) ?? (v as number).toExponential(precision);
  }
  // the fewest decimals (≤ precision) that lose nothing that toFixed(precision) would show
  let decimals = 0;
  for (const v of nums) {
    const s = v.toFixed(precision).replace(/0+$/, '');
    const d = s.length - s.indexOf('.') - 1;
    if (d > decimals) decimals = d;
  }
  return (v) => special(v as number) ?? (v as number).toFixed(decimals) + (decimals === 0 ? '.' : '');
}

interface View {
  dtype: string;
  shape: number[];
  /** Per axis: the shown indices of the original tensor, GAP for the ellipsis. */
  axes: number[][];
  /** Per axis: original index → position in `values`' axis. */
  pos: Map<number, number>[];
  /** Shown entries, row-major over the gathered (gap-free) shape, formatted. */
  cells: string[];
  gathered: number[];
  truncated: boolean;
}

function buildView(t: tf.Tensor, o: Required<Omit<TensorDisplayOptions, 'title'>>): View {
  const shape = t.shape;
  const truncated = t.size > o.threshold;
  const axes = shape.map((n) => shownIndices(n, o.edgeItems, truncated));
  const keep = axes.map((a) => a.filter((i) => i !== GAP));
  const needsGather = t.dtype !== 'string' && axes.some((a, d) => a.length !== shape[d]);
  let data: ArrayLike<number> | string[];
  if (needsGather) {
    const small = tf.tidy(() => {
      let x: tf.Tensor = t;
      keep.forEach((idx, d) => {
        if (idx.length !== shape[d]) x = tf.gather(x, tf.tensor1d(idx, 'int32'), d);
      });
      return x;
    });
    data = small.dataSync() as ArrayLike<number>;
    small.dispose();
  } else {
    data = t.dataSync() as ArrayLike<number> | string[];
  }
  const fmt = formatter(t.dtype, data, o.precision);
  const cells = Array.from(data as ArrayLike<number>, (v) => fmt(v));
  const pos = keep.map((idx) => new Map(idx.map((orig, k) => [orig, k])));
  return { dtype: t.dtype, shape, axes, pos, cells, gathered: keep.map((k) => k.length), truncated };
}

function strides(shape: number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

function header(v: View, title?: string): string {
  const base = `Tensor ${v.dtype} [${v.shape.join(', ')}]`;
  return title ? `${title}: ${base}` : base;
}

function toText(v: View, title?: string): string {
  const head = header(v, title);
  if (v.shape.length === 0) return `${head}\n${v.cells[0]}`;
  const padded = padAll(v.cells);
  const st = strides(v.gathered);
  const rank = v.shape.length;
  const rec = (d: number, offset: number): string => {
    const parts = v.axes[d].map((i) => {
      if (i === GAP) return '...';
      const off = offset + (v.pos[d].get(i) as number) * st[d];
      return d === rank - 1 ? padded[off] : rec(d + 1, off);
    });
    if (d === rank - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(rank - d - 1) + ' '.repeat(d + 1);
    return `[${parts.join(sep)}]`;
  };
  return `${head}\n${rec(0, 0)}`;
}

function table(v: View, offset: number): string {
  const rank = v.shape.length;
  const st = strides(v.gathered);
  const rowAxis = rank >= 2 ? v.axes[rank - 2] : [0];
  const colAxis = v.axes[rank - 1];
  const cell = (r: number, c: number): string => {
    const ro = rank >= 2 ? (v.pos[rank - 2].get(r) as number) * st[rank - 2] : 0;
    return v.cells[offset + ro + (v.pos[rank - 1].get(c) as number)];
  };
  const head = `<tr><th style="${HEAD_STYLE}"></th>${colAxis.map((c) => `<th style="${HEAD_STYLE}">${c === GAP ? '…' : c}</th>`).join('')}</tr>`;
  const rows = rowAxis.map((r) => {
    const label = rank >= 2 ? (r === GAP ? '⋮' : String(r)) : '';
    const tds = colAxis.map((c) => {
      const text = r === GAP ? (c === GAP ? '⋱' : '⋮') : c === GAP ? '…' : escapeHtml(cell(r, c));
      return `<td style="${CELL_STYLE}">${text}</td>`;
    });
    return `<tr><th style="${HEAD_STYLE}">${label}</th>${tds.join('')}</tr>`;
  });
  return `<table style="${TABLE_STYLE}">${head}${rows.join('')}</table>`;
}

/** Leading-axis index tuples for rank ≥ 3, with null where an ellipsis goes. */
function sliceList(v: View, maxSlices: number): Array<number[] | null> {
  const lead = v.axes.slice(0, -2);
  let combos: Array<number[] | null> = [[]];
  for (const axis of lead) {
    const next: Array<number[] | null> = [];
    for (const c of combos) {
      for (const i of axis) {
        if (c === null || i === GAP) {
          if (next[next.length - 1] !== null) next.push(null);
        } else next.push([...c, i]);
      }
    }
    combos = next;
  }
  const real = combos.filter((c) => c !== null).length;
  if (real <= maxSlices) return combos;
  const half = Math.max(1, Math.floor(maxSlices / 2));
  const out: Array<number[] | null> = [];
  let seen = 0;
  for (const c of combos) {
    if (c === null) {
      if (out[out.length - 1] !== null) out.push(null);
      continue;
    }
    if (seen < half || seen >= real - half) out.push(c);
    else if (out[out.length - 1] !== null) out.push(null);
    seen++;
  }
  return out;
}

function toHtml(v: View, o: Required<Omit<TensorDisplayOptions, 'title'>>, title?: string): string {
  const rank = v.shape.length;
  const note = v.truncated
    ? ` <span style="color:#888">(${v.shape.reduce((a, b) => a * b, 1)} elements, truncated)</span>`
    : '';
  const head = `<div style="font-family:monospace;font-size:12px"><b>${escapeHtml(header(v, title))}</b>${note}</div>`;
  if (rank === 0) return `<div>${head}<div style="font-family:monospace">${escapeHtml(v.cells[0])}</div></div>`;
  if (rank <= 2) return `<div>${head}${table(v, 0)}</div>`;
  const st = strides(v.gathered);
  const parts = sliceList(v, o.maxSlices).map((c) => {
    if (c === null) return '<div style="font-family:monospace;color:#888">⋮</div>';
    const offset = c.reduce((acc, i, d) => acc + (v.pos[d].get(i) as number) * st[d], 0);
    return `<div style="font-family:monospace;font-size:12px;color:#555">[${c.join(', ')}, :, :]</div>${table(v, offset)}`;
  });
  return `<div>${head}${parts.join('')}</div>`;
}

/** The MIME bundle of a tensor: `text/html` (tables) and `text/plain` (numpy-style). */
export function tensorToBundle(t: tf.Tensor, options: TensorDisplayOptions = {}): MimeBundle {
  if (!isTensor(t))
    throw new DisplayArgumentError(
      `showTensor: expected a tf.Tensor, got ${t === null ? 'null' : Array.isArray(t) ? 'an array (wrap it with tf.tensor(...))' : typeof t}`,
    );
  if (t.isDisposed) return { 'text/plain': 'Tensor (disposed)' };
  const o = { ...DEFAULTS, ...options };
  const limits: Array<[keyof typeof DEFAULTS, number, number]> = [
    ['edgeItems', 1, 1000],
    ['threshold', 0, Infinity],
    ['precision', 0, 20],
    ['maxSlices', 1, 10000],
  ];
  for (const [k, lo, hi] of limits) {
    if (!(Number.isInteger(o[k]) || o[k] === Infinity) || o[k] < lo || o[k] > hi)
      throw new DisplayArgumentError(`showTensor: ${k} must be a whole number in [${lo}, ${hi}], got ${o[k]}`);
  }
  if (t.dtype === 'complex64') return { 'text/plain': t.toString() };
  const v = buildView(t, o);
  return { 'text/html': toHtml(v, o, options.title), 'text/plain': toText(v, options.title) };
}

/** Displays a tensor as a table (see `tensorToBundle`). */
export function showTensor(t: tf.Tensor, options: TensorDisplayOptions = {}): void {
  emit(tensorToBundle(t, options));
}
