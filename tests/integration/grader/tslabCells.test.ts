/**
 * The grader's headless run of a notebook that uses tslab's display API, clearOutput and input():
 * in the sandbox `import * as tslab from 'tslab'` resolves (the scratch node_modules links the
 * package) and its displays reach the engine's sink, clearOutput changes nothing that is graded,
 * and input() — no one can answer in a grader — is the student's one-line error with its cell.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gradeBatch } from '../../../grader/batch';
import { copyTree } from '../../../grader/workspace';
import type { StudentResult } from '../../../grader/types';
import { MINI, MINI_SOLUTION as SOLUTION } from '../../helpers/miniGrader';

let tmp: string;
let result: StudentResult;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tslab-cells-'));
  const sub = path.join(tmp, 'subs', 'uses_tslab');
  copyTree(SOLUTION, sub);
  const file = path.join(sub, 'ops.ipynb');
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: Array<Record<string, unknown>> };
  const code = (id: string, source: string) => ({
    cell_type: 'code',
    id,
    metadata: {},
    source,
    outputs: [],
    execution_count: null,
  });
  // After the import cell: tslab's displays and a live-plot style clear; at the end: input().
  nb.cells.splice(
    2,
    0,
    code(
      'tslab',
      "import * as tslab from 'tslab';\nimport { clearOutput, input } from 'ts231n';\n" +
        "tslab.display.html('<b>x</b>');\nconst d = tslab.newDisplay();\nd.text('0%');\nd.text('100%');\n" +
        'clearOutput({ wait: true });\ntslab.display.png(new Uint8Array([1, 2, 3]));\n' +
        "if (tslab.versions.tslab !== '1.0.22') throw new Error('tslab.versions: ' + tslab.versions.tslab);",
    ),
  );
  nb.cells.push(code('ask', "const name = await input('name? ');"));
  fs.writeFileSync(file, JSON.stringify(nb));
  const batch = await gradeBatch({
    assignment: 'mini',
    submissions: path.join(tmp, 'subs'),
    out: path.join(tmp, 'out'),
    specDir: path.join(MINI, 'spec'),
    solutionDir: SOLUTION,
    jobs: 1,
    runLimits: {
      cellTimeoutS: 60,
      notebookTimeoutS: 240,
      memoryMb: 1536,
      outputCapBytes: 10 * 1024 * 1024,
      startupTimeoutS: 180,
      scratchMb: 96,
      cpuCores: 1,
      pidsMax: 128,
    },
    intakeLimits: { maxFiles: 200, maxBytes: 4 * 1024 * 1024 },
  });
  expect(batch.failures).toEqual([]);
  result = batch.results[0];
}, 600000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("a cell using tslab's display API runs in the sandbox and every record of the notebook is graded", () => {
  const ops = result.items.filter((i) => i.kind === 'record' && i.group === 'ops');
  expect(ops.map((i) => [i.id, i.points, i.maxPoints, i.reason])).toEqual([
    ['mini.sum_rows', 2, 2, ''],
    ['mini.top2', 1, 1, ''],
    ['mini.mean_square', 1, 1, ''],
  ]);
  const errors = result.tasks.flatMap((t) => t.errors);
  // The only error of the run is the input() cell's (next test).
  expect(errors.filter((e) => e.ename !== 'StdinUnavailableError')).toEqual([]);
});

test('input() in the grader is the student error of its cell, in one line', () => {
  const errors = result.tasks.flatMap((t) => t.errors);
  const stdin = errors.filter((e) => e.ename === 'StdinUnavailableError');
  expect(stdin).toHaveLength(1);
  expect(stdin[0].where).toMatch(/^ops\.ipynb cell \d+/);
  expect(stdin[0].evalue).toMatch(
    /^input\(\) needs a front end that allows stdin .*: put the value in the cell instead$/,
  );
  expect(stdin[0].evalue).not.toContain('\n');
});
