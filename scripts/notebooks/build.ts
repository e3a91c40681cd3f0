/**
 * Builds the solution notebooks from their sources: `solutions/<assignment>/<name>.nb.ts` →
 * `solutions/<assignment>/<name>.ipynb`, for any assignment folder.
 *
 * A source is Jupytext's percent format for TypeScript (docs/notebooks.md):
 *   `// %%`              starts a code cell (the lines that follow, verbatim)
 *   `// %% [markdown]`   starts a markdown cell; each of its lines is `// text` (or `//` when empty)
 * Text before the first marker may only be blank lines and `//` comments. Blank lines around a
 * cell are dropped. The output is nbformat 4.5 with stable cell ids (`<name>-<index>`, `_` → `-`),
 * the ts231n kernelspec and no outputs. The committed `.ipynb` files are what everything
 * downstream reads (the starter generator, the grader, Jupyter); the sources keep them easy to
 * edit and review, and `--check` (and a test) keeps the two in step.
 *
 * Usage: `npx tsx scripts/notebooks/build.ts [--check] [FOLDER | FILE.nb.ts ...]`
 *   (default: every folder under solutions/)
 *   --check  write nothing; exit 1 if a committed notebook differs from what its source builds
 */
import * as fs from 'fs';
import * as path from 'path';
import { languageInfo } from '../../kernel/jupyter/kernelInfo';
import { CommandLineError, parseCommandLine } from '../commandLine';

const ROOT = path.resolve(__dirname, '..', '..');
/** The file name suffix of a notebook source. */
export const SOURCE_SUFFIX = '.nb.ts';

interface Cell {
  cell_type: 'markdown' | 'code';
  id: string;
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: null;
  outputs?: unknown[];
}

export class NotebookSourceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'NotebookSourceError';
  }
}

/** nbformat stores a cell's source as lines, each ending in "\n" except the last. */
function toSourceLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? l + '\n' : l)).filter((l) => l.length > 0);
}

const MARKER = /^\/\/ %%(.*)$/;

/** The cell kind a marker line's tail names: '' → code, ' [markdown]' (or ' [md]') → markdown. */
function markerKind(tail: string, file: string, line: number): 'markdown' | 'code' {
  const t = tail.trim();
  if (t === '') return 'code';
  if (t === '[markdown]' || t === '[md]') return 'markdown';
  throw new NotebookSourceError(
    file,
    line,
    `unsupported cell marker "// %%${tail}": use "// %%" (code) or "// %% [markdown]"`,
  );
}

/** The text of one markdown line: `// text` → `text`, `//` → ''. */
function uncomment(line: string, file: string, lineNo: number): string {
  if (line === '//' || line.trim() === '') return '';
  if (line.startsWith('// ')) return line.slice(3);
  throw new NotebookSourceError(file, lineNo, 'a markdown cell line must start with "// " (or be "//" when empty)');
}

/** Parses one source file into cells. `name` is the notebook's name (the file name without .nb.ts). */
export function parseSource(name: string, text: string, file = `${name}${SOURCE_SUFFIX}`): Cell[] {
  const cells: Cell[] = [];
  let kind: 'markdown' | 'code' | null = null;
  let body: string[] = [];
  const flush = () => {
    if (kind === null) return;
    const content = body
      .join('\n')
      .replace(/^\s*\n/, '')
      .replace(/\s+$/, '');
    if (content.length === 0) return;
    const id = `${name.replace(/_/g, '-')}-${String(cells.length).padStart(2, '0')}`;
    cells.push(
      kind === 'markdown'
        ? { cell_type: 'markdown', id, metadata: {}, source: toSourceLines(content) }
        : { cell_type: 'code', id, metadata: {}, source: toSourceLines(content), execution_count: null, outputs: [] },
    );
  };
  text.split('\n').forEach((line, i) => {
    const m = MARKER.exec(line);
    if (m) {
      flush();
      kind = markerKind(m[1], file, i + 1);
      body = [];
    } else if (kind === null) {
      if (line.trim() !== '' && !line.startsWith('//')) {
        throw new NotebookSourceError(file, i + 1, 'text before the first cell marker ("// %%" or "// %% [markdown]")');
      }
    } else {
      body.push(kind === 'markdown' ? uncomment(line, file, i + 1) : line);
    }
  });
  flush();
  return cells;
}

export function buildNotebook(name: string, text: string, file?: string): object {
  return {
    cells: parseSource(name, text, file),
    metadata: {
      kernelspec: { name: 'ts231n', display_name: 'TypeScript (ts231n)', language: 'typescript' },
      // exactly what the kernel reports, or opening the notebook marks it changed
      language_info: languageInfo(),
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** The notebook's name: `knn` for `…/knn.nb.ts`. */
export function notebookName(sourceFile: string): string {
  return path.basename(sourceFile, SOURCE_SUFFIX);
}

/** Where a source's notebook goes: beside it, `<name>.ipynb`. */
export function notebookPath(sourceFile: string): string {
  return path.join(path.dirname(sourceFile), `${notebookName(sourceFile)}.ipynb`);
}

/** The notebook JSON text (as committed) that a source file builds. */
export function renderNotebook(sourceFile: string): string {
  const text = fs.readFileSync(sourceFile, 'utf8');
  const shown = path.relative(ROOT, sourceFile) || sourceFile;
  return JSON.stringify(buildNotebook(notebookName(sourceFile), text, shown), null, 1) + '\n';
}

/** The notebook sources of an assignment folder (absolute paths, by name). */
export function notebookSources(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(SOURCE_SUFFIX))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every solution folder's sources (solutions/<assignment>/*.nb.ts). */
function allSources(): string[] {
  const solutions = path.join(ROOT, 'solutions');
  if (!fs.existsSync(solutions)) return [];
  return fs
    .readdirSync(solutions, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => notebookSources(path.join(solutions, d.name)));
}

const USAGE = 'usage: npx tsx scripts/notebooks/build.ts [--check] [FOLDER | FILE.nb.ts ...]';

function sourcesFor(arg: string): string[] {
  const abs = path.resolve(arg);
  if (!fs.existsSync(abs)) throw new CommandLineError(`${arg}: no such file or folder`);
  if (fs.statSync(abs).isDirectory()) {
    const found = notebookSources(abs);
    if (!found.length) throw new CommandLineError(`${arg}: no *${SOURCE_SUFFIX} notebook sources in this folder`);
    return found;
  }
  if (!abs.endsWith(SOURCE_SUFFIX)) throw new CommandLineError(`${arg}: not a notebook source (*${SOURCE_SUFFIX})`);
  return [abs];
}

function main(argv: string[]): number {
  const { values, positionals } = parseCommandLine(
    argv,
    { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sources = positionals.length ? positionals.flatMap(sourcesFor) : allSources();
  let stale = 0;
  for (const src of sources) {
    const out = notebookPath(src);
    const json = renderNotebook(src);
    const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    if (current === json) continue;
    if (values.check) {
      const rel = (p: string) => path.relative(ROOT, p);
      console.error(`stale: ${rel(out)} differs from ${rel(src)} (run npx tsx scripts/notebooks/build.ts)`);
      stale++;
    } else {
      fs.writeFileSync(out, json);
      console.log(`wrote ${path.relative(ROOT, out)}`);
    }
  }
  if (values.check && !stale) console.log(`${sources.length} notebooks up to date`);
  return stale ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    const err = e as Error;
    if (err instanceof CommandLineError) console.error(`notebooks/build: ${err.message}\n${USAGE}`);
    else console.error(err.message);
    process.exitCode = err instanceof CommandLineError ? 2 : 1;
  }
}
