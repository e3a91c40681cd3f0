/**
 * Assignment 2's example submissions (scripts/examples.ts, built from solutions/assignment2 into a
 * temporary folder here): reproducible, and each carries exactly the bugs its name promises.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { EXAMPLES_ASSIGNMENT2, buildExamples, staleExamples, treeContents } from '../../../scripts/examples';
import { loadSpec } from '../../../grader/spec';
import { TESTS_DIR } from '../../helpers/paths';

const SOLUTION = path.resolve(TESTS_DIR, '..', 'solutions', 'assignment2');

describe('example submissions of assignment 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-examples2-test-'));
    expect(buildExamples(dir, 'assignment2').sort()).toEqual([
      'broken',
      'complete',
      'conv-stride2',
      'convnet-no-reg',
      'partial',
    ]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a build is reproducible', () => {
    expect(staleExamples(dir, 'assignment2')).toEqual([]);
  });

  it('complete is the solution, file for file (without the notebook sources)', () => {
    const sol = treeContents(SOLUTION);
    for (const f of [...sol.keys()]) if (f.endsWith('.nb.ts')) sol.delete(f);
    expect(treeContents(path.join(dir, 'complete'))).toEqual(sol);
  });

  it("partial differs from the solution exactly in dropout scaling, Adam's t and the ½ of the regularisation", () => {
    const changed = [...treeContents(path.join(dir, 'partial'))]
      .filter(([f, text]) => fs.readFileSync(path.join(SOLUTION, f), 'utf8') !== text)
      .map(([f]) => f);
    expect(changed.sort()).toEqual(['cs231n/classifiers/fcNet.ts', 'cs231n/layers.ts', 'cs231n/optim.ts']);
    const optim = fs.readFileSync(path.join(dir, 'partial', 'cs231n/optim.ts'), 'utf8');
    expect(optim.indexOf('t += 1;')).toBeGreaterThan(optim.indexOf('const vt = v.div'));
    expect(EXAMPLES_ASSIGNMENT2.partial).toHaveLength(3);
  });

  it('broken has a notebook that is not JSON and a module that throws on import', () => {
    expect(() => JSON.parse(fs.readFileSync(path.join(dir, 'broken', 'Dropout.ipynb'), 'utf8'))).toThrow(SyntaxError);
    expect(fs.readFileSync(path.join(dir, 'broken', 'cs231n/layerUtils.ts'), 'utf8')).toMatch(
      /^throw new Error\('layerUtils\.ts is being rewritten/m,
    );
  });

  it('hold every file the grading spec needs', () => {
    const spec = loadSpec(path.resolve(TESTS_DIR, '..', 'grader', 'specs', 'assignment2'));
    for (const name of Object.keys(EXAMPLES_ASSIGNMENT2))
      for (const f of [...spec.notebooks, ...spec.modules]) expect(fs.existsSync(path.join(dir, name, f))).toBe(true);
  });
});
