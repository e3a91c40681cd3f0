/** Text forms shared by the runtime's displays and the grader's reports. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values (both quote kinds). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * A number in a short readable form, as numpy prints one: integers below 1e15 in full; other
 * numbers with 6 significant digits, in exponent form (4 decimals) when the magnitude is below
 * 1e-4 or at least 1e6 — from 1e6 on, 6 digits would no longer show the integer part exactly and
 * `1234567.5` would read as the integer 1234570. NaN, Infinity and -Infinity by name.
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}
