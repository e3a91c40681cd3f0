/**
 * Gradescope packaging: grader/gradescope/run_autograder grades /autograder/submission (here a
 * temporary AUTOGRADER_ROOT, on the mini fixture) into /autograder/results/results.json, and
 * still writes a results.json that says why when the grader cannot run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '..');
const MINI = path.join(__dirname, 'fixtures', 'grader', 'mini');
const SCRIPT = path.join(REPO, 'grader', 'gradescope', 'run_autograder');
let tmp: string;

beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-gs-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runAutograder(env: Record<string, string>): { status: number | null; results: { score: number; output: string; tests: Array<{ name: string; score: number; max_score: number; output: string }> } } {
  const r = spawnSync('bash', [SCRIPT], { env: { ...process.env, AUTOGRADER_ROOT: tmp, ...env }, encoding: 'utf8', timeout: 280_000 });
  return { status: r.status, results: JSON.parse(fs.readFileSync(path.join(tmp, 'results', 'results.json'), 'utf8')) };
}

describe('run_autograder', () => {
  it('grades the uploaded files and writes results.json in Gradescope format', () => {
    // An upload with only the module: the hidden tests run, the missing notebooks are reported.
    fs.mkdirSync(path.join(tmp, 'submission', 'lib'), { recursive: true });
    fs.copyFileSync(path.join(MINI, 'solution', 'lib', 'ops.ts'), path.join(tmp, 'submission', 'lib', 'ops.ts'));
    const { status, results } = runAutograder({ TS231N_ASSIGNMENT: 'mini', TS231N_GRADE_ARGS: `--spec-dir ${path.join(MINI, 'spec')} --solution-dir ${path.join(MINI, 'solution')}` });
    expect(status).toBe(0);
    expect(results.score).toBe(3);
    expect(results.output).toMatch(/^3 \/ 10 \(full configuration\)/);
    expect(results.tests).toHaveLength(9);
    expect(results.tests.find((t) => t.name.startsWith('mini.hidden_sum_rows'))).toMatchObject({ score: 1, max_score: 1 });
    expect(results.tests.find((t) => t.name.startsWith('mini.sum_rows'))).toMatchObject({ score: 0, max_score: 2, output: expect.stringMatching(/ops\.ipynb is missing from the submission/) });
  });

  it('writes a results.json that says why when the grader cannot run', () => {
    fs.mkdirSync(path.join(tmp, 'submission'));
    fs.writeFileSync(path.join(tmp, 'submission', 'x.ts'), 'export {};');
    const { status, results } = runAutograder({ TS231N_ASSIGNMENT: 'no_such_assignment' });
    expect(status).toBe(0);
    expect(results.score).toBe(0);
    expect(results.output).toMatch(/^The autograder could not run: the grader exited with status 2 \(grade: no grading spec for assignment no_such_assignment/);
  });
});
