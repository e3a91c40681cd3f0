/**
 * Prose for people: float noise in a report's sentences rounded away (float32 values that went
 * through float64, 0.7300000190734863, read 0.73), and Markdown escaping for Gradescope. A single
 * value is written with kernel/protocol's formatNumber; HTML escaping is kernel/protocol's too.
 */

/**
 * Every number in a text written with more significant digits than anyone reads (float noise such
 * as 0.7300000190734863 or 1.2345678e-7) rewritten with `digits` significant digits. Integers,
 * short decimals, and digits inside identifiers (cell 12, features.ts:3, k5) are left alone.
 */
export function tidyNumbers(text: string, digits = 4): string {
  return text.replace(
    /(^|[^\w.:])(-?\d+\.\d{5,}(?:e[+-]?\d+)?|-?\d\.\d+e[+-]?\d+)(?![\w.])/gi,
    (m, pre: string, num: string) => {
      const x = Number(num);
      if (!Number.isFinite(x)) return m;
      const a = Math.abs(x);
      return (
        pre +
        (a !== 0 && (a < 1e-3 || a >= 1e7)
          ? x.toExponential(digits - 2).replace(/\.?0+e/, 'e')
          : String(Number(x.toPrecision(digits))))
      );
    },
  );
}

/** Markdown-safe inline text: characters Markdown would read as formatting or HTML are backslash-escaped. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`);
}
