/**
 * Maps a line of the JavaScript that runs back to the line of the cell the student wrote.
 *
 * A cell goes through two compilations: TypeScript → ES module (tslab's converter, with a source
 * map) → CommonJS (tslab's `esModuleToCommonJSModule`, which we repeat with a source map). Line
 * granularity is all a traceback needs, so each map is reduced to "generated line → first source
 * line mapped on it" and the two are composed.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decodes one source-map segment (base64 VLQ) into its numbers. */
function decodeSegment(seg: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of seg) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) return out;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** generated line (0-based) → source line (0-based), from a source map's `mappings`. */
export function lineTable(sourceMapJson: string): Array<number | undefined> {
  const { mappings } = JSON.parse(sourceMapJson) as { mappings: string };
  const table: Array<number | undefined> = [];
  let srcLine = 0;
  mappings.split(';').forEach((line, genLine) => {
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const f = decodeSegment(seg);
      if (f.length < 4) continue;
      srcLine += f[2]; // fields are deltas across the whole map
      if (table[genLine] === undefined) table[genLine] = srcLine;
    }
  });
  return table;
}

/**
 * A line lookup: 1-based generated line → 1-based source line; undefined when unknown, null for
 * lines that are the engine's wrapper, not the cell.
 */
export type LineMap = (generatedLine: number) => number | undefined | null;

/**
 * Composes the maps. `prefixLines` is how many lines tslab puts before the cell (`export {};`).
 * For a generated line without a mapping, the nearest mapped line above it is used.
 */
export function composeLineMaps(
  first: string | undefined,
  second: string | undefined,
  prefixLines: number,
  generatedLines = Infinity,
): LineMap {
  const t1 = first ? lineTable(first) : undefined;
  const t2 = second ? lineTable(second) : undefined;
  const nearest = (t: Array<number | undefined>, i: number) => {
    for (let k = Math.min(i, t.length - 1); k >= 0; k--) if (t[k] !== undefined) return t[k];
    return undefined;
  };
  return (generatedLine) => {
    if (generatedLine > generatedLines) return null;
    let l: number | undefined = generatedLine - 1;
    if (t2) l = nearest(t2, l);
    if (l === undefined) return undefined;
    if (t1) l = nearest(t1, l);
    if (l === undefined) return undefined;
    const line = l - prefixLines + 1;
    return line >= 1 ? line : undefined;
  };
}
