/**
 * Turns what went wrong in a cell into Jupyter's error triple: ename, evalue and a traceback whose
 * lines point at the cell's line (`cell line N`) and at `file:line` in local .ts modules.
 */
import * as path from 'path';
import * as util from 'util';
import type { Diagnostic } from './tslab';
import type { LineMap } from './lineMap';
import { loadedLineTables } from './modules';
import type { ErrorInfo } from '../protocol';

export type { ErrorInfo } from '../protocol';

/** The file name a cell's code runs under; `In[3]` in raw stacks. */
export function cellFileName(executionCount: number): string {
  return `In[${executionCount}]`;
}

const CELL_FILE = /^In\[(\d+)\]$/;
const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
const ENGINE_DIR = __dirname + path.sep;

/** `file:line:col` of a frame; `file:line` in the .ts source for files our loader compiled. */
function tsPosition(file: string, line: number, col: number): string {
  const table = loadedLineTables.get(file);
  if (!table) return `${file}:${line}:${col}`;
  for (let k = Math.min(line - 1, table.length - 1); k >= 0; k--)
    if (table[k] !== undefined) return `${file}:${table[k]! + 1}`;
  return `${file}:${line}:${col}`;
}

/** Type errors, one traceback line each; the first is the evalue. */
export function compileError(diagnostics: Diagnostic[], cwd: string): ErrorInfo {
  const lines = diagnostics.map((d) => {
    const where = d.fileName
      ? `${path.resolve(cwd, d.fileName)}:${d.start.line + 1}:${d.start.character + 1}`
      : `cell line ${d.start.line + 1}, column ${d.start.character + 1}`;
    return `${where}: ${d.messageText}${d.code ? ` (TS${d.code})` : ''}`;
  });
  const more = lines.length > 1 ? ` (and ${lines.length - 1} more)` : '';
  // TS1xxx are the parser's codes: the cell is not even TypeScript.
  const syntax = diagnostics.length > 0 && diagnostics.every((d) => d.code >= 1000 && d.code < 2000);
  const ename = syntax ? 'SyntaxError' : 'TSError';
  const head = syntax ? 'SyntaxError: the cell does not parse' : 'TSError: the cell does not type-check';
  return {
    ename,
    evalue: `${lines[0] ?? 'the cell does not compile'}${more}`,
    traceback: [head, ...lines.map((l) => `    ${l}`)],
  };
}

function isErrorLike(e: unknown): e is { name?: unknown; message?: unknown; stack?: unknown } {
  return typeof e === 'object' && e !== null && 'message' in e;
}

/** A name for a run of library frames: the TensorFlow.js op (`tf.reshape`) when one is in it. */
function libraryName(run: Array<{ fn?: string; file: string }>): string {
  for (let k = run.length - 1; k >= 0; k--) {
    const op = /(?:^|\.)(\w+?)__op$/.exec(run[k].fn ?? '');
    if (op) return `tf.${op[1]}`;
  }
  for (const f of run) {
    const kernel = /\/tfjs-[\w-]+\/src\/kernels\/(\w+)\.ts$/.exec(f.file);
    if (kernel) return `tf.${kernel[1][0].toLowerCase()}${kernel[1].slice(1)}`;
  }
  for (let k = run.length - 1; k >= 0; k--) {
    const fn = run[k].fn?.replace(/^(Object|exports)\./, '').replace(/^(\w+)\.\1\./, '$1.');
    if (fn && fn !== '<anonymous>') return fn;
  }
  return 'library code';
}

/**
 * A thrown value as ename/evalue/traceback. `lineMaps` maps each executed cell's generated lines
 * back to its source; `current` is the running cell's execution count. With `studentDir` (the
 * notebook's folder), only cell frames and frames in modules under it are shown; each run of
 * frames elsewhere (TensorFlow.js, the runtime) becomes one line, `in tf.reshape`.
 */
export function runtimeError(
  e: unknown,
  lineMaps: Map<number, LineMap>,
  current: number,
  studentDir?: string,
): ErrorInfo {
  if (!isErrorLike(e)) {
    const evalue = typeof e === 'string' ? e : util.inspect(e, { depth: 2 });
    // A thrown non-Error has no stack to show.
    return { ename: 'Error', evalue, traceback: [`Uncaught ${evalue}`] };
  }
  const ename = typeof e.name === 'string' && e.name ? e.name : 'Error';
  const evalue = String(e.message);
  const frames: string[] = [];
  let library: Array<{ fn?: string; file: string }> = [];
  const flush = () => {
    if (library.length) frames.push(`    in ${libraryName(library)}`);
    library = [];
  };
  for (const raw of (typeof e.stack === 'string' ? e.stack : '').split('\n')) {
    const m = raw.match(FRAME);
    if (!m) continue;
    const [, fn, file, line, col] = m;
    const cell = file.match(CELL_FILE);
    if (cell) {
      flush();
      const n = Number(cell[1]);
      const src = lineMaps.get(n)?.(Number(line));
      if (src === null) continue;
      const where = n === current ? `cell line ${src ?? '?'}` : `${file} line ${src ?? '?'}`;
      // Cell functions are called as properties of the cells' shared locals (a Proxy).
      const name =
        fn && !/^((exports|Object|Proxy)\.)?<anonymous>$/.test(fn)
          ? fn.replace(/^(Object|Proxy|exports)\./, '')
          : undefined;
      frames.push(name ? `    at ${name} (${where})` : `    at ${where}`);
      continue;
    }
    // The engine and Node's own frames sit under the cell: never shown.
    if (file.startsWith(ENGINE_DIR) || file.startsWith('node:')) continue;
    const inNodeModules = file.includes(`${path.sep}node_modules${path.sep}`);
    const student =
      path.isAbsolute(file) &&
      !inNodeModules &&
      (studentDir === undefined || !path.relative(studentDir, file).startsWith('..'));
    if (!student) {
      if (studentDir !== undefined) library.push({ fn, file });
      continue;
    }
    flush();
    const where = tsPosition(file, Number(line), Number(col));
    frames.push(`    at ${fn ? `${fn} (${where})` : where}`);
  }
  // Library frames below the outermost cell frame (the engine calling the cell) are not shown.
  library = [];
  return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
}
