/**
 * Given cells (grader/given.ts): a student who edits a seed or deletes a record call in a cell the
 * starter gives complete is graded on the reference's version of that cell, and the report says
 * which cells were restored; student cells and added cells run as written.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as crypto from 'crypto';
import { gradeBatch, type BatchResult } from '../../../grader/batch';
import {
  givenFileFor,
  givenFileText,
  loadGivenCells,
  restoreGivenCells,
  GIVEN_FILE,
  type GivenCells,
} from '../../../grader/given';
import type { NotebookV4 } from '../../../grader/validate';
import { copyTree } from '../../../grader/workspace';
import { generateStarter } from '../../../scripts/starter/build';
import { validator } from '../../../grader/schema';
import type { StudentResult } from '../../../grader/types';
import { TESTS_DIR } from '../../helpers/paths';
import { MINI, MINI_SOLUTION as SOLUTION, MINI_LIMITS as LIMITS } from '../../helpers/miniGrader';

jest.setTimeout(300_000);

const REPO = path.resolve(TESTS_DIR, '..');

const readNb = (file: string): NotebookV4 => JSON.parse(fs.readFileSync(file, 'utf8'));
const src = (c: NotebookV4['cells'][number]) => (Array.isArray(c.source) ? c.source.join('') : c.source);
const sha = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** The mini notebooks' given cells: in ops.ipynb c1–c3 (c4 is the student's), every code cell of stats.ipynb. */
function miniGiven(): GivenCells {
  const pick = (rel: string, ids: string[]) => {
    const nb = readNb(path.join(SOLUTION, rel));
    return nb.cells
      .map((c, index) => ({ c, index }))
      .filter(({ c }) => ids.includes(c.id!))
      .map(({ c, index }) => ({ id: c.id!, index, sha256: sha(src(c)) }));
  };
  return {
    'ops.ipynb': pick('ops.ipynb', ['c1', 'c2', 'c3']),
    'stats.ipynb': pick('stats.ipynb', ['c1', 'c2', 'c3', 'c4']),
  };
}

/** A copy of the mini solution with ops.ipynb / stats.ipynb edited by `edit`. */
function student(dir: string, edit: (nbs: Record<string, NotebookV4>) => void): void {
  copyTree(SOLUTION, dir);
  const nbs = {
    'ops.ipynb': readNb(path.join(dir, 'ops.ipynb')),
    'stats.ipynb': readNb(path.join(dir, 'stats.ipynb')),
  };
  edit(nbs);
  for (const [rel, nb] of Object.entries(nbs)) fs.writeFileSync(path.join(dir, rel), JSON.stringify(nb));
}
const cell = (nb: NotebookV4, id: string) => nb.cells.find((c) => c.id === id)!;

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-given-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('given.json', () => {
  it('for assignment 1 is the one generated with the starter (npm run build:starter)', () => {
    const text = givenFileFor(path.join(REPO, 'solutions', 'assignment1'), generateStarter(REPO, 'assignment1'));
    expect(fs.readFileSync(path.join(REPO, 'grader', 'specs', 'assignment1', GIVEN_FILE), 'utf8')).toBe(text);
    const given = loadGivenCells(path.join(REPO, 'grader', 'specs', 'assignment1'))!;
    // Every notebook has given cells, and none of them holds a solution block.
    for (const [rel, cells] of Object.entries(given)) {
      expect(cells.length).toBeGreaterThan(5);
      const nb = readNb(path.join(REPO, 'solutions', 'assignment1', rel));
      for (const g of cells) expect(src(nb.cells[g.index])).not.toMatch(/BEGIN[ _]SOLUTION/);
    }
  });

  it('refuses a malformed given.json with a way forward', () => {
    const dir = path.join(tmp, 'badspec');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, GIVEN_FILE), JSON.stringify({ notebooks: { 'a.ipynb': [{ id: 'x' }] } }));
    expect(() => loadGivenCells(dir)).toThrow(/given\.json is malformed: .*regenerate it with npm run build:starter/);
  });
});

describe('restoreGivenCells', () => {
  const given = miniGiven()['ops.ipynb'];
  const reference = readNb(path.join(SOLUTION, 'ops.ipynb'));

  it('restores an edited seed and a deleted cell, leaves the student cell and an added cell as written', () => {
    const file = path.join(tmp, 'ops.ipynb');
    const nb = readNb(path.join(SOLUTION, 'ops.ipynb'));
    cell(nb, 'c1').source = src(cell(nb, 'c1')).replace('seed(231)', 'seed(5)');
    cell(nb, 'c4').source = 'record("mini.mean_square", 0);';
    nb.cells = nb.cells.filter((c) => c.id !== 'c3');
    nb.cells.push({
      id: 'extra',
      cell_type: 'code',
      metadata: {},
      source: 'console.log(1);',
      outputs: [],
      execution_count: null,
    });
    fs.writeFileSync(file, JSON.stringify(nb));
    expect(restoreGivenCells(file, 'ops.ipynb', given, reference)).toEqual([
      'ops.ipynb cell 2 was changed and restored',
      'ops.ipynb cell 4 was deleted and restored',
    ]);
    const after = readNb(file);
    // Every cell of the reference, in its order, then the student's added cell.
    expect(after.cells.map((c) => c.id)).toEqual([...reference.cells.map((c) => c.id), 'extra']);
    expect(src(cell(after, 'c1'))).toContain('seed(231)');
    expect(src(cell(after, 'c3'))).toBe(src(cell(reference, 'c3')));
    expect(src(cell(after, 'c4'))).toBe('record("mini.mean_square", 0);');
    expect(validator('nbformat.v4.5.schema.json')(after)).toBe(true);
  });

  it('restores a given code cell turned into markdown; leaves an unchanged notebook untouched', () => {
    const file = path.join(tmp, 'ops2.ipynb');
    const nb = readNb(path.join(SOLUTION, 'ops.ipynb'));
    cell(nb, 'c2').cell_type = 'markdown';
    delete cell(nb, 'c2').outputs;
    delete cell(nb, 'c2').execution_count;
    fs.writeFileSync(file, JSON.stringify(nb));
    expect(restoreGivenCells(file, 'ops.ipynb', given, reference)).toEqual([
      'ops.ipynb cell 3 was changed and restored',
    ]);
    expect(cell(readNb(file), 'c2').cell_type).toBe('code');
    const untouched = fs.readFileSync(path.join(SOLUTION, 'ops.ipynb'), 'utf8');
    fs.writeFileSync(file, untouched);
    expect(restoreGivenCells(file, 'ops.ipynb', given, reference)).toEqual([]);
    expect(fs.readFileSync(file, 'utf8')).toBe(untouched);
  });
});

describe('a batch with given cells', () => {
  let batch: BatchResult;
  const byName = new Map<string, StudentResult>();
  beforeAll(async () => {
    const spec = path.join(tmp, 'spec');
    copyTree(path.join(MINI, 'spec'), spec);
    fs.writeFileSync(path.join(spec, GIVEN_FILE), givenFileText(miniGiven()));
    const subs = path.join(tmp, 'subs');
    student(
      path.join(subs, 'seed_edit'),
      (nbs) =>
        (cell(nbs['ops.ipynb'], 'c1').source = src(cell(nbs['ops.ipynb'], 'c1')).replace('seed(231)', 'seed(5)')),
    );
    student(path.join(subs, 'record_deleted'), (nbs) => {
      cell(nbs['ops.ipynb'], 'c3').source = '// no record here';
      const c2 = cell(nbs['stats.ipynb'], 'c2');
      c2.source = src(c2).replace("record('mini.means', means)", 'void means');
    });
    student(
      path.join(subs, 'student_cell'),
      (nbs) => (cell(nbs['ops.ipynb'], 'c4').source = "const loss = 42;\nrecord('mini.mean_square', loss);"),
    );
    batch = await gradeBatch({
      assignment: 'mini',
      submissions: subs,
      out: path.join(tmp, 'out'),
      specDir: spec,
      solutionDir: SOLUTION,
      jobs: 2,
      runLimits: LIMITS,
    });
    for (const r of batch.results) byName.set(r.student, r);
  });

  it('grades an edited seed on the given seed, and says the cell was restored', () => {
    const r = byName.get('seed_edit')!;
    expect(r.notebooks.find((n) => n.path === 'ops.ipynb')!.restored).toEqual([
      'ops.ipynb cell 2 was changed and restored',
    ]);
    expect(r.total).toBe(10);
  });

  it('grades a deleted record call as recorded, in both notebooks', () => {
    const r = byName.get('record_deleted')!;
    expect(r.notebooks.find((n) => n.path === 'ops.ipynb')!.restored).toEqual([
      'ops.ipynb cell 4 was changed and restored',
    ]);
    expect(r.notebooks.find((n) => n.path === 'stats.ipynb')!.restored).toEqual([
      'stats.ipynb cell 3 was changed and restored',
    ]);
    expect(r.total).toBe(10);
    expect(fs.readFileSync(path.join(tmp, 'out', 'record_deleted', 'feedback.html'), 'utf8')).toContain(
      'ops.ipynb cell 4 was changed and restored',
    );
  });

  it('runs a student cell as written', () => {
    const r = byName.get('student_cell')!;
    expect(r.notebooks.every((n) => !n.restored)).toBe(true);
    expect(r.items.find((i) => i.id === 'mini.mean_square')!.points).toBe(0);
    expect(r.total).toBe(9);
  });
});
