/**
 * Solution → starter for one file's text: TypeScript modules and notebooks.
 */
import * as ts from 'typescript';
import { StarterError } from './errors';
import {
  MarkerSyntaxError,
  parseCodeMarkers,
  replaceCodeBlocks,
  replaceMarkdownAnswers,
  SolutionBlock,
} from './markers';
import { enclosingFunctionName } from './names';
import { addToRuntimeImport, ensureNotImplementedImport, importsNotImplemented } from './imports';

export interface FileContext {
  /** Path of the solution file relative to the repository root (for error messages). */
  sourcePath: string;
  /** Path relative to the assignment folder, shown to students in "not implemented yet: … in <file>". */
  relPath: string;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function throwLine(fn: string, file: string): string {
  return `throw notImplemented(${quote(fn)}, ${quote(file)});`;
}

/** A short name for a block outside any function: the first clause of its instructions. */
export function summaryName(block: SolutionBlock): string {
  const text = block.instructions.join(' ').replace(/\s+/g, ' ').trim();
  let clause = text.split(/(?<=[^.\d])[.:;](?=\s|$)/)[0].trim();
  if (clause.length > 60) clause = clause.slice(0, 57).replace(/\s+\S*$/, '') + '…';
  return clause || 'a TODO block';
}

function parseBlocks(text: string, where: { file: string; cell?: number }, lineOffset = 0): SolutionBlock[] {
  try {
    return parseCodeMarkers(text);
  } catch (e) {
    if (e instanceof MarkerSyntaxError) throw new StarterError(e.message, { ...where, line: e.line + 1 + lineOffset });
    throw e;
  }
}

/** Solution TypeScript module → starter module. */
export function transformTypeScript(text: string, ctx: FileContext): string {
  const blocks = parseBlocks(text, { file: ctx.sourcePath });
  if (blocks.length === 0) return text;
  const source = ts.createSourceFile(ctx.relPath, text, ts.ScriptTarget.Latest, true);
  const out = replaceCodeBlocks(text, blocks, (b) => {
    const fn = enclosingFunctionName(source, b.begin);
    if (!fn)
      throw new StarterError('a solution block in a .ts file must sit inside a named function or method', {
        file: ctx.sourcePath,
        line: b.begin + 1,
      });
    return throwLine(fn, ctx.relPath);
  });
  return ensureNotImplementedImport(out);
}

/** The parts of nbformat 4 the generator touches. */
interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  [key: string]: unknown;
}
interface Notebook {
  cells: Cell[];
  metadata?: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
  [key: string]: unknown;
}

function sourceText(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** nbformat's multi-line string as Jupyter writes it: lines keeping their '\n', none empty. */
function sourceLines(text: string): string[] {
  if (text === '') return [];
  return text.split(/(?<=\n)/);
}

/** Cell metadata that only describes a past run. */
const RUN_METADATA = ['execution', 'collapsed', 'scrolled'];

/**
 * Solution notebook → starter notebook: code blocks become fenced TODOs with a
 * `throw notImplemented(…)` line, markdown answers become `*Your answer:*`, every output and
 * execution count is cleared. Cell ids, metadata and everything else are kept.
 */
export function transformNotebook(text: string, ctx: FileContext): string {
  let nb: Notebook;
  try {
    nb = JSON.parse(text) as Notebook;
  } catch (e) {
    throw new StarterError(`not valid JSON (${(e as Error).message})`, { file: ctx.sourcePath });
  }
  if (!nb || !Array.isArray(nb.cells))
    throw new StarterError('not an nbformat 4 notebook (no "cells" list)', { file: ctx.sourcePath });

  let firstBlockCell = -1;
  const cells = nb.cells.map((cell, index) => {
    const where = { file: ctx.sourcePath, cell: index + 1 };
    const src = sourceText(cell);
    const next: Cell = { ...cell };
    if (cell.cell_type === 'code') {
      const blocks = parseBlocks(src, where);
      let out = src;
      if (blocks.length) {
        if (firstBlockCell < 0) firstBlockCell = index;
        const source = ts.createSourceFile(`cell${index + 1}.ts`, src, ts.ScriptTarget.Latest, true);
        out = replaceCodeBlocks(src, blocks, (b) =>
          throwLine(enclosingFunctionName(source, b.begin) ?? summaryName(b), ctx.relPath),
        );
      }
      next.source = sourceLines(out);
      next.outputs = [];
      next.execution_count = null;
    } else {
      if (cell.cell_type === 'markdown') {
        try {
          next.source = sourceLines(replaceMarkdownAnswers(src));
        } catch (e) {
          if (e instanceof MarkerSyntaxError) throw new StarterError(e.message, { ...where, line: e.line + 1 });
          throw e;
        }
      } else {
        parseBlocks(src, where); // raw cells: markers are not supported, but a stray one is an error
        if (/(BEGIN|END)[ _]SOLUTION/.test(src))
          throw new StarterError('solution markers are only supported in code and markdown cells', where);
        next.source = sourceLines(src);
      }
    }
    if (next.metadata) {
      const meta = { ...next.metadata };
      for (const key of RUN_METADATA) delete meta[key];
      next.metadata = meta;
    }
    return next;
  });

  if (firstBlockCell >= 0 && !cells.some((c) => c.cell_type === 'code' && importsNotImplemented(sourceText(c)))) {
    // Prefer adding the name to the notebook's import from the runtime; else import it in the
    // first cell that needs it.
    const target = cells.findIndex((c) => c.cell_type === 'code' && addToRuntimeImport(sourceText(c)) !== null);
    if (target >= 0 && target <= firstBlockCell) {
      cells[target].source = sourceLines(addToRuntimeImport(sourceText(cells[target])) as string);
    } else {
      const cell = cells[firstBlockCell];
      cells[firstBlockCell].source = sourceLines(ensureNotImplementedImport(sourceText(cell)));
    }
  }
  const out: Notebook = { ...nb, cells };
  return JSON.stringify(out, null, 1) + '\n';
}

/** For files that are copied: refuse any that carry solution markers (they would leak answers). */
export function assertNoMarkers(text: string, ctx: FileContext): void {
  const m = /(BEGIN|END)[ _]SOLUTION/.exec(text);
  if (m) {
    const line = text.slice(0, m.index).split('\n').length;
    throw new StarterError(
      'solution markers are only supported in .ts files and notebooks; this file would be copied with them',
      { file: ctx.sourcePath, line },
    );
  }
}
