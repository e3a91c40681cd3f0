/**
 * The text edits that turn the solution into the example submissions' bugs. A pattern is written
 * as the code reads on one line; it matches the same tokens however the formatter laid them out
 * (line breaks and indentation anywhere, a trailing comma before a closing bracket), so
 * reformatting the solutions does not break the examples, while a change to the code itself does.
 */

/** A regular expression for `code` that ignores white space between tokens and trailing commas. */
function layoutFree(code: string): RegExp {
  let source = '';
  for (const ch of code.replace(/\s+/g, ' ').trim()) {
    if (ch === ' ') continue;
    const escaped = ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    source += (/[)\]}]/.test(ch) ? ',?\\s*' : '') + escaped + '\\s*';
  }
  return new RegExp(source.replace(/\\s\*$/, ''), 'g');
}

/** Replaces each of exactly `count` occurrences of `find` (layout aside) with `by`; throws otherwise. */
export function replaceCode(find: string, by: string, count = 1): (text: string) => string {
  const pattern = layoutFree(find);
  return (text) => {
    const found = text.match(pattern)?.length ?? 0;
    if (found !== count) throw new Error(`expected ${count} × ${JSON.stringify(find)} (layout aside), found ${found}`);
    return text.replace(pattern, () => by);
  };
}
