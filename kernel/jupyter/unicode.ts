/**
 * Jupyter counts cursor positions in Unicode code points (protocol ≥ 5.2); JavaScript strings
 * index UTF-16 code units. A cell with an emoji or a non-BMP character would otherwise shift
 * every completion after it.
 */

/** UTF-16 index of the code point at `cp` (clamped to the string). */
export function codePointToIndex(text: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}

/** Code-point position of UTF-16 index `index`. */
export function indexToCodePoint(text: string, index: number): number {
  let cp = 0;
  for (let i = 0; i < index && i < text.length; cp++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return cp;
}
