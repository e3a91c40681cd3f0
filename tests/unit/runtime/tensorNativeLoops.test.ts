/**
 * The addon's C loops for the small ops of a training step (kernel/runtime/wasm/nativeElementwise.ts:
 * Add, Sub, Multiply, RealDiv, Greater with broadcasting; Sum, Mean, Max over adjacent axes) and
 * for the max-pool gradient (kernel/runtime/wasm/maxPoolGrad.ts)
 * against the cpu backend on randomized shapes: ranks 0–5, every broadcast pattern, axes in any
 * order, keepDims, the course's 100×100 shapes. The arithmetic must equal cpu exactly (both round
 * each result once to float32), reductions within WASM_CPU_RTOL. Each case also checks whether the
 * kernel ran natively or declined (to the stock wasm kernel), as foldBroadcast / foldReduction say.
 *
 * Skipped with the reason where the addon is not loaded (no OpenBLAS or no C compiler).
 */
import { backendInfo, tf, useBackend } from '../../../kernel/runtime/tensor';
import { nativeKernelCalls } from '../../../kernel/runtime/wasm';
import { foldBroadcast, foldReduction } from '../../../kernel/runtime/wasm/nativeElementwise';
import { activeBlas } from '../../../kernel/runtime/blas/openblas';
import { compareWasmToCpu, maxPoolGrad, Pad, randn, WASM_CPU_RTOL } from '../../helpers/tensor';

/** A seeded integer stream for the shapes (mulberry32). */
function shapeRng(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo + 1));
  };
}

let native = false;
let worst = 0;

beforeAll(async () => {
  await useBackend('wasm');
  native = backendInfo().blas !== undefined;
  if (!native) process.stdout.write(`native loop cases skipped: ${backendInfo().blasNote}\n`);
});

afterAll(() =>
  process.stdout.write(`C loops vs cpu: worst relative error of the reductions ${worst.toExponential(2)}\n`),
);

const nit = (name: string, fn: () => Promise<void>) =>
  it(name, async () => {
    if (!native) return void process.stdout.write(`skipped (no addon): ${name}\n`);
    await fn();
  });

/** Compare with cpu; `exact` for the arithmetic; the kernel ran natively iff `expectNative`. */
async function expectCpu(kernel: string, expectNative: boolean, exact: boolean, f: () => tf.Tensor): Promise<void> {
  const before = nativeKernelCalls()[kernel] ?? 0;
  const c = await compareWasmToCpu(f);
  if (exact) expect(c.maxAbs).toBe(0);
  else {
    expect(c.rel).toBeLessThanOrEqual(WASM_CPU_RTOL);
    worst = Math.max(worst, c.rel);
  }
  expect((nativeKernelCalls()[kernel] ?? 0) - before > 0).toBe(expectNative);
}

const BINARY: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  [tf.Add, tf.add],
  [tf.Sub, tf.sub],
  [tf.Multiply, tf.mul],
  [tf.RealDiv, tf.div],
  [tf.Greater, tf.greater],
  [tf.Maximum, tf.maximum],
  [tf.Minimum, tf.minimum],
];

describe('elementwise ops on the C loops', () => {
  nit(
    '40 random broadcasts (ranks 0–5) equal cpu exactly; more than 4 folded axes go to the stock kernel',
    async () => {
      const rnd = shapeRng(12);
      for (let k = 0; k < 40; k++) {
        const rank = rnd(0, 5);
        const out = Array.from({ length: rank }, () => rnd(1, 5));
        // each operand: every axis full or 1, and maybe fewer leading axes
        const operand = () => out.map((d) => (rnd(0, 2) === 0 ? 1 : d)).slice(rnd(0, Math.min(2, rank)));
        const [sa, sb] = [operand(), operand()];
        const full = tf.backend_util.assertAndGetBroadcastShape(sa, sb);
        const folds = foldBroadcast(full, sa, sb) !== null;
        const [kernel, op] = BINARY[k % BINARY.length];
        await expectCpu(kernel, folds, true, () => op(randn(sa, 100 + k), randn(sb, 200 + k)));
      }
      // five alternating broadcast axes fold into no fewer than five: the stock kernel
      expect(foldBroadcast([2, 2, 2, 2, 2], [2, 1, 2, 1, 2], [1, 2, 1, 2, 1])).toBeNull();
      await expectCpu(tf.Multiply, false, true, () => tf.mul(randn([2, 1, 2, 1, 2], 98), randn([2, 1, 2, 1], 99)));
    },
  );

  it('a fold overwrites every entry of the arrays it is handed (the kernel reuses one set per process)', () => {
    const kept = foldBroadcast([3, 4, 5], [3, 4, 5], [5])!;
    expect([...kept.shape, ...kept.aStrides, ...kept.bStrides]).toEqual([1, 1, 12, 5, 0, 0, 5, 1, 0, 0, 0, 1]);
    // the next fold into the same arrays leaves nothing of the first behind
    expect(foldBroadcast([3, 4], [3, 1], [4], kept)).toBe(kept);
    expect([...kept.shape, ...kept.aStrides, ...kept.bStrides]).toEqual([1, 1, 3, 4, 0, 0, 1, 0, 0, 0, 0, 1]);
    // without arrays to write into, each fold has its own
    expect(foldBroadcast([2], [2], [2])!.shape).not.toBe(foldBroadcast([2], [2], [2])!.shape);
  });

  nit("the course's shapes: 100×100 with a row of 100, a column, a scalar (on either side), and x > 0", async () => {
    await expectCpu(tf.Add, true, true, () => tf.add(randn([100, 100], 1), randn([100], 2)));
    await expectCpu(tf.Sub, true, true, () => tf.sub(randn([100, 100], 3), randn([100, 1], 4)));
    await expectCpu(tf.RealDiv, true, true, () => tf.div(randn([100, 10], 5), 100));
    await expectCpu(tf.Multiply, true, true, () => tf.mul(randn([50, 16, 16, 32], 6), randn([50, 16, 16, 32], 7)));
    await expectCpu(tf.Greater, true, true, () => tf.greater(randn([100, 100], 8), 0));
    await expectCpu(tf.Maximum, true, true, () => tf.maximum(randn([200, 3072], 15), 0)); // np.maximum(0, x)
    await expectCpu(tf.Minimum, true, true, () => tf.minimum(randn([100, 10], 16), randn([10], 17)));
    // the operand that is one value per row, or one value, comes first: each has its own C loop
    await expectCpu(tf.Sub, true, true, () => tf.sub(1, randn([100, 100], 18)));
    await expectCpu(tf.RealDiv, true, true, () => tf.div(randn([100, 1], 19), randn([100, 100], 20)));
    await expectCpu(tf.Greater, true, true, () => tf.greater(0, randn([100, 100], 21)));
  });

  nit('maximum and minimum follow Math.max / Math.min: NaN wins, +0 is above −0', async () => {
    const a = [NaN, 1, -0, 0, -0, 2, -Infinity];
    const b = [1, NaN, 0, -0, -0, 2, -1];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const [mx, mn] = tf.tidy(() => [tf.maximum(a, b), tf.minimum(a, b)].map((t) => Array.from(t.dataSync())));
      expect(mx).toEqual([NaN, NaN, 0, 0, -0, 2, -1]);
      expect(mn).toEqual([NaN, NaN, -0, -0, -0, 2, -Infinity]);
    }
    // the wasm side ran on the C loop (compareWasmToCpu cannot take NaN, hence the direct check)
    const before = nativeKernelCalls()[tf.Maximum] ?? 0;
    tf.tidy(() => tf.maximum(a, b));
    expect(nativeKernelCalls()[tf.Maximum]).toBe(before + 1);
  });

  nit('int32 operands and impossible broadcasts go to the stock kernel', async () => {
    await expectCpu(tf.Add, false, true, () =>
      tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')),
    );
    await useBackend('wasm');
    expect(() => tf.add(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/could not be broadcast/);
  });
});

describe('reductions on the C loops', () => {
  nit('40 random Sum / Mean / Max over random axes, keepDims or not, equal cpu', async () => {
    const rnd = shapeRng(21);
    const ops: Array<[string, (x: tf.Tensor, axis: number[], keep: boolean) => tf.Tensor]> = [
      [tf.Sum, (x, a, k) => tf.sum(x, a, k)],
      [tf.Mean, (x, a, k) => tf.mean(x, a, k)],
      [tf.Max, (x, a, k) => tf.max(x, a, k)],
    ];
    let declined = 0;
    for (let k = 0; k < 40; k++) {
      const rank = rnd(1, 4);
      const shape = Array.from({ length: rank }, () => rnd(1, 7));
      const axes = [...Array(rank).keys()].filter(() => rnd(0, 1) === 1);
      if (axes.length > 1 && rnd(0, 1)) axes.reverse(); // order does not matter
      const folds = foldReduction(shape, axes) !== null;
      if (!folds) declined++;
      const [kernel, op] = ops[k % ops.length];
      await expectCpu(kernel, folds, false, () => op(randn(shape, 300 + k), axes, rnd(0, 1) === 1));
    }
    expect(declined).toBeGreaterThan(0);
  });

  nit("the course's reductions: batchnorm's mean over rows, softmax's row max and sum, a whole sum", async () => {
    await expectCpu(tf.Mean, true, false, () => tf.mean(randn([100, 100], 9), 0));
    await expectCpu(tf.Max, true, false, () => tf.max(randn([100, 10], 10), 1, true));
    await expectCpu(tf.Sum, true, false, () => tf.sum(tf.exp(randn([100, 10], 11)), 1, true));
    await expectCpu(tf.Sum, true, false, () => tf.sum(tf.square(randn([784, 100], 12))));
    await expectCpu(tf.Sum, true, false, () => tf.sum(randn([50, 7, 7, 32], 13), [0, 1, 2]));
  });

  nit('NaN wins a max as on cpu; a sum over an empty axis is 0 as on cpu (stock wasm returns garbage)', async () => {
    const f = () => tf.max(tf.tensor2d([1, NaN, 3, 4, 5, 6, NaN, 0], [4, 2]), 1);
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      expect(Array.from(tf.tidy(f).dataSync())).toEqual([NaN, 4, 6, NaN]);
    }
    await expectCpu(tf.Sum, true, false, () => tf.add(tf.sum(tf.zeros([3, 0]), 1), 1));
    await expectCpu(tf.Mean, true, false, () => tf.add(tf.mean(tf.zeros([3, 0]), 1), 1));
  });
});

describe('MaxPoolGrad on the C loop', () => {
  /** dx on both backends; overlapping windows add in another order, hence not exact there. */
  const poolGrad = (x: () => tf.Tensor, k: number, s: number, pad: Pad) => () => maxPoolGrad(x(), k, s, pad, 77);

  nit('24 random pools (sizes, windows 1–3, strides 1–3, padding of every kind) equal cpu', async () => {
    const rnd = shapeRng(31);
    const pads: Pad[] = ['valid', 'same', 0, 1];
    for (let k = 0; k < 24; k++) {
      const shape = [rnd(1, 3), rnd(1, 9), rnd(1, 9), rnd(1, 9)];
      const win = rnd(1, 3);
      const pad = pads[k % pads.length];
      if (typeof pad === 'number' && (shape[1] + 2 * pad < win || shape[2] + 2 * pad < win)) continue;
      if (pad === 'valid' && (shape[1] < win || shape[2] < win)) continue;
      await expectCpu(
        tf.MaxPoolGrad,
        true,
        false,
        poolGrad(() => randn(shape, 400 + k), win, rnd(1, 3), pad),
      );
    }
  });

  nit("the course's pool after ReLU (all-zero windows: the first element), negative windows, NaN", async () => {
    await expectCpu(
      tf.MaxPoolGrad,
      true,
      true,
      poolGrad(() => tf.relu(randn([50, 28, 28, 32], 32)), 2, 2, 'valid'),
    );
    await expectCpu(
      tf.MaxPoolGrad,
      true,
      true,
      poolGrad(() => tf.sub(tf.neg(tf.abs(randn([2, 6, 6, 3], 33))), 0.1), 2, 2, 'valid'),
    );
    const withNaN = () => tf.tensor4d([NaN, 1, 2, NaN, NaN, NaN, NaN, NaN], [1, 2, 4, 1]);
    await expectCpu(tf.MaxPoolGrad, true, true, poolGrad(withNaN, 2, 2, 'valid'));
  });

  nit('refuses arrays the geometry does not fit', async () => {
    const blas = activeBlas()!;
    // one 4×4×2 image, 2×2 windows, stride 2: dy is 2×2×2
    const g = Int32Array.from([1, 4, 4, 2, 2, 2, 2, 2, 1, 1, 0, 0, 2, 2]);
    const f = (n: number) => new Float32Array(n);
    expect(() => blas.maxPoolGrad(f(32), 0, f(8), 0, g, f(32), 0)).not.toThrow();
    expect(() => blas.maxPoolGrad(f(31), 0, f(8), 0, g, f(32), 0)).toThrow(/does not fit/);
    expect(() => blas.maxPoolGrad(f(32), 0, f(7), 0, g, f(32), 0)).toThrow(/does not fit/);
    expect(() => blas.maxPoolGrad(f(32), 0, f(8), 0, g, f(32), 1)).toThrow(/does not fit/);
    expect(() => blas.maxPoolGrad(f(32), 0, f(8), 0, g.subarray(1), f(32), 0)).toThrow(/wrong type/);
  });
});

describe('the addon', () => {
  nit('refuses operands that do not fit in their arrays, and wrong types', async () => {
    const blas = activeBlas()!;
    const s = (...v: number[]) => Int32Array.from(v);
    const a = new Float32Array(6);
    const out = new Float32Array(6);
    const ok = () => blas.binary(0, a, 0, s(0, 0, 3, 1), a, 0, s(0, 0, 0, 1), out, 0, s(1, 1, 2, 3));
    expect(ok).not.toThrow();
    // a row stride that walks past the end, an offset, a short output, a bool output for add
    expect(() => blas.binary(0, a, 0, s(0, 0, 4, 1), a, 0, s(0, 0, 0, 1), out, 0, s(1, 1, 2, 3))).toThrow(
      /does not fit/,
    );
    expect(() => blas.binary(0, a, 4, s(0, 0, 0, 1), a, 0, s(0, 0, 0, 1), out, 0, s(1, 1, 1, 3))).toThrow(
      /does not fit/,
    );
    expect(() => blas.binary(0, a, 0, s(0, 0, 3, 1), a, 0, s(0, 0, 0, 1), out, 1, s(1, 1, 2, 3))).toThrow(
      /does not fit/,
    );
    expect(() => blas.binary(0, a, 0, s(0, 0, 3, 1), a, 0, s(0, 0, 0, 1), new Uint8Array(6), 0, s(1, 1, 2, 3))).toThrow(
      /wrong type/,
    );
    expect(() => blas.binary(0, a, 0, s(0, 0, -3, 1), a, 0, s(0, 0, 0, 1), out, 0, s(1, 1, 2, 3))).toThrow(
      /wrong type/,
    );
    expect(() => blas.binary(9, a, 0, s(0, 0, 3, 1), a, 0, s(0, 0, 0, 1), out, 0, s(1, 1, 2, 3))).toThrow(/op must/);
    expect(() => blas.reduce(0, a, 0, 2, 3, 1, out, 0)).not.toThrow();
    expect(() => blas.reduce(0, a, 0, 2, 4, 1, out, 0)).toThrow(/does not fit/);
    expect(() => blas.reduce(0, a, 0, 2, 3, 1, new Float32Array(1), 0)).toThrow(/does not fit/);
    expect(() => blas.reduce(0, a, 0, 2, 0, 1, out, 0)).toThrow(/does not fit/);
    expect(() => blas.reduce(3, a, 0, 2, 3, 1, out, 0)).toThrow(/op must/);
  });

  nit('leaves no data behind on the wasm heap', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    tf.tidy(() => {
      const x = randn([10, 10], 14);
      tf.sum(tf.mul(tf.sub(x, tf.mean(x, 0)), tf.cast(tf.greater(x, 0), 'float32')), 1, true);
    });
    expect(backend.numDataIds() - before).toBe(0);
  });
});
