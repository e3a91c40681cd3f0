/**
 * Given cells: the code cells of a notebook that the student receives complete (in the solution,
 * no `BEGIN SOLUTION` block). A student could change one — a seed, a `record` call, the data subset —
 * and be graded on their own version; as nbgrader does with locked cells, the grader restores each
 * changed or deleted given cell from the reference before the run and lists it in the report.
 *
 * `grader/specs/<assignment>/given.json` lists them per notebook (cell id, position, SHA-256 of the
 * source the starter gives), written by `npm run build:starter` with the starter (it is checked in
 * tests/integration/grader/given.test.ts). Student cells and added cells run as written.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import type { NotebookV4 } from './validate';

export interface GivenCell {
  id: string;
  /** Position in the starter notebook (0-based, markdown cells counted). */
  index: number;
  /** SHA-256 of the source as the starter gives it. */
  sha256: string;
}

/** notebook path → its given cells, in notebook order. */
export type GivenCells = Record<string, GivenCell[]>;

export const GIVEN_FILE = 'given.json';

type Cell = NotebookV4['cells'][number];

const sourceOf = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);
const sha256 = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/** The given cells of one notebook, from the solution (which cells) and the starter (their sources). */
export function givenCellsOf(solution: NotebookV4, starter: NotebookV4): GivenCell[] {
  const out: GivenCell[] = [];
  solution.cells.forEach((c, index) => {
    if (c.cell_type !== 'code' || /BEGIN[ _]SOLUTION/.test(sourceOf(c))) return;
    const s = starter.cells[index];
    if (!s || s.id !== c.id || typeof c.id !== 'string')
      throw new Error(`the starter's cell ${index + 1} does not match the solution's (id ${c.id})`);
    out.push({ id: c.id, index, sha256: sha256(sourceOf(s)) });
  });
  return out;
}

/** The text of given.json for these notebooks (stable: sorted by notebook, cells in order). */
export function givenFileText(cells: GivenCells): string {
  const sorted = Object.fromEntries(
    Object.keys(cells)
      .sort()
      .map((k) => [k, cells[k]]),
  );
  return JSON.stringify({ generatedBy: 'npm run build:starter', notebooks: sorted }, null, 1) + '\n';
}

/** given.json for an assignment: its solution notebooks and the starter generated from them (rel → bytes). */
export function givenFileFor(solutionDir: string, starter: Map<string, Buffer>): string {
  const cells: GivenCells = {};
  for (const [rel, bytes] of starter) {
    if (!rel.endsWith('.ipynb')) continue;
    const solution = JSON.parse(fs.readFileSync(path.join(solutionDir, rel), 'utf8')) as NotebookV4;
    cells[rel] = givenCellsOf(solution, JSON.parse(bytes.toString('utf8')) as NotebookV4);
  }
  return givenFileText(cells);
}

/** given.json of a spec folder, or null when it has none (then no cell is restored). */
export function loadGivenCells(specDir: string): GivenCells | null {
  const file = path.join(specDir, GIVEN_FILE);
  if (!fs.existsSync(file)) return null;
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { notebooks?: unknown };
  const nbs = raw.notebooks;
  const ok =
    !!nbs &&
    typeof nbs === 'object' &&
    Object.values(nbs).every(
      (list) =>
        Array.isArray(list) &&
        list.every(
          (g) => g && typeof g.id === 'string' && Number.isInteger(g.index) && /^[0-9a-f]{64}$/.test(g.sha256),
        ),
    );
  if (!ok)
    throw new Error(
      `${file} is malformed: expected {"notebooks": {"<name>.ipynb": [{"id", "index", "sha256"}]}}; regenerate it with npm run build:starter`,
    );
  return nbs as GivenCells;
}

/**
 * Restore the given cells of a (validated) notebook file in place from the reference notebook.
 * Returns one line per restored cell (`knn.ipynb cell 7 was changed and restored`), numbered like
 * the student's notebook after the restore, as the error texts are.
 */
export function restoreGivenCells(file: string, rel: string, given: GivenCell[], reference: NotebookV4): string[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as NotebookV4;
  const refById = new Map(reference.cells.filter((c) => typeof c.id === 'string').map((c) => [c.id!, c]));
  const changed = new Set<string>();
  const deleted = new Set<string>();
  given.forEach((g, k) => {
    const ref = refById.get(g.id);
    if (!ref) return; // the reference lost the cell: given.json is stale (its test says so)
    const fresh = (): Cell => ({
      id: g.id,
      cell_type: 'code',
      metadata: {},
      source: ref.source,
      outputs: [],
      execution_count: null,
    });
    const at = nb.cells.findIndex((c) => c.id === g.id);
    if (at >= 0) {
      const c = nb.cells[at];
      // Unchanged: as the starter gives it, or as the reference has it (the starter may add an import).
      if (c.cell_type === 'code' && (sha256(sourceOf(c)) === g.sha256 || sourceOf(c) === sourceOf(ref))) return;
      nb.cells[at] = fresh();
      changed.add(g.id);
      return;
    }
    // Deleted: put it back after the nearest earlier given cell the notebook still has (else first).
    let pos = 0;
    for (let j = k - 1; j >= 0; j--) {
      const prev = nb.cells.findIndex((c) => c.id === given[j].id);
      if (prev >= 0) {
        pos = prev + 1;
        break;
      }
    }
    nb.cells.splice(pos, 0, fresh());
    deleted.add(g.id);
  });
  if (!changed.size && !deleted.size) return [];
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  const lines: string[] = [];
  nb.cells.forEach((c, i) => {
    if (changed.has(c.id!)) lines.push(`${rel} cell ${i + 1} was changed and restored`);
    if (deleted.has(c.id!)) lines.push(`${rel} cell ${i + 1} was deleted and restored`);
  });
  return lines;
}
