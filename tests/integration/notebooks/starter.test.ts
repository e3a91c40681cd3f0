/**
 * Every assignment 1 STARTER notebook (what a student receives, nothing implemented) runs to the
 * end headlessly in quick mode without crashing the kernel, and its checks fail politely: ✗ with
 * "not implemented yet: <function> in <file>", never a stack dump. The run stops at the first
 * error, as Jupyter's Run All does (stop_on_error): a cell that reaches an empty TODO (in a module
 * or in the cell) prints one "not implemented yet" line and the notebook goes on, so any error
 * output at all (a ReferenceError from a later cell, a type error) is a bug in the notebook.
 */
import * as path from 'path';
import type { NotebookSummary } from '../../../scripts/notebooks/run';
import { runNotebooks, REPO, RUN_LIMIT_MS, NAMES, describeWithData } from '../../helpers/notebooks';

const describeIfData = describeWithData('notebooks.starter.test');

describeIfData('assignment 1 starter notebooks, quick mode, headless', () => {
  let runs: Map<string, NotebookSummary>;
  beforeAll(async () => {
    runs = await runNotebooks(
      NAMES.map((n) => path.join(REPO, 'assignments/assignment1', `${n}.ipynb`)),
      true,
      RUN_LIMIT_MS,
      ['--stop-on-error'],
    );
  }, RUN_LIMIT_MS + 10_000);

  it.each(NAMES)('%s.ipynb run top to bottom with stop_on_error reaches its last cell with no error output', (name) => {
    const s = runs.get(name)!;
    expect(s.codeCells).toBeGreaterThan(5);
    expect(s.errors).toEqual([]);
    expect(s.ranCells).toBe(s.codeCells);
  });

  it.each(NAMES)('%s.ipynb: every check fails politely with "not implemented yet"', (name) => {
    const s = runs.get(name)!;
    expect(s.checks.length).toBeGreaterThanOrEqual(2);
    for (const c of s.checks) {
      expect([c.id, c.pass]).toEqual([c.id, false]);
      expect(c.text).toMatch(/not implemented yet: .+ in \S+/);
    }
  });

  it('the starter names the student functions it is waiting for', () => {
    const texts = NAMES.flatMap((n) => runs.get(n)!.checks.map((c) => c.text)).join('\n');
    for (const fn of ['computeDistancesTwoLoops', 'svmLossNaive', 'softmaxLossNaive', 'TwoLayerNet.loss'])
      expect(texts).toContain(fn);
  });
});
