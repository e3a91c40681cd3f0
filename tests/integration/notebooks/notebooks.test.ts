/**
 * Every assignment 1 SOLUTION notebook runs headlessly through the kit's engine in quick mode
 * (TS231N_QUICK=1) on the real Fashion-MNIST: no cell raises, no cell leaves tensors behind (the
 * kernel's leak line), every check(...) prints ✓, and every graded id is recorded with a value
 * (not "not implemented").
 *
 * The notebooks run in one child process (scripts/notebooks/run.ts --json), so that TensorFlow.js
 * and the data set load once; each test below then judges one notebook's summary.
 */
import * as path from 'path';
import type { NotebookSummary } from '../../../scripts/notebooks/run';
import { runNotebooks, REPO, RUN_LIMIT_MS, NAMES, describeWithData } from '../../helpers/notebooks';

/** The graded ids each notebook must record (contract 6 in docs/architecture.md). */
const GRADED: Record<string, string[]> = {
  knn: [
    'knn.dists_two_loops',
    'knn.one_loop_difference',
    'knn.no_loop_difference',
    'knn.accuracy_k1',
    'knn.accuracy_k5',
    'knn.cv_accuracies',
    'knn.best_k',
    'knn.test_accuracy_best_k',
  ],
  svm: [
    'svm.loss_naive',
    'svm.grad_naive',
    'svm.loss_difference',
    'svm.grad_difference',
    'svm.gradcheck_passed',
    'svm.gradcheck_reg_passed',
    'svm.best_val_accuracy',
    'svm.test_accuracy',
  ],
  softmax: [
    'softmax.loss_naive',
    'softmax.grad_naive',
    'softmax.loss_difference',
    'softmax.grad_difference',
    'softmax.loss_sanity',
    'softmax.gradcheck_passed',
    'softmax.gradcheck_reg_passed',
    'softmax.best_val_accuracy',
    'softmax.test_accuracy',
  ],
  two_layer_net: [
    'twolayer.toy_scores',
    'twolayer.toy_loss',
    'twolayer.toy_gradcheck_passed',
    'twolayer.toy_final_loss',
    'twolayer.val_accuracy',
    'twolayer.best_val_accuracy',
    'twolayer.test_accuracy',
  ],
  features: [
    'features.hog_shape',
    'features.color_hist_shape',
    'features.svm_best_val_accuracy',
    'features.svm_test_accuracy',
    'features.net_best_val_accuracy',
    'features.net_test_accuracy',
  ],
};

const describeIfData = describeWithData('notebooks.test');

describeIfData('assignment 1 solution notebooks, quick mode, headless', () => {
  let runs: Map<string, NotebookSummary>;
  beforeAll(async () => {
    runs = await runNotebooks(NAMES.map((n) => path.join(REPO, 'solutions/assignment1', `${n}.ipynb`)));
  }, RUN_LIMIT_MS + 10_000);

  it.each(NAMES)('%s.ipynb runs to the end without an error output', (name) => {
    const s = runs.get(name)!;
    expect(s.codeCells).toBeGreaterThan(5);
    expect(s.errors).toEqual([]);
  });

  it.each(NAMES)('%s.ipynb: no cell gets the tensor-leak line', (name) => {
    expect(runs.get(name)!.leaks).toEqual([]);
  });

  it.each(NAMES)('%s.ipynb: every check passes (✓), and there are checks', (name) => {
    const s = runs.get(name)!;
    expect(s.checks.length).toBeGreaterThanOrEqual(2);
    expect(s.checks.filter((c) => !c.pass)).toEqual([]);
  });

  it.each(NAMES)('%s.ipynb records every graded id with a value', (name) => {
    const s = runs.get(name)!;
    const recorded = new Map(s.records.map((r) => [r.id, r.summary]));
    for (const id of GRADED[name]) {
      expect([id, recorded.has(id)]).toEqual([id, true]);
      expect(recorded.get(id)).toMatch(/^recorded /);
    }
  });

  it('the recorded values make sense: shapes, gradient checks, kNN best k from the course list', () => {
    const text = (name: string, id: string) => runs.get(name)!.records.find((r) => r.id === id)!.summary;
    expect(text('features', 'features.hog_shape')).toBe('recorded features.hog_shape: [144]');
    expect(text('features', 'features.color_hist_shape')).toBe('recorded features.color_hist_shape: [10]');
    expect(text('svm', 'svm.gradcheck_passed')).toBe('recorded svm.gradcheck_passed: true');
    expect(text('softmax', 'softmax.gradcheck_reg_passed')).toBe('recorded softmax.gradcheck_reg_passed: true');
    expect(text('two_layer_net', 'twolayer.toy_gradcheck_passed')).toBe('recorded twolayer.toy_gradcheck_passed: true');
    const k = Number(/: (\d+)$/.exec(text('knn', 'knn.best_k'))![1]);
    expect([1, 3, 5, 8, 10, 12, 15, 20, 50, 100]).toContain(k);
  });
});
