/**
 * The OpenBLAS kernels (kernel/runtime/wasm/native*.ts) against the cpu backend on randomized
 * shapes: odd sizes, batch 1, every transpose, strides 1–3, dilation, padding same / valid /
 * number / explicit, 1×1 filters, and the bias and activation of the fused ops. Each case also
 * checks that the kernel really ran on OpenBLAS (it may decline and fall back to XNNPACK, which
 * would pass the comparison but test nothing here). Tolerance: WASM_CPU_RTOL (tensorHelpers.ts).
 *
 * Where OpenBLAS or a C compiler is missing (`npm run setup` installs both as root) the native
 * cases are skipped with the reason; the XNNPACK path is what tests/unit/runtime/tensorWasm.test.ts covers.
 */
import { backendInfo, tf, useBackend } from '../../../kernel/runtime/tensor';
import { nativeKernelCalls } from '../../../kernel/runtime/wasm';
import { activeBlas, openBlasLibrary, setNativeGemm } from '../../../kernel/runtime/blas/openblas';
import { coreTypeCandidates, cpuFlags } from '../../../kernel/runtime/blas/coreTypes';
// plain CommonJS shared with the probe's child process (kernel/runtime/blas/probe.js)
const { threadedSelfTest, SELF_TEST_TOLERANCE } = require('../../../kernel/runtime/blas/selfTest.js') as {
  threadedSelfTest: (blas: unknown, threads: number) => number;
  SELF_TEST_TOLERANCE: number;
};
import { compareWasmToCpu, randn, WASM_CPU_RTOL } from '../../helpers/tensor';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

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

const measured: Record<string, number> = {};
let native = false;

beforeAll(async () => {
  await useBackend('wasm');
  native = backendInfo().blas !== undefined;
  if (!native) process.stdout.write(`native kernel cases skipped: ${backendInfo().blasNote}\n`);
});

afterAll(() => {
  setNativeGemm(true);
  const worst = Math.max(0, ...Object.values(measured));
  process.stdout.write(
    `OpenBLAS vs cpu: worst relative error ${worst.toExponential(2)} over ${Object.keys(measured).length} cases\n`,
  );
});

/** Compare with cpu and check that `kernel` ran natively at least once. */
async function expectNativeClose(name: string, kernel: string, f: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const before = nativeKernelCalls()[kernel] ?? 0;
  const c = await compareWasmToCpu(f);
  measured[name] = c.rel;
  expect(c.scale).toBeGreaterThan(0);
  expect(c.rel).toBeLessThanOrEqual(WASM_CPU_RTOL);
  expect((nativeKernelCalls()[kernel] ?? 0) - before).toBeGreaterThan(0);
}

const nit = (name: string, fn: () => Promise<void>) =>
  it(name, async () => {
    if (!native) return void process.stdout.write(`skipped (no OpenBLAS): ${name}\n`);
    await fn();
  });

describe('OpenBLAS start-up', () => {
  it('runs wherever the library is installed (setup installs it), and says which kernels it takes', async () => {
    await useBackend('wasm');
    const info = backendInfo();
    if (openBlasLibrary() && process.env.TS231N_BLAS !== 'off' && info.blasNote?.includes('compiler') !== true) {
      expect(info.blasNote).toBeUndefined();
      expect(info.blas?.library).toBe('OpenBLAS');
      expect(info.blas?.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(info.nativeKernels).toEqual(
        expect.arrayContaining(['BatchMatMul', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']),
      );
    } else {
      expect(info.blas).toBeUndefined();
      expect(info.blasNote).toBeTruthy();
    }
  });

  it('picks core types from the CPU flags, user setting first, the library default last', () => {
    const avx512 = new Set('fma avx avx2 avx512f avx512cd avx512bw avx512dq avx512vl'.split(' '));
    expect(coreTypeCandidates(avx512, 'x64', undefined)).toEqual(['SkylakeX', 'Haswell', 'Sandybridge', '']);
    expect(coreTypeCandidates(new Set(['avx', 'avx2', 'fma']), 'x64', undefined)).toEqual([
      'Haswell',
      'Sandybridge',
      '',
    ]);
    expect(coreTypeCandidates(new Set(['sse2']), 'x64', undefined)).toEqual(['']);
    expect(coreTypeCandidates(avx512, 'arm64', undefined)).toEqual(['']);
    expect(coreTypeCandidates(avx512, 'x64', 'Haswell')).toEqual(['Haswell', 'SkylakeX', 'Sandybridge', '']);
    expect(cpuFlags('processor\t: 0\nflags\t\t: fpu sse avx2\n').has('avx2')).toBe(true);
  });

  nit('the addon refuses operands that do not fit, and libraries that are not OpenBLAS', async () => {
    const blas = activeBlas()!;
    const a = new Float32Array(6);
    const c = new Float32Array(4);
    // 2×3 · 3×2 fits exactly; one more row of A, or an offset, does not
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, a, 0, 3, 0, a, 0, 2, 0, 0, c, 0, 2, 0, 1)).not.toThrow();
    expect(() => blas.sgemm(false, false, 3, 2, 3, 1, a, 0, 3, 0, a, 0, 2, 0, 0, c, 0, 2, 0, 1)).toThrow(
      /does not fit/,
    );
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, a, 1, 3, 0, a, 0, 2, 0, 0, c, 0, 2, 0, 1)).toThrow(
      /does not fit/,
    );
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, a, 0, 3, 1, a, 0, 2, 0, 0, c, 0, 2, 0, 2)).toThrow(
      /does not fit/,
    );
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, a, 0, 2, 0, a, 0, 2, 0, 0, c, 0, 2, 0, 1)).toThrow(
      /does not fit/,
    );
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, a, -1, 3, 0, a, 0, 2, 0, 0, c, 0, 2, 0, 1)).toThrow(
      /does not fit/,
    );
    expect(() => blas.sgemm(false, false, 2.5, 2, 3, 1, a, 0, 3, 0, a, 0, 2, 0, 0, c, 0, 2, 0, 1)).toThrow(
      /wrong type/,
    );
    const ints = new Int32Array(6) as unknown as Float32Array;
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, ints, 0, 3, 0, a, 0, 2, 0, 0, c, 0, 2, 0, 1)).toThrow(
      /wrong type/,
    );
    const geometry = Int32Array.from([1, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4]);
    expect(() => blas.im2col(new Float32Array(32), 0, geometry, new Float32Array(16 * 18), 0)).not.toThrow();
    expect(() => blas.im2col(new Float32Array(31), 0, geometry, new Float32Array(16 * 18), 0)).toThrow(/do not fit/);
    expect(() => blas.col2im(new Float32Array(16 * 18 - 1), 0, geometry, new Float32Array(32), 0)).toThrow(
      /do not fit/,
    );
    expect(() => blas.load('/etc/passwd', '', 1)).toThrow(/already loaded|libopenblas/);
  });

  nit(
    'TS231N_THREADS=2: a product large enough to be split gives the 1-thread result; the count stays as asked',
    async () => {
      const blas = activeBlas()!;
      const before = blas.getThreads();
      try {
        expect(threadedSelfTest(blas, 2)).toBeLessThan(SELF_TEST_TOLERANCE);
        // a small product runs on one thread underneath, but the setting reads back as given
        blas.setThreads(2);
        const c = new Float32Array(4);
        blas.sgemm(
          false,
          false,
          2,
          2,
          2,
          1,
          new Float32Array(4).fill(1),
          0,
          2,
          0,
          new Float32Array(4).fill(1),
          0,
          2,
          0,
          0,
          c,
          0,
          2,
          0,
          1,
        );
        expect([...c]).toEqual([2, 2, 2, 2]);
        expect(blas.getThreads()).toBe(2);
      } finally {
        blas.setThreads(before);
      }
    },
  );
});

describe('the threaded self-test', () => {
  it('catches a BLAS whose threads compute wrongly', () => {
    let threads = 1;
    const broken = {
      setThreads: (n: number) => void (threads = n),
      sgemm: (...args: unknown[]) => {
        const [M, N] = [args[2] as number, args[3] as number];
        (args[15] as Float32Array).fill(threads > 1 ? 0 : 1, 0, M * N);
      },
    };
    expect(threadedSelfTest(broken, 2)).toBeGreaterThan(SELF_TEST_TOLERANCE);
  });
});

describe('BatchMatMul / _FusedMatMul on OpenBLAS', () => {
  const rnd = shapeRng(12);
  const cases = Array.from({ length: 10 }, (_, i) => {
    const [m, k, n] = [rnd(1, 70), rnd(1, 90), rnd(1, 40)];
    const batch = i < 3 ? [] : i < 6 ? [rnd(1, 3)] : [rnd(1, 2), rnd(2, 3)];
    return { m, k, n, batch, ta: rnd(0, 1) === 1, tb: rnd(0, 1) === 1, seed: 100 + i };
  });
  it.each(cases)('matMul %j equals cpu', async ({ m, k, n, batch, ta, tb, seed }) => {
    if (!native) return;
    await expectNativeClose(`matMul ${seed}`, tf.BatchMatMul, () => {
      const a = randn([...batch, ta ? k : m, ta ? m : k], seed);
      const b = randn([...batch, tb ? n : k, tb ? k : n], seed + 50);
      return tf.matMul(a, b, ta, tb);
    });
  });
  nit('a batch of 1 broadcasts against a batch of 3, both ways', async () => {
    await expectNativeClose('matMul broadcast', tf.BatchMatMul, () => [
      tf.matMul(randn([1, 5, 7], 1), randn([3, 7, 4], 2)),
      tf.matMul(randn([3, 5, 7], 3), randn([1, 4, 7], 4), false, true),
    ]);
  });
  nit('batch 1, a single row and a single column', async () => {
    await expectNativeClose('matMul vector', tf.BatchMatMul, () => [
      tf.matMul(randn([1, 9], 5), randn([9, 1], 6)),
      tf.matMul(randn([9, 1], 7), randn([1, 9], 8)),
    ]);
  });
  const activations: Array<[string, Record<string, unknown>]> = [
    ['linear', {}],
    ['relu', {}],
    ['relu6', {}],
    ['elu', {}],
    ['sigmoid', {}],
    ['leakyrelu', { leakyreluAlpha: 0.3 }],
    ['prelu', {}],
  ];
  it.each(activations)('fused matMul with bias and %s equals cpu', async (activation, extra) => {
    if (!native) return;
    await expectNativeClose(`fused matMul ${activation}`, tf._FusedMatMul, () => {
      const a = randn([13, 21], 9).mul(3);
      const b = randn([17, 21], 10);
      const bias = randn([17], 11);
      const preluActivationWeights = activation === 'prelu' ? randn([17], 12).mul(0.1) : undefined;
      return tf.fused.matMul({
        a,
        b,
        transposeB: true,
        bias,
        activation: activation as 'relu',
        preluActivationWeights,
        ...extra,
      });
    });
  });
  nit('matMul gradients (every transpose) equal cpu', async () => {
    await expectNativeClose('matMul grads', tf.BatchMatMul, () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, true, false).square().sum())([
        randn([31, 12], 27),
        randn([31, 9], 28),
      ]),
    );
  });
});

interface ConvCase {
  x: number[];
  w: number[];
  stride: number | [number, number];
  pad: Pad;
  dilation: number;
  seed: number;
}

/** Random valid convolutions: the output is at least 1×1. */
function convCases(seed: number, count: number, dilated: boolean): ConvCase[] {
  const rnd = shapeRng(seed);
  const out: ConvCase[] = [];
  while (out.length < count) {
    const n = out.length === 0 ? 1 : rnd(1, 3);
    const [H, W, C, F] = [rnd(1, 13), rnd(1, 13), rnd(1, 5), rnd(1, 6)];
    const [fh, fw] = out.length === 1 ? [1, 1] : [rnd(1, 5), rnd(1, 5)];
    const stride: number | [number, number] = rnd(0, 2) === 0 ? [rnd(1, 3), rnd(1, 3)] : rnd(1, 2);
    const dilation = dilated && typeof stride === 'number' && stride === 1 ? rnd(1, 2) : 1;
    const kind = rnd(0, 3);
    const pad: Pad =
      kind === 0
        ? 'same'
        : kind === 1
          ? 'valid'
          : kind === 2
            ? rnd(0, 2)
            : [
                [0, 0],
                [rnd(0, 2), rnd(0, 2)],
                [rnd(0, 2), rnd(0, 2)],
                [0, 0],
              ];
    const [sh, sw] = typeof stride === 'number' ? [stride, stride] : stride;
    const eh = (fh - 1) * dilation + 1;
    const ew = (fw - 1) * dilation + 1;
    const [ph, pw] =
      typeof pad === 'number'
        ? [2 * pad, 2 * pad]
        : Array.isArray(pad)
          ? [pad[1][0] + pad[1][1], pad[2][0] + pad[2][1]]
          : [0, 0];
    if (pad !== 'same' && (H + ph < eh || W + pw < ew)) continue;
    if (typeof pad === 'number' && Math.floor((H + ph - eh) / sh) + 1 < 1) continue;
    void sw;
    out.push({ x: [n, H, W, C], w: [fh, fw, C, F], stride, pad, dilation, seed: seed * 100 + out.length });
  }
  return out;
}

describe('Conv2D / FusedConv2D on OpenBLAS', () => {
  it.each(convCases(7, 14, true))('conv2d %j equals cpu', async ({ x, w, stride, pad, dilation, seed }) => {
    if (!native) return;
    await expectNativeClose(`conv ${seed}`, tf.Conv2D, () =>
      tf.conv2d(
        randn(x, seed) as tf.Tensor4D,
        randn(w, seed + 1) as tf.Tensor4D,
        stride,
        pad as 'same',
        'NHWC',
        dilation,
      ),
    );
  });
  nit('the course layer: 50×32×32×3, 32 filters 7×7, same (several chunks of images)', async () => {
    await expectNativeClose('conv course', tf.Conv2D, () =>
      tf.conv2d(randn([50, 32, 32, 3], 1) as tf.Tensor4D, randn([7, 7, 3, 32], 2) as tf.Tensor4D, 1, 'same'),
    );
  });
  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'];
  it.each(activations)('fused conv2d with bias and %s, stride 2, dilation on a second call', async (activation) => {
    if (!native) return;
    await expectNativeClose(`fused conv ${activation}`, tf.FusedConv2D, () => {
      const x = randn([2, 9, 8, 3], 30) as tf.Tensor4D;
      const filter = randn([3, 3, 3, 5], 31) as tf.Tensor4D;
      const bias = randn([5], 32);
      const preluActivationWeights = activation === 'prelu' ? randn([5], 33).mul(0.1) : undefined;
      const common = { x, filter, bias, activation: activation as 'relu', preluActivationWeights, leakyreluAlpha: 0.1 };
      return [
        tf.fused.conv2d({ ...common, strides: 2, pad: 'same' }),
        tf.fused.conv2d({ ...common, strides: 1, pad: 'valid', dilations: 2 }),
      ];
    });
  });
});

describe('Conv2DBackpropInput / Conv2DBackpropFilter on OpenBLAS', () => {
  it.each(convCases(9, 14, false))('dx and dW of %j equal cpu', async ({ x, w, stride, pad, seed }) => {
    if (!native) return;
    const f = () => {
      const x0 = randn(x, seed) as tf.Tensor4D;
      const w0 = randn(w, seed + 1) as tf.Tensor4D;
      const dy = randn(tf.conv2d(x0, w0, stride, pad as 'same').shape, seed + 2);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad as 'same')
          .mul(dy)
          .sum(),
      )([x0, w0]);
    };
    const before = nativeKernelCalls()[tf.Conv2DBackpropInput] ?? 0;
    await expectNativeClose(`conv grads ${seed}`, tf.Conv2DBackpropFilter, f);
    expect((nativeKernelCalls()[tf.Conv2DBackpropInput] ?? 0) - before).toBeGreaterThan(0);
  });
  nit('conv2dTranspose whose dy is not the forward output size returns outputShape (as cpu)', async () => {
    // dy 8×8 with outputShape 4×4, stride 1, same: the forward conv of 4×4 gives 4×4, not 8×8
    const c = await compareWasmToCpu(() =>
      tf.conv2dTranspose(
        randn([1, 8, 8, 8], 50) as tf.Tensor4D,
        randn([8, 8, 8, 8], 51) as tf.Tensor4D,
        [1, 4, 4, 8],
        1,
        'same',
      ),
    );
    expect(c.rel).toBeLessThanOrEqual(WASM_CPU_RTOL);
    await useBackend('wasm');
    const y = tf.conv2dTranspose(
      randn([1, 8, 8, 8], 50) as tf.Tensor4D,
      randn([8, 8, 8, 8], 51) as tf.Tensor4D,
      [1, 4, 4, 8],
      1,
      'same',
    );
    expect(y.shape).toEqual([1, 4, 4, 8]);
    y.dispose();
  });
});

describe('both paths', () => {
  nit('switching the native kernels off gives XNNPACK results within float32 rounding', async () => {
    const f = () =>
      tf.conv2d(randn([3, 11, 9, 4], 60) as tf.Tensor4D, randn([3, 3, 4, 6], 61) as tf.Tensor4D, 2, 'same');
    await useBackend('wasm');
    const a = tf.tidy(f).dataSync();
    setNativeGemm(false);
    const before = nativeKernelCalls()[tf.Conv2D] ?? 0;
    const b = tf.tidy(f).dataSync();
    expect(nativeKernelCalls()[tf.Conv2D] ?? 0).toBe(before);
    setNativeGemm(true);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThanOrEqual(WASM_CPU_RTOL * 10);
  });
  nit('the native kernels leave no data behind on the wasm heap', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    tf.dispose(
      tf.tidy(() => {
        const x = randn([2, 8, 8, 3], 70) as tf.Tensor4D;
        const w = randn([3, 3, 3, 4], 71) as tf.Tensor4D;
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')).sum(),
        )([x, w]);
        const m = tf.fused.matMul({
          a: randn([4, 5], 72),
          b: randn([5, 3], 73),
          bias: randn([3], 74),
          activation: 'relu',
        });
        return [...g, m];
      }),
    );
    expect(backend.numDataIds() - before).toBe(0);
  });
});
