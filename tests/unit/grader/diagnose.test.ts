/**
 * Gradient diagnosis on the gradient checker's mutants (tests/fixtures/gradcheck/functions.ts):
 * each wrong gradient a rule knows is named for what it is, the others get no (wrong) hint, and a
 * correct gradient gets none.
 */
import { FIXTURES } from '../../fixtures/gradcheck/functions';
import { diagnoseGradient, diagnoseValue } from '../../../grader/diagnose';
import { useBackend } from '../../../kernel/runtime/tensor';

/** What each mutant must be called; kinds not listed must get no diagnosis at all. */
const EXPECTED: Record<string, RegExp> = {
  'scaled by 2': /off by a factor of 2 everywhere: a missing ½ or a doubled term\?/,
  "one row's sign flipped": /^row 1 of dW has the wrong sign/,
  "one filter's sign flipped": /^row 1 of dW has the wrong sign/,
  'reg term missing': /^the regularisation gradient is missing/,
  '1/N missing': /looks like the 1\/N average is missing \(N = \d+\)/,
  'reg gradient halved': /^the regularisation gradient is halved/,
};

/** N and the regularisation gradient of each fixture (from its note in functions.ts). */
function context(fn: string, x: Float32Array): { N?: number; regGradient?: Float32Array } {
  switch (fn) {
    case 'softmax loss':
    case 'SVM loss':
      return { N: 12, regGradient: x.map((w) => 2 * 0.1 * w) };
    case 'affine':
      return { N: 4 };
    case 'ReLU':
      return { N: 6 };
    case 'convolution':
      return { N: 2, regGradient: x.map((w) => 1 * w) };
    default:
      return {};
  }
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('gradient diagnosis on the separation table mutants', () => {
  for (const fx of FIXTURES) {
    test(`${fx.name}: every recognised mutant named, no false hint (seeds 1-4)`, () => {
      for (let seed = 1; seed <= 4; seed++) {
        const c = fx.make(seed);
        const x = Float32Array.from(c.x.dataSync());
        const shape = c.x.shape.length >= 2 ? [c.x.shape[0], c.x.size / c.x.shape[0]] : c.x.shape;
        const ctx = context(fx.name, x);
        expect(diagnoseGradient(c.correct, c.correct, shape, ctx)).toBeNull();
        for (const w of c.wrong) {
          const d = diagnoseGradient(w.grad, c.correct, shape, ctx);
          const want = EXPECTED[w.kind];
          if (want) expect({ kind: w.kind, d }).toEqual({ kind: w.kind, d: expect.stringMatching(want) });
          else expect({ kind: w.kind, d }).toEqual({ kind: w.kind, d: null });
        }
        c.dispose();
      }
    });
  }
});

describe('diagnosis of a hidden test object with cases', () => {
  const t = (data: number[], shape = [2, 2]) => ({ $tensor: { dtype: 'float32', shape, data } });
  const ref = { reg0_loss: 1.5, reg0_grad: t([1, 2, 3, 4]), reg_loss: 9, reg_grad: t([3, 5, 7, 9]) };

  test('right at reg = 0, wrong with reg > 0: the regularisation term', () => {
    const found = { reg0_loss: 1.5, reg0_grad: t([1, 2, 3, 4]), reg_loss: 1.5, reg_grad: t([1, 2, 3, 4]) };
    expect(diagnoseValue(found, ref)).toMatch(
      /^right with reg = 0 but wrong with reg > 0: the regularisation term is missing/,
    );
  });

  test('loss right, gradient wrong with reg > 0 (the partial example): the regularisation gradient', () => {
    const found = { reg0_loss: 1.5, reg0_grad: t([1, 2, 3, 4]), reg_loss: 9, reg_grad: t([1, 2, 3, 4]) };
    expect(diagnoseValue(found, ref)).toMatch(
      /^right with reg = 0, and with reg > 0 the loss is right but the gradient is not: the regularisation gradient \(2·reg·W\) is missing/,
    );
  });

  test('a factor of 2 in every case is named once', () => {
    const found = { reg0_loss: 1.5, reg0_grad: t([2, 4, 6, 8]), reg_loss: 9, reg_grad: t([6, 10, 14, 18]) };
    expect(diagnoseValue(found, ref)).toBe(
      'reg0_grad is off by a factor of 2 everywhere: a missing ½ or a doubled term?',
    );
  });

  test('a value that matches gets no diagnosis; all zeros and NaN are named', () => {
    expect(diagnoseValue(ref, ref)).toBeNull();
    expect(diagnoseValue(t([0, 0, 0, 0]), t([1, 2, 3, 4]))).toMatch(/all zeros/);
    expect(diagnoseValue(t([0, NaN, 0, 0]), t([1, 2, 3, 4]))).toMatch(/^dW contains NaN or Infinity/);
  });
});
