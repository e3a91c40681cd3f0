/**
 * Builds assignment 1's solution notebooks from readable sources.
 *
 * Each source `scripts/notebooks/src/<name>.nbsrc` is a sequence of cells separated by marker lines:
 *   `//// md`   — a markdown cell (the lines that follow, verbatim)
 *   `//// code` — a TypeScript code cell
 * The output is `solutions/assignment1/<name>.ipynb`, nbformat 4.5 with stable cell ids
 * (`<name>-<index>`), the ts231n kernelspec, no outputs. The committed `.ipynb` files are the
 * truth for everything downstream (the starter generator, the grader); this script only keeps
 * them easy to edit and review.
 *
 * Usage: `npx tsx scripts/notebooks/build.ts [--check] [name ...]`
 *   --check  exit 1 if a committed notebook differs from what its source would build
 */
import * as fs from 'fs';
import * as path from 'path';
import { languageInfo } from '../../kernel/jupyter/kernelInfo';

const ROOT = path.resolve(__dirname, '..', '..');
const SRC_DIR = path.join(__dirname, 'src');
const OUT_DIR = path.join(ROOT, 'solutions', 'assignment1');

export const NOTEBOOKS = ['knn', 'svm', 'softmax', 'two_layer_net', 'features'] as const;

interface Cell {
  cell_type: 'markdown' | 'code';
  id: string;
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: null;
  outputs?: unknown[];
}

export class NotebookSourceError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'NotebookSourceError';
  }
}

/** nbformat stores a cell's source as lines, each ending in "\n" except the last. */
function toSourceLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? l + '\n' : l)).filter((l) => l.length > 0);
}

/** Parses one source file into cells; blank lines around a cell are trimmed. */
export function parseSource(name: string, text: string, file = `${name}.nbsrc`): Cell[] {
  const cells: Cell[] = [];
  let kind: 'markdown' | 'code' | null = null;
  let body: string[] = [];
  const flush = () => {
    if (kind === null) return;
    const content = body.join('\n').replace(/^\s*\n/, '').replace(/\s+$/, '');
    if (content.length === 0) return;
    const id = `${name.replace(/_/g, '-')}-${String(cells.length).padStart(2, '0')}`;
    cells.push(
      kind === 'markdown'
        ? { cell_type: 'markdown', id, metadata: {}, source: toSourceLines(content) }
        : { cell_type: 'code', id, metadata: {}, source: toSourceLines(content), execution_count: null, outputs: [] },
    );
  };
  text.split('\n').forEach((line, i) => {
    const m = /^\/\/\/\/ (md|code)\s*$/.exec(line);
    if (m) {
      flush();
      kind = m[1] === 'md' ? 'markdown' : 'code';
      body = [];
    } else if (kind === null) {
      if (line.trim() !== '' && !line.startsWith('//')) throw new NotebookSourceError(file, i + 1, 'text before the first "//// md" or "//// code" marker');
    } else {
      body.push(line);
    }
  });
  flush();
  return cells;
}

export function buildNotebook(name: string, text: string): object {
  return {
    cells: parseSource(name, text),
    metadata: {
      kernelspec: { name: 'ts231n', display_name: 'TypeScript (ts231n)', language: 'typescript' },
      // exactly what the kernel reports, or opening the notebook marks it changed
      language_info: languageInfo(),
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export function renderNotebook(name: string): string {
  const text = fs.readFileSync(path.join(SRC_DIR, `${name}.nbsrc`), 'utf8');
  return JSON.stringify(buildNotebook(name, text), null, 1) + '\n';
}

function main(argv: string[]): number {
  const checkOnly = argv.includes('--check');
  const names = argv.filter((a) => !a.startsWith('--'));
  const todo = names.length ? names : [...NOTEBOOKS];
  let stale = 0;
  for (const name of todo) {
    const out = path.join(OUT_DIR, `${name}.ipynb`);
    const json = renderNotebook(name);
    const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    if (current === json) continue;
    if (checkOnly) {
      console.error(`stale: ${path.relative(ROOT, out)} differs from scripts/notebooks/src/${name}.nbsrc (run npx tsx scripts/notebooks/build.ts)`);
      stale++;
    } else {
      fs.mkdirSync(OUT_DIR, { recursive: true });
      fs.writeFileSync(out, json);
      console.log(`wrote ${path.relative(ROOT, out)}`);
    }
  }
  return stale ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
