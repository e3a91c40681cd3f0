/**
 * Every assignment 1 STARTER notebook (what a student receives, nothing implemented) runs to the
 * end headlessly in quick mode without crashing the kernel, and its checks fail politely: ✗ with
 * "not implemented yet: <function> in <file>", never a stack dump. A cell may stop at an empty
 * TODO with a NotImplementedError; any other error (a ReferenceError from a later cell, a type
 * error) is a bug in the notebook.
 */
import * as path from 'path';
import type { NotebookSummary } from '../scripts/notebooks/run';
import { runNotebooks, REPO, RUN_LIMIT_MS, NAMES, describeWithData } from './notebooks.helpers';


const describeIfData = describeWithData('notebooks.starter.test');

describeIfData('assignment 1 starter notebooks, quick mode, headless', () => {
  let runs: Map<string, NotebookSummary>;
  beforeAll(async () => {
    runs = await runNotebooks(NAMES.map((n) => path.join(REPO, 'assignments/assignment1', `${n}.ipynb`)));
  }, RUN_LIMIT_MS + 10_000);

  it.each(NAMES)('%s.ipynb runs every cell; the only errors are empty TODOs (NotImplementedError)', (name) => {
    const s = runs.get(name)!;
    expect(s.codeCells).toBeGreaterThan(5);
    expect(s.errors.filter((e) => e.ename !== 'NotImplementedError')).toEqual([]);
    for (const e of s.errors) expect(e.evalue).toMatch(/^not implemented yet: .+ in .+/);
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
    for (const fn of ['computeDistancesTwoLoops', 'svmLossNaive', 'softmaxLossNaive', 'TwoLayerNet.loss']) expect(texts).toContain(fn);
  });
});
