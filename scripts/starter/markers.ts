/**
 * Solution markers in code (TypeScript files and notebook code cells):
 *
 *   // BEGIN SOLUTION: <what to compute>
 *   // <more instruction lines: every comment line right after BEGIN continues the instructions>
 *   ...solution code...
 *   // END SOLUTION
 *
 * and in markdown cells: `<!-- BEGIN SOLUTION -->` … `<!-- END SOLUTION -->`.
 *
 * Parsing is line based and strict: a marker must sit alone on its line, blocks cannot nest, every
 * BEGIN needs its END, instructions are required, and any other line that mentions
 * "BEGIN SOLUTION" / "END SOLUTION" is an error (a typo must not leak a solution to students).
 */

/** One solution block; lines are 0-based indices into the text's lines. */
export interface SolutionBlock {
  /** Line of `// BEGIN SOLUTION: ...`. */
  begin: number;
  /** Line of `// END SOLUTION`. */
  end: number;
  /** Leading whitespace of the BEGIN line; the TODO is indented the same. */
  indent: string;
  /** The instruction lines: the text after `BEGIN SOLUTION:` and the comment lines right after. */
  instructions: string[];
  /** Number of lines after BEGIN that are instructions (comments), not solution code. */
  instructionLines: number;
}

/** A marker problem; `line` is 0-based. The caller adds the file name. */
export class MarkerSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'MarkerSyntaxError';
  }
}

const BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\b(.*)$/;
const END = /^\s*\/\/\s*END SOLUTION\s*$/;
const COMMENT = /^\s*\/\/ ?(.*)$/;
const MENTION = /(BEGIN|END)[ _]SOLUTION/;

/** Find the solution blocks in code text. Throws MarkerSyntaxError on malformed markers. */
export function parseCodeMarkers(text: string): SolutionBlock[] {
  const lines = text.split('\n');
  const blocks: SolutionBlock[] = [];
  let open: SolutionBlock | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const begin = BEGIN.exec(line);
    if (begin) {
      if (open) {
        throw new MarkerSyntaxError(
          `BEGIN SOLUTION inside the block opened on line ${open.begin + 1} (blocks cannot nest; close it with // END SOLUTION first)`,
          i,
        );
      }
      const rest = begin[2];
      const colon = /^\s*:\s?(.*)$/.exec(rest);
      if (!colon)
        throw new MarkerSyntaxError(
          'write the marker as `// BEGIN SOLUTION: <what to compute>` (a colon and instructions after it)',
          i,
        );
      const instructions = colon[1].trim() ? [colon[1].trimEnd()] : [];
      let j = i + 1;
      while (j < lines.length) {
        const next = lines[j].replace(/\r$/, '');
        if (BEGIN.test(next) || END.test(next) || MENTION.test(next)) break;
        const comment = COMMENT.exec(next);
        if (!comment) break;
        instructions.push(comment[1].trimEnd());
        j++;
      }
      if (instructions.every((s) => s.trim() === '')) {
        throw new MarkerSyntaxError(
          'BEGIN SOLUTION needs instructions: say exactly what the student must compute after the colon',
          i,
        );
      }
      open = { begin: i, end: -1, indent: begin[1], instructions, instructionLines: j - i - 1 };
      continue;
    }
    if (END.test(line)) {
      if (!open) throw new MarkerSyntaxError('END SOLUTION without a BEGIN SOLUTION before it', i);
      open.end = i;
      blocks.push(open);
      open = null;
      continue;
    }
    if (MENTION.test(line)) {
      throw new MarkerSyntaxError(
        'malformed solution marker: use `// BEGIN SOLUTION: <instructions>` and `// END SOLUTION`, each alone on its line',
        i,
      );
    }
  }
  if (open) throw new MarkerSyntaxError('BEGIN SOLUTION without a matching // END SOLUTION', open.begin);
  return blocks;
}

/** How a block is replaced: the fenced TODO text for one block (without a trailing newline). */
export function todoLines(block: SolutionBlock, throwStatement: string): string[] {
  const ind = block.indent;
  const rule = (label: string) => `${ind}// ==== ${label} ${'='.repeat(Math.max(4, 72 - label.length))}`;
  const [first, ...rest] = block.instructions;
  return [
    rule('YOUR CODE'),
    `${ind}// TODO: ${first}`.trimEnd(),
    ...rest.map((s) => (s ? `${ind}// ${s}` : `${ind}//`)),
    `${ind}// (Replace the next line with your code.)`,
    `${ind}${throwStatement}`,
    rule('END OF YOUR CODE'),
  ];
}

/**
 * Replace every block in `text` by its fenced TODO. `throwFor(block)` gives the throw statement
 * (e.g. `throw notImplemented('svmLossNaive', 'cs231n/classifiers/linearSvm.ts');`).
 */
export function replaceCodeBlocks(
  text: string,
  blocks: SolutionBlock[],
  throwFor: (b: SolutionBlock) => string,
): string {
  if (blocks.length === 0) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let next = 0;
  for (const b of blocks) {
    out.push(...lines.slice(next, b.begin));
    out.push(...todoLines(b, throwFor(b)));
    next = b.end + 1;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

const MD_BEGIN = '<!-- BEGIN SOLUTION -->';
const MD_END = '<!-- END SOLUTION -->';
const MD_MENTION = /<!--\s*(BEGIN|END)[ _]SOLUTION\s*-->|(BEGIN|END)[ _]SOLUTION/g;

/** The replacement of a markdown answer. */
export const YOUR_ANSWER = '*Your answer:*';

/**
 * Replace each `<!-- BEGIN SOLUTION -->` … `<!-- END SOLUTION -->` in markdown by `*Your answer:*`.
 * Throws MarkerSyntaxError (0-based line) for unbalanced, nested or misspelt markers.
 */
export function replaceMarkdownAnswers(text: string): string {
  const lineOf = (index: number) => text.slice(0, index).split('\n').length - 1;
  let out = '';
  let pos = 0;
  let openAt = -1;
  MD_MENTION.lastIndex = 0;
  for (let m = MD_MENTION.exec(text); m; m = MD_MENTION.exec(text)) {
    if (m[0] === MD_BEGIN) {
      if (openAt >= 0)
        throw new MarkerSyntaxError(
          `${MD_BEGIN} inside the answer opened on line ${lineOf(openAt) + 1} (answers cannot nest)`,
          lineOf(m.index),
        );
      openAt = m.index;
      out += text.slice(pos, m.index);
    } else if (m[0] === MD_END) {
      if (openAt < 0) throw new MarkerSyntaxError(`${MD_END} without a ${MD_BEGIN} before it`, lineOf(m.index));
      out += YOUR_ANSWER;
      pos = m.index + m[0].length;
      openAt = -1;
    } else {
      throw new MarkerSyntaxError(
        `malformed solution marker "${m[0]}": use exactly ${MD_BEGIN} and ${MD_END}`,
        lineOf(m.index),
      );
    }
  }
  if (openAt >= 0) throw new MarkerSyntaxError(`${MD_BEGIN} without a matching ${MD_END}`, lineOf(openAt));
  return out + text.slice(pos);
}
