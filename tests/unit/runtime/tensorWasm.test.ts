/**
 * The wasm kernel fixes, each proven against the cpu backend on seeded random inputs that
 * include negative values, and the gradients the course takes through conv2d, maxPool and
 * matMul. Tolerance: see WASM_CPU_RTOL in tensorHelpers.ts.
 */
import { tf, useBackend } from '../../../kernel/runtime/tensor';
import { stockWasmKernel, swapOperands } from '../../../kernel/runtime/wasm';
import { setNativeGemm } from '../../../kernel/runtime/blas/openblas';
import { compareWasmToCpu, maxPoolGrad, normals, Pad, randn, runOn, size, WASM_CPU_RTOL } from '../../helpers/tensor';

const measured: Record<string, number> = {};

async function expectClose(name: string, f: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const c = await compareWasmToCpu(f);
  measured[name] = c.rel;
  expect(c.scale).toBeGreaterThan(0);
  expect(c.rel).toBeLessThanOrEqual(WASM_CPU_RTOL);
}

beforeAll(async () => {
  await useBackend('wasm'); // registers the fixes and stashes the stock kernels
  // These are the XNNPACK kernels: keep OpenBLAS (tests/unit/runtime/tensorNative.test.ts) out of the way.
  setNativeGemm(false);
});

afterAll(() => {
  setNativeGemm(true);
  // The measured errors behind WASM_CPU_RTOL (printed so docs can quote them).
  const worst = Math.max(...Object.values(measured));
  process.stdout.write(
    `wasm vs cpu: worst relative error ${worst.toExponential(2)} over ${Object.keys(measured).length} cases\n`,
  );
});

/** Backend data ids before/after running `f` on wasm: a composed kernel that leaks shows here. */
async function wasmDataIdsLeaked(f: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  await useBackend('wasm');
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const before = backend.numDataIds();
  tf.dispose(tf.tidy(f));
  return backend.numDataIds() - before;
}

describe('Conv2DBackpropFilter (missing on stock wasm)', () => {
  const cases: Array<[string, number[], number[], number | [number, number], Pad]> = [
    ['course layer: 7×7, stride 1, same', [4, 12, 12, 3], [7, 7, 3, 8], 1, 'same'],
    ['3×4 filter, stride 2, valid', [3, 10, 11, 3], [3, 4, 3, 5], 2, 'valid'],
    ['5×4 filter, stride 2, same', [3, 10, 11, 3], [5, 4, 3, 5], 2, 'same'],
    ['stride 3 valid, rows the forward pass never reads', [2, 11, 10, 2], [3, 3, 2, 4], 3, 'valid'],
    ['explicit pad 2, strides [1, 2]', [2, 9, 9, 3], [3, 3, 3, 4], [1, 2], 2],
    ['1×1 filter', [3, 6, 6, 5], [1, 1, 5, 7], 1, 'valid'],
  ];
  it('was not registered on stock wasm (while the other replaced kernels were)', () => {
    expect(stockWasmKernel(tf.MaxPoolGrad)).toBeDefined();
    expect(stockWasmKernel(tf.Conv2DBackpropFilter)).toBeUndefined();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });
  it.each(cases)('dW of %s equals cpu', async (_name, xs, ws, stride, pad) => {
    await expectClose(`dW ${_name}`, () => {
      const x = randn(xs, 1) as tf.Tensor4D;
      const w0 = randn(ws, 2) as tf.Tensor4D;
      const dy = randn(tf.conv2d(x, w0, stride, pad).shape, 3);
      return tf.grad((w: tf.Tensor) =>
        tf
          .conv2d(x, w as tf.Tensor4D, stride, pad)
          .mul(dy)
          .sum(),
      )(w0);
    });
  });
});

describe('MaxPoolGrad (stock wasm: zero gradient where the window max ≤ 0)', () => {
  const cases: Array<[string, number[], number, number, Pad, (x: tf.Tensor) => tf.Tensor]> = [
    ['2×2 stride 2, N(0,1) input', [3, 8, 8, 4], 2, 2, 'valid', (x) => x],
    ['every value negative', [2, 6, 6, 3], 2, 2, 'valid', (x) => x.abs().neg().sub(0.1)],
    ['after ReLU (all-zero windows: ties go to the first element)', [2, 8, 8, 3], 2, 2, 'valid', (x) => x.relu()],
    ['3×3 stride 2, same padding', [2, 9, 7, 3], 3, 2, 'same', (x) => x],
    ['3×3 stride 1, overlapping windows', [2, 7, 7, 2], 3, 1, 'valid', (x) => x],
  ];
  it('stock wasm kernel is wrong for non-positive windows (the defect the fix removes)', async () => {
    const stock = stockWasmKernel(tf.MaxPoolGrad);
    expect(stock).toBeDefined();
    await useBackend('wasm');
    // One window whose maximum (-1) is its last element.
    const x = tf.tensor4d([-4, -3, -2, -1], [1, 2, 2, 1]);
    const dy = tf.ones([1, 1, 1, 1]);
    const y = tf.maxPool(x, 2, 2, 'valid');
    const backend = tf.backend();
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const out = stock!.kernelFunc({ inputs: { dy, input: x, output: y }, backend, attrs }) as tf.TensorInfo;
    const stockDx = tf.engine().makeTensorFromTensorInfo(out);
    expect(Array.from(await stockDx.data())).not.toEqual([0, 0, 0, 1]);
    const fixedDx = tf.grad((t: tf.Tensor) =>
      tf
        .maxPool(t as tf.Tensor4D, 2, 2, 'valid')
        .mul(dy)
        .sum(),
    )(x);
    expect(Array.from(await fixedDx.data())).toEqual([0, 0, 0, 1]);
    tf.dispose([x, dy, y, stockDx, fixedDx]);
  });
  it.each(cases)('dx of %s equals cpu', async (_name, xs, k, s, pad, prep) => {
    await expectClose(`maxPool ${_name}`, () => maxPoolGrad(prep(randn(xs, 4)), k, s, pad, 5));
  });
  it('maxPool forward equals cpu on all-negative input', async () => {
    await expectClose('maxPool forward negative', () =>
      tf.maxPool(randn([2, 8, 8, 3], 6).abs().neg() as tf.Tensor4D, 2, 2, 'valid'),
    );
  });
});

describe('BatchMatMul / _FusedMatMul with transposes', () => {
  const combos: Array<[boolean, boolean]> = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];
  it.each(combos)('matMul(transposeA=%s, transposeB=%s) equals cpu', async (ta, tb) => {
    await expectClose(`matMul ${ta} ${tb}`, () => {
      const a = randn(ta ? [33, 17] : [17, 33], 7);
      const b = randn(tb ? [21, 33] : [33, 21], 8);
      return tf.matMul(a, b, ta, tb);
    });
  });
  it('batched, broadcast matMul with transposes equals cpu', async () => {
    await expectClose('batched matMul', () => tf.matMul(randn([3, 9, 5], 9), randn([1, 7, 9], 10), true, true));
  });
  it.each(combos)('fused matMul + bias + relu (transposeA=%s, transposeB=%s) equals cpu', async (ta, tb) => {
    await expectClose(`fused ${ta} ${tb}`, () =>
      tf.fused.matMul({
        a: randn(ta ? [13, 11] : [11, 13], 11),
        b: randn(tb ? [6, 13] : [13, 6], 12),
        transposeA: ta,
        transposeB: tb,
        bias: randn([6], 13),
        activation: 'relu',
      }),
    );
  });
  it('wide products are turned around only when B is large and wide (kNN yes, square no)', () => {
    expect(swapOperands(500, 3072, 5000)).toBe(true); // kNN no-loop X·Yᵀ
    expect(swapOperands(1024, 1024, 1024)).toBe(false);
    expect(swapOperands(200, 3072, 100)).toBe(false); // the MLP's X·W1
    expect(swapOperands(6, 512, 2048)).toBe(true); // the shape tested below
  });
  it('wide matMul turned around equals cpu for every transpose combination, and leaks nothing', async () => {
    // one set of inputs (B has 2²⁰ floats, the smallest that is turned around) for all four
    const wide = (): tf.Tensor[] => {
      const a = randn([6, 512], 31);
      const b = randn([512, 2048], 32);
      const [aT, bT] = [a.transpose(), b.transpose()];
      return combos.map(([ta, tb]) => tf.matMul(ta ? aT : a, tb ? bT : b, ta, tb));
    };
    await expectClose('wide matMul, 4 transpose combinations', wide);
    expect(await wasmDataIdsLeaked(wide)).toBe(0);
  });
  it('X·Yᵀ runs on the fast path: at least 2× faster than the stock kernel', async () => {
    const stock = stockWasmKernel(tf.BatchMatMul);
    expect(stock).toBeDefined();
    await useBackend('wasm');
    const x = randn([200, 1024], 14);
    const y = randn([1000, 1024], 15);
    const backend = tf.backend();
    const time = async (f: () => tf.Tensor): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = f();
        await r.data();
        best = Math.min(best, performance.now() - t0);
        r.dispose();
      }
      return best;
    };
    const fixed = await time(() => tf.matMul(x, y, false, true));
    const slow = await time(() =>
      tf.engine().makeTensorFromTensorInfo(
        stock!.kernelFunc({
          inputs: { a: x, b: y },
          backend,
          attrs: { transposeA: false, transposeB: true },
        }) as tf.TensorInfo,
      ),
    );
    // Measured on 2 loaded cores: ~10× apart; 2× leaves room for noise.
    expect(fixed * 2).toBeLessThan(slow);
    tf.dispose([x, y]);
  });
});

describe('Conv2DBackpropInput (stride 1 as a convolution with the flipped filter)', () => {
  const cases: Array<[string, number[], number[], number | [number, number], Pad]> = [
    ['course layer: 7×7, stride 1, same', [4, 12, 12, 3], [7, 7, 3, 8], 1, 'same'],
    ['5×3 filter, stride 1, valid', [3, 9, 11, 3], [5, 3, 3, 6], 1, 'valid'],
    ['explicit pad 1, 3×3', [2, 8, 7, 4], [3, 3, 4, 5], 1, 1],
    ['1×1 filter', [2, 5, 5, 6], [1, 1, 6, 3], 1, 'valid'],
    ['stride 2, same (stock kernel)', [3, 9, 11, 3], [5, 3, 3, 6], 2, 'same'],
    ['strides [2, 1], valid (stock kernel)', [2, 9, 8, 3], [3, 3, 3, 4], [2, 1], 'valid'],
  ];
  it('conv2dTranspose with a dy larger than the forward output returns outputShape, equal to cpu', async () => {
    // x [1, 8, 8, 8] with outputShape [1, 4, 4, 8]: the kit's kernel once returned [1, 8, 8, 8]
    const f = () =>
      tf.conv2dTranspose(
        randn([1, 8, 8, 8], 50) as tf.Tensor4D,
        randn([8, 8, 8, 8], 51) as tf.Tensor4D,
        [1, 4, 4, 8],
        1,
        'same',
      );
    await expectClose('conv2dTranspose, dy not the forward size', f);
    await useBackend('wasm');
    const y = tf.tidy(f);
    expect(y.shape).toEqual([1, 4, 4, 8]);
    expect((await y.data()).length).toBe(4 * 4 * 8);
    y.dispose();
  });
  it.each(cases)('dx of %s equals cpu', async (_name, xs, ws, stride, pad) => {
    await expectClose(`dx ${_name}`, () => {
      const w = randn(ws, 16) as tf.Tensor4D;
      const x0 = randn(xs, 17) as tf.Tensor4D;
      const dy = randn(tf.conv2d(x0, w, stride, pad).shape, 18);
      return tf.grad((x: tf.Tensor) =>
        tf
          .conv2d(x as tf.Tensor4D, w, stride, pad)
          .mul(dy)
          .sum(),
      )(x0);
    });
  });
});

describe('gradients the course takes, on wasm vs cpu', () => {
  /** A ThreeLayerConvNet-shaped loss: conv 7×7 same – ReLU – 2×2 max pool – affine – ReLU – affine – softmax. */
  function convNetGrads(): tf.Tensor[] {
    const N = 6;
    const x = randn([N, 16, 16, 3], 20);
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: N }, (_, i) => (i * 7) % 10),
        'int32',
      ),
      10,
    );
    const params = [
      randn([7, 7, 3, 8], 21).mul(0.1),
      randn([8], 22).mul(0.1),
      randn([8 * 8 * 8, 20], 23).mul(0.05),
      randn([20], 24).mul(0.1),
      randn([20, 10], 25).mul(0.1),
      randn([10], 26).mul(0.1),
    ];
    const loss = (
      w1: tf.Tensor,
      b1: tf.Tensor,
      w2: tf.Tensor,
      b2: tf.Tensor,
      w3: tf.Tensor,
      b3: tf.Tensor,
    ): tf.Scalar => {
      const h = tf.maxPool(
        tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same').add(b1)) as tf.Tensor4D,
        2,
        2,
        'valid',
      );
      const a = tf.relu(tf.matMul(h.reshape([N, -1]), w2).add(b2));
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(a, w3).add(b3)) as tf.Scalar;
    };
    return tf.grads(loss as (...args: tf.Tensor[]) => tf.Tensor)(params);
  }
  it('every parameter gradient of a small conv net equals cpu', async () => {
    await expectClose('conv net grads', convNetGrads);
  });
  it('matMul gradients (both operands) equal cpu', async () => {
    await expectClose('matMul grads', () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b).square().sum())([
        randn([12, 30], 27),
        randn([30, 9], 28),
      ]),
    );
  });
  it('the fixed kernels leave no data behind on the wasm heap', async () => {
    expect(await wasmDataIdsLeaked(convNetGrads)).toBe(0);
    expect(await wasmDataIdsLeaked(() => tf.matMul(randn([5, 4], 1), randn([6, 5], 2), true, true))).toBe(0);
  });
  it('gradients are deterministic on wasm (same inputs, same bits)', async () => {
    const [a] = await runOn('wasm', () => convNetGrads()[0]);
    const [b] = await runOn('wasm', () => convNetGrads()[0]);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });
});

describe('Identity and a same-dtype Cast share the data (stock wasm copies it)', () => {
  it('a clone and a cast to float32 allocate nothing, and each outlives the other', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor2d([1, -2, 3, -4], [2, 2]);
    const before = { ids: backend.numDataIds(), bytes: tf.memory().numBytes };
    const c = tf.clone(x);
    const d = tf.cast(x, 'float32');
    expect(backend.numDataIds()).toBe(before.ids);
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, -2, 3, -4]);
    c.dispose();
    expect(Array.from(d.dataSync())).toEqual([1, -2, 3, -4]);
    d.dispose();
    expect(backend.numDataIds()).toBe(before.ids - 1);
    expect(tf.memory().numBytes).toBe(before.bytes - 16);
  });

  it('casts to another dtype still convert (bool → float32, float32 → int32 truncates as on cpu)', async () => {
    await expectClose('cast bool', () => tf.cast(tf.greater(randn([4, 5], 8), 0), 'float32'));
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      expect(Array.from(tf.cast(tf.tensor1d([1.7, -1.7, 0.2]), 'int32').dataSync())).toEqual([1, -1, 0]);
    }
  });

  it('gradients through the tape (which clones what it saves) equal cpu and leak nothing', async () => {
    const f = () => {
      const x = randn([6, 5], 9);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.matMul(a, b)), tf.clone(a).sum())))([
        x,
        randn([5, 4], 10),
      ]);
    };
    await expectClose('grads through clones', f);
    expect(await wasmDataIdsLeaked(f)).toBe(0);
  });
});

describe('helpers', () => {
  it('seeded normals have mean ≈ 0, std ≈ 1 and include negatives', () => {
    const v = normals(size([100, 100]), 99);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    expect(v.some((x) => x < 0)).toBe(true);
  });
});
