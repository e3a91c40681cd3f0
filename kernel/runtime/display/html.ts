/** Small shared pieces for the display helpers: table styles, padding; escaping and numbers from kernel/protocol. */

export { escapeHtml, formatNumber } from '../../protocol';

/** Inline styles so tables look the same in JupyterLab, the classic notebook and nbconvert HTML. */
export const TABLE_STYLE = 'border-collapse:collapse;font-family:monospace;font-size:12px;margin:2px 0';
export const CELL_STYLE = 'border:1px solid #ddd;padding:2px 6px;text-align:right';
export const HEAD_STYLE = 'border:1px solid #ddd;padding:2px 6px;background:#f6f6f6;color:#555;text-align:right';

/** Pads every string to the widest one (right-aligned), for plain-text tables and arrays. */
export function padAll(items: string[], align: 'left' | 'right' = 'right'): string[] {
  const w = Math.max(0, ...items.map((s) => [...s].length));
  return items.map((s) => (align === 'right' ? ' '.repeat(w - [...s].length) + s : s + ' '.repeat(w - [...s].length)));
}
