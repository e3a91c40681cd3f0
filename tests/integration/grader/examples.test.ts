/**
 * The example submissions are built by scripts/examples.ts from the solution tree (into
 * examples/submissions/assignment1 by `npm run demo`; here into a temporary folder): a build is
 * reproducible, and each example carries exactly the bugs its name promises.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { EXAMPLES, buildExamples, staleExamples, treeContents } from '../../../scripts/examples';
import { loadSpec } from '../../../grader/spec';
import { TESTS_DIR } from '../../helpers/paths';

const SOLUTION = path.resolve(TESTS_DIR, '..', 'solutions', 'assignment1');

describe('example submissions of assignment 1', () => {
  let EXAMPLES_DIR: string;
  beforeAll(() => {
    EXAMPLES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-examples-test-'));
    expect(buildExamples(EXAMPLES_DIR).sort()).toEqual(['broken', 'complete', 'partial']);
  });
  afterAll(() => fs.rmSync(EXAMPLES_DIR, { recursive: true, force: true }));

  it('a build is reproducible: a second build matches the first, and a hand edit shows as stale', () => {
    expect(staleExamples(EXAMPLES_DIR)).toEqual([]);
    fs.appendFileSync(path.join(EXAMPLES_DIR, 'partial', 'knn.ipynb'), ' ');
    expect(staleExamples(EXAMPLES_DIR)).toEqual(['out of date partial/knn.ipynb']);
    buildExamples(EXAMPLES_DIR);
  });

  it('complete is the solution, file for file', () => {
    const sol = treeContents(SOLUTION);
    for (const f of [...sol.keys()])
      if (f.split('/').some((p) => p.startsWith('.')) || f.endsWith('.nb.ts')) sol.delete(f);
    expect(treeContents(path.join(EXAMPLES_DIR, 'complete'))).toEqual(sol);
  });

  it('partial differs from the solution exactly in the SVM gradient and the kNN tie-break', () => {
    const changed = [...treeContents(path.join(EXAMPLES_DIR, 'partial'))]
      .filter(([f, text]) => fs.readFileSync(path.join(SOLUTION, f), 'utf8') !== text)
      .map(([f]) => f);
    expect(changed.sort()).toEqual(['cs231n/classifiers/kNearestNeighbor.ts', 'cs231n/classifiers/linearSvm.ts']);
    const svm = fs.readFileSync(path.join(EXAMPLES_DIR, 'partial', 'cs231n/classifiers/linearSvm.ts'), 'utf8');
    expect(svm).not.toMatch(/2 \* reg/);
    expect(EXAMPLES.partial.map((e) => e.why)).toEqual([
      'naive SVM gradient without the regularisation term',
      'vectorised SVM gradient without the regularisation term',
      'kNN vote ties go to the larger label',
    ]);
  });

  it('broken has a notebook that is not JSON and a module that throws on import', () => {
    expect(() => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'broken', 'knn.ipynb'), 'utf8'))).toThrow(
      SyntaxError,
    );
    expect(fs.readFileSync(path.join(EXAMPLES_DIR, 'broken', 'cs231n/features.ts'), 'utf8')).toMatch(
      /^throw new Error\('features\.ts is being rewritten/m,
    );
  });

  it('hold every file the grading spec needs', () => {
    const spec = loadSpec(path.resolve(TESTS_DIR, '..', 'grader', 'specs', 'assignment1'));
    for (const name of Object.keys(EXAMPLES))
      for (const f of [...spec.notebooks, ...spec.modules])
        expect(fs.existsSync(path.join(EXAMPLES_DIR, name, f))).toBe(true);
  });
});
