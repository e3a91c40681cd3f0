/**
 * No state leaks from one student to the next: a submission graded first leaves traces wherever
 * it can write (its scratch folder, /tmp, /dev/shm, the runner folder, the shared transpile cache
 * of the kit's code, with an entry that would replace the runtime), and the submission graded
 * after it finds none of them and gets full marks from an unpoisoned runtime.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gradeBatch, type BatchResult } from '../../../grader/batch';
import { copyTree } from '../../../grader/workspace';
import { MINI, MINI_SOLUTION as SOLUTION, MINI_LIMITS as LIMITS } from '../../helpers/miniGrader';

jest.setTimeout(300_000);

const SHARED = [`/tmp/ts231n-leak-${process.pid}`, `/dev/shm/ts231n-leak-${process.pid}`];

/** Cell code: the places a submission might leave a trace for the next one (runner = the child's folder). */
const places = `
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as crypto from 'crypto';
const runner = path.dirname(process.argv[1]);
const runtimeIndex = fs.realpathSync(require.resolve('ts231n'));
const key = crypto.createHash('sha256').update('ts231n-transpile-1\\0' + runtimeIndex + '\\0' + fs.readFileSync(runtimeIndex, 'utf8')).digest('hex');
const places = [path.join(os.tmpdir(), 'leak'), path.join(os.homedir(), 'leak'), path.resolve('leak'), path.join(runner, 'leak'), path.join(runner, 'tscache', key + '.js'), ...${JSON.stringify(SHARED)}];
`;

function notebook(cells: string[]): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((source, i) => ({
      cell_type: 'code',
      id: `x${i}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  };
}

let tmp: string;
let batch: BatchResult;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-leak-'));
  const subs = path.join(tmp, 'subs');
  // a_writer is graded before b_reader (--jobs 1, sorted names).
  fs.mkdirSync(path.join(subs, 'a_writer'), { recursive: true });
  const write = `${places}
const wrote: string[] = [];
for (const p of places) {
  try {
    fs.writeFileSync(p, p.endsWith('.js') ? '/* leaked-by-a */ module.exports = { record() {}, tf: {} };' : 'leaked-by-a');
    wrote.push(p);
  } catch {
    /* refused */
  }
}
(globalThis as Record<string, unknown>).leaked = true;
process.env.LEAKED = '1';
console.log('wrote', wrote);`;
  fs.writeFileSync(path.join(subs, 'a_writer', 'ops.ipynb'), JSON.stringify(notebook([write])));
  copyTree(SOLUTION, path.join(subs, 'b_reader'));
  const ops = JSON.parse(fs.readFileSync(path.join(subs, 'b_reader', 'ops.ipynb'), 'utf8'));
  const read = `${places}
// The cache entry exists (the grader wrote it): a trace is the writer's content.
const found = places.filter((p) => fs.existsSync(p) && fs.readFileSync(p, 'utf8').includes('leaked-by-a'));
if ((globalThis as Record<string, unknown>).leaked) found.push('globalThis.leaked');
if (process.env.LEAKED) found.push('process.env.LEAKED');
throw new Error('reader found: [' + found.join(', ') + ']');`;
  ops.cells.push({ cell_type: 'code', id: 'reader', metadata: {}, source: read, outputs: [], execution_count: null });
  fs.writeFileSync(path.join(subs, 'b_reader', 'ops.ipynb'), JSON.stringify(ops));
  batch = await gradeBatch({
    assignment: 'mini',
    submissions: subs,
    out: path.join(tmp, 'out'),
    specDir: path.join(MINI, 'spec'),
    solutionDir: SOLUTION,
    jobs: 1,
    runLimits: LIMITS,
  });
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const f of SHARED) fs.rmSync(f, { force: true });
});

it('the next student finds no trace of the previous one and gets full marks', () => {
  expect(batch.failures).toEqual([]);
  const reader = batch.results.find((r) => r.student === 'b_reader')!;
  const errors = reader.tasks.flatMap((t) => t.errors).map((e) => e.evalue);
  expect(errors).toEqual(['reader found: []']);
  expect(reader.total).toBe(10);
  for (const f of SHARED) expect(fs.existsSync(f)).toBe(false);
});
