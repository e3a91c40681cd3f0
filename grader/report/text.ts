/**
 * Text for people: numbers at a sensible precision and escaping for HTML and Markdown.
 * Reports show float32 values that went through float64 (0.7300000190734863); people read 0.73.
 */

/** A number with at most `digits` significant digits, without trailing zeros (1e-5 and 3.2e+7 in exponent form). */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return x.toExponential(Math.max(0, digits - 2)).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(digits)));
}

/**
 * Every number in a text written with more significant digits than anyone reads (float noise such
 * as 0.7300000190734863 or 1.2345678e-7) rewritten with `digits` significant digits. Integers,
 * short decimals, and digits inside identifiers (cell 12, features.ts:3, k5) are left alone.
 */
export function tidyNumbers(text: string, digits = 4): string {
  return text.replace(/(^|[^\w.:])(-?\d+\.\d{5,}(?:e[+-]?\d+)?|-?\d\.\d+e[+-]?\d+)(?![\w.])/gi, (m, pre: string, num: string) => {
    const x = Number(num);
    return Number.isFinite(x) ? pre + formatNumber(x, digits) : m;
  });
}

export function escapeHtml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Markdown-safe inline text: characters Markdown would read as formatting or HTML are backslash-escaped. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`);
}
