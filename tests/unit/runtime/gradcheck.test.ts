/**
 * Gradient checking in float32: CS231n's helpers behave like the originals, and the verdict
 * function separates correct from wrong gradients completely — five course functions × at least
 * five realistic bugs each, on the cpu and wasm backends, over several seeds.
 */
import { tf, useBackend } from '../../../kernel/runtime/tensor';
import { RandomGenerator, getState, randn, seed } from '../../../kernel/runtime/random';
import {
  GradientCheckError,
  checkGradient,
  compareGradient,
  evalNumericalGradient,
  evalNumericalGradientArray,
  gradCheckSparse,
  numericalGradient,
  relError,
} from '../../../kernel/runtime/gradcheck';
import { FIXTURES, relu, softmaxLoss } from '../../fixtures/gradcheck/functions';
import { measure } from '../../fixtures/gradcheck/table';

function captureStdout(fn: () => void): string {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('CS231n helpers', () => {
  test('relError is max |x − y| / max(1e-8, |x| + |y|) on numbers, arrays and tensors', () => {
    expect(relError(1, 1)).toBe(0);
    expect(relError(0, 0)).toBe(0);
    expect(relError(1, 3)).toBeCloseTo(0.5, 15);
    expect(relError([1, 2, 0], [1, 2, 1e-9])).toBeCloseTo(1e-9 / 1e-8, 12); // the 1e-8 floor
    expect(
      relError(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 2],
          [3, 5],
        ],
      ),
    ).toBeCloseTo(1 / 9, 15);
    const a = tf.tensor2d([
      [1, -2],
      [3, 4],
    ]);
    const b = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(relError(a, b)).toBe(1);
    expect(relError(a, Float32Array.of(1, -2, 3, 4))).toBe(0);
    expect(() => relError([1, 2], [1])).toThrow(/2 elements but y has 1/);
    tf.dispose([a, b]);
  });

  test('evalNumericalGradient of Σx³ is 3x², and x is left unchanged', () => {
    const x = tf.tensor2d([
      [0.5, -1.2, 2],
      [0.1, -0.3, 1.5],
    ]);
    const before = Array.from(x.dataSync());
    const g = evalNumericalGradient((t) => tf.sum(tf.pow(t, 3)), x); // a scalar tensor is accepted too
    expect(g.shape).toEqual([2, 3]);
    const expected = before.map((v) => 3 * v * v);
    // h = 1e-3: truncation error h²·f'''/6 = 1e-6; float32 rounding of f ≈ 9.7 is a few ε·|f|,
    // divided by the step 2h: allow 16·ε·|f|/(2h) ≈ 4.6e-3
    const bound = (16 * 2 ** -23 * 9.7) / 2e-3;
    Array.from(g.dataSync()).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(bound));
    expect(Array.from(x.dataSync())).toEqual(before);
    tf.dispose([x, g]);
  });

  test('evalNumericalGradientArray contracts with the upstream gradient: d(x²)·dout = 2x·dout', () => {
    const g = new RandomGenerator(4);
    const x = g.randn([3, 4]);
    const dout = g.randn([3, 4]);
    const num = evalNumericalGradientArray((t) => tf.square(t), x, dout);
    const exact = tf.tidy(() => tf.mul(tf.mul(2, x), dout));
    expect(relError(num, exact)).toBeLessThan(1e-2);
    // a (12 → 2) affine map: dx = dout·wᵀ
    const w = g.randn([12, 2]);
    const d2 = g.randn([1, 2]);
    const num2 = evalNumericalGradientArray((t) => tf.matMul(tf.reshape(t, [1, 12]), w), x, d2);
    const exact2 = tf.tidy(() => tf.reshape(tf.matMul(d2, w, false, true), [3, 4]));
    expect(checkGradient((t) => tf.sum(tf.mul(tf.matMul(tf.reshape(t, [1, 12]), w), d2)), x, exact2).passed).toBe(true);
    const e2 = num2.dataSync();
    exact2.dataSync().forEach((v, i) => expect(Math.abs(e2[i] - v)).toBeLessThan(1e-3));
    tf.dispose([x, dout, num, exact, w, d2, num2, exact2]);
  });

  test('gradCheckSparse prints like the original, is reproducible and leaves the global stream alone', () => {
    const c = softmaxLoss.make(3);
    seed(17);
    const globalBefore = getState();
    let errs: number[] = [];
    const out = captureStdout(() => {
      errs = gradCheckSparse(c.f, c.x, c.correct, 7);
    });
    expect(getState()).toEqual(globalBefore);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(7);
    for (const l of lines)
      expect(l).toMatch(/^numerical: -?\d+\.\d{6} analytic: -?\d+\.\d{6}, relative error: \d\.\d{6}e[-+]\d+$/);
    expect(errs).toHaveLength(7);
    for (const e of errs) expect(e).toBeLessThan(1e-2);
    const again = captureStdout(() => gradCheckSparse(c.f, c.x, c.correct, 7));
    expect(again).toBe(out);
    const other = captureStdout(() => gradCheckSparse(c.f, c.x, c.correct, 7, { seed: 1 }));
    expect(other).not.toBe(out);
    const wrong = gradCheckSparse(c.f, c.x, c.wrong[0].grad, 7, { verbose: false });
    for (const e of wrong) expect(e).toBeGreaterThan(0.3); // scaled by 2 → |2g − g| / 3|g| = 1/3
    c.dispose();
  });

  test("the original rule (h = 1e-5, relError < 1e-8) rejects a correct float32 gradient: why we don't use it", () => {
    const c = softmaxLoss.make(1);
    const num = evalNumericalGradient(c.f, c.x, { h: 1e-5 });
    expect(relError(num, c.correct)).toBeGreaterThan(1e-3);
    expect(checkGradient(c.f, c.x, c.correct).passed).toBe(true);
    num.dispose();
    c.dispose();
  });
});

describe('checkGradient separates correct from wrong gradients', () => {
  test('the table: 5 functions × ≥ 5 wrong kinds, 100% separation on cpu and wasm over 8 seeds', async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const tensorsBefore = tf.memory().numTensors;
    const rows = await measure({ backends: ['cpu', 'wasm'], seeds });
    const fns = new Set(rows.map((r) => r.fn));
    expect(fns.size).toBeGreaterThanOrEqual(5);
    for (const fn of fns) {
      const kinds = new Set(rows.filter((r) => r.fn === fn && r.kind !== 'correct').map((r) => r.kind));
      expect(kinds.size).toBeGreaterThanOrEqual(5);
    }
    const failures: string[] = [];
    for (const r of rows) {
      expect(r.errors).toHaveLength(seeds.length);
      const want = r.kind === 'correct' ? seeds.length : 0;
      if (r.passed !== want)
        failures.push(
          `${r.backend} ${r.fn} / ${r.kind}: ${r.passed} of ${seeds.length} passed, errors ${r.errors.map((e) => e.toExponential(1)).join(' ')}`,
        );
    }
    expect(failures).toEqual([]);
    // and with room to spare: correct stays below 0.6× the tolerance, wrong 5× above it
    const correct = rows.filter((r) => r.kind === 'correct').flatMap((r) => r.errors);
    const wrong = rows.filter((r) => r.kind !== 'correct').flatMap((r) => r.errors);
    expect(Math.max(...correct)).toBeLessThan(6e-3);
    expect(Math.min(...wrong)).toBeGreaterThan(5e-2);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    await useBackend('cpu');
  });

  test('checkGradient itself (not only compareGradient) passes every correct gradient on both backends', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      for (const fx of FIXTURES) {
        const c = fx.make(11);
        const v = checkGradient(c.f, c.x, c.correct);
        expect({ fn: fx.name, backend, passed: v.passed }).toEqual({ fn: fx.name, backend, passed: true });
        expect(v.tolerance).toBe(1e-2);
        expect(v.checked).toBe(c.x.size);
        const w = checkGradient(c.f, c.x, c.wrong[0].grad);
        expect(w.passed).toBe(false);
        expect(w.maxRelError).toBeGreaterThan(w.tolerance);
        c.dispose();
      }
    }
    await useBackend('cpu');
  });

  test('inputs within h of a ReLU kink: a correct gradient passes through the one-sided differences; a wrong one still fails', () => {
    const c = relu.make(5);
    // move three entries to within h = 1e-3 of the kink at 0
    const xs = Float32Array.from(c.x.dataSync());
    xs[0] = 3e-4;
    xs[9] = -2e-4;
    xs[20] = 7e-4;
    const x = tf.tensor(xs, c.x.shape);
    const pn = c.wrong[2].grad; // the mask-missing gradient is dout/N
    const correct = Float32Array.from(xs, (v, i) => (v > 0 ? pn[i] : 0));
    const v = checkGradient(c.f, x, correct);
    expect(v.passed).toBe(true);
    expect(v.kinks).toBe(3);
    // without the kink rule the same correct gradient fails: the centred difference mixes both slopes
    expect(checkGradient(c.f, x, correct, { kinks: false }).passed).toBe(false);
    // bugs still fail at such inputs
    expect(checkGradient(c.f, x, Float32Array.from(pn)).passed).toBe(false); // mask missing
    expect(
      checkGradient(
        c.f,
        x,
        correct.map((q) => 2 * q),
      ).passed,
    ).toBe(false);
    x.dispose();
    c.dispose();
  });

  test('course scale (X ~ 60·randn, W ~ 1e-4·randn, D = 300): correct passes, bugs fail, on a seeded subset of entries', () => {
    const g = new RandomGenerator(9);
    const N = 40,
      D = 300,
      C = 10,
      reg = 1e4;
    const X = g.randn([N, D], { std: 60 });
    const y = g.randint(0, C, [N]);
    const W = g.randn([D, C], { std: 1e-4 });
    const f = (w: tf.Tensor): number =>
      tf.tidy(
        () =>
          tf
            .add(
              tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.matMul(X, w)), tf.oneHot(y, C)), 1))),
              tf.mul(reg, tf.sum(tf.square(w))),
            )
            .dataSync()[0],
      );
    const data = tf.tidy(() =>
      tf.div(tf.matMul(X, tf.sub(tf.softmax(tf.matMul(X, W)), tf.oneHot(y, C)), true, false), N),
    );
    const regGrad = tf.tidy(() => tf.mul(2 * reg, W));
    const correct = tf.add(data, regGrad);
    const opts = { maxChecks: 300, seed: 1 };
    const v = checkGradient(f, W, correct, opts);
    expect(v.checked).toBe(300);
    expect(v.passed).toBe(true);
    const doubled = tf.mul(correct, 2);
    expect(checkGradient(f, W, doubled, opts).passed).toBe(false);
    expect(checkGradient(f, W, data, opts).passed).toBe(false); // reg term missing (2·reg·W ≈ 2·randn vs data entries up to ≈ 10)
    tf.dispose([X, y, W, data, regGrad, correct, doubled]);
  });
});

describe('memory and errors', () => {
  test('checkGradient, gradCheckSparse and compareGradient leave tf.memory().numTensors unchanged', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const c = FIXTURES[4].make(2); // the convolution
      const before = tf.memory().numTensors;
      checkGradient(c.f, c.x, c.correct);
      checkGradient(c.f, c.x, c.wrong[1].grad);
      captureStdout(() => gradCheckSparse(c.f, c.x, c.correct, 5));
      compareGradient(numericalGradient(c.f, c.x, { indices: [0, 1, 2] }), c.correct);
      expect(tf.memory().numTensors).toBe(before);
      const g = evalNumericalGradient(c.f, c.x);
      expect(tf.memory().numTensors).toBe(before + 1); // only the returned gradient
      g.dispose();
      c.dispose();
    }
    await useBackend('cpu');
  });

  test('bad inputs raise a GradientCheckError that says what is wrong', () => {
    seed(0);
    const x = randn([2, 3]);
    expect(() => checkGradient((t) => tf.sum(t, 0), x, [1, 1, 1, 1, 1, 1])).toThrow(
      /scalar loss, got a tensor of shape \[3\]/,
    );
    expect(() => checkGradient(() => NaN, x, [1, 1, 1, 1, 1, 1])).toThrow(GradientCheckError);
    expect(() => checkGradient((t) => tf.sum(t), x, [1, 1, 1])).toThrow(/3 elements but x has 6/);
    const wrongShape = tf.ones([3, 2]);
    expect(() => checkGradient((t) => tf.sum(t), x, wrongShape)).toThrow(/shape \[3,2\] but x has shape \[2,3\]/);
    expect(() => checkGradient((t) => tf.sum(t), tf.tensor1d([1, 2], 'int32'), [1, 1])).toThrow(/float32/);
    expect(() => evalNumericalGradient((t) => tf.sum(t), x, { h: 0 })).toThrow(/h must be a positive number/);
    // and a linear loss passes exactly
    expect(checkGradient((t) => tf.sum(t), x, [1, 1, 1, 1, 1, 1]).maxRelError).toBeLessThan(1e-3);
    tf.dispose([x, wrongShape]);
  });

  test('verbose prints one ✓/✗ line with the worst entry', () => {
    const c = softmaxLoss.make(2);
    const ok = captureStdout(() => checkGradient(c.f, c.x, c.correct, { verbose: true }));
    expect(ok).toMatch(/^✓ gradient check: max relative error \d\.\d\de-\d+ ≤ tolerance 1e-2 \(40 entries\)\n$/);
    const bad = captureStdout(() => checkGradient(c.f, c.x, c.wrong[2].grad, { verbose: true }));
    expect(bad).toMatch(/^✗ gradient check: .* > tolerance 1e-2 .*worst at \(\d, \d\): analytic .*, numerical .*\n$/);
    c.dispose();
  });
});
