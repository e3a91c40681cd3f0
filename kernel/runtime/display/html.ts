/** Small shared pieces for the display helpers: HTML escaping and number formatting. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Inline styles so tables look the same in JupyterLab, the classic notebook and nbconvert HTML. */
export const TABLE_STYLE = 'border-collapse:collapse;font-family:monospace;font-size:12px;margin:2px 0';
export const CELL_STYLE = 'border:1px solid #ddd;padding:2px 6px;text-align:right';
export const HEAD_STYLE = 'border:1px solid #ddd;padding:2px 6px;background:#f6f6f6;color:#555;text-align:right';

/**
 * A number in a short readable form (6 significant digits; exponent form for very small or large
 * magnitudes); used in table cells and captions.
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** Pads every string to the widest one (right-aligned), for plain-text tables and arrays. */
export function padAll(items: string[], align: 'left' | 'right' = 'right'): string[] {
  const w = Math.max(0, ...items.map((s) => [...s].length));
  return items.map((s) => (align === 'right' ? ' '.repeat(w - [...s].length) + s : s + ' '.repeat(w - [...s].length)));
}
