/**
 * Kernel fixes for @tensorflow/tfjs-backend-wasm 4.22, registered over (or beside) the stock
 * kernels. Each is proven against the cpu backend in tests/tensorWasm.test.ts.
 *
 * | kernel               | stock wasm defect                               | fix                               |
 * |----------------------|-------------------------------------------------|-----------------------------------|
 * | Conv2DBackpropFilter | not registered: conv weight gradients throw     | a conv of xᵀ with dyᵀ (XNNPACK)   |
 * | MaxPoolGrad          | zero gradient where the window max is ≤ 0       | exact first-argmax scatter        |
 * | BatchMatMul          | transposeA/B leave XNNPACK (~8× slower)         | transpose first, then fast path   |
 * | BatchMatMul, wide    | a 61 MB B thrashes the cache (kNN's X·Yᵀ), ~2×  | turned around: (Bᵀ·Aᵀ)ᵀ           |
 * | _FusedMatMul         | same as BatchMatMul                             | same                              |
 * | Conv2DBackpropInput  | stride 1 ~3× slower than the equivalent conv    | conv with the flipped filter      |
 * | GatherV2             | ~100 ns per element (a minibatch: 7–64 ms)      | one memcpy per slice (./gather.ts) |
 * | UnsortedSegmentSum   | not registered: gather's gradient throws        | a scatter-add (./gather.ts)       |
 * | Slice                | copies the whole input first (0.4 s for 188 MB) | copies from a view (./slice.ts)   |
 * | Tile                 | ~86 ns per element (a [1, 3072] row × 500: 117 ms) | row copies, repeats by doubling (./tile.ts) |
 * | Identity, Cast (same dtype) | copy the tensor (the tape clones every saved input) | share the data, one more reference (./identity.ts) |
 * | Sum, Mean gradients  | dy × a tensor of ones filled in JavaScript      | dy broadcast by Tile (./gradients.ts) |
 *
 * Where OpenBLAS runs (../blas/openblas.ts), the GEMM-shaped kernels (NATIVE_KERNELS) run on it
 * first (./nativeMatMul.ts, ./nativeConv.ts) and fall back to the kernels above for what they
 * decline (NCHW, non-float32, …) or when OpenBLAS is off. With them, the small ops of a training
 * step and the max-pool gradient (NATIVE_LOOP_KERNELS: broadcast arithmetic, sums, means, maxima,
 * MaxPoolGrad) run as the same addon's C loops (./nativeElementwise.ts, ./maxPoolGrad.ts), falling
 * back to the kit's or the stock wasm kernels likewise.
 */
import * as tf from '@tensorflow/tfjs';
import { transposeFirst } from './batchMatMul';
import { conv2dBackpropFilter } from './conv2dBackpropFilter';
import { flippedFilterConv } from './conv2dBackpropInput';
import { maxPoolGrad, nativeMaxPoolGrad } from './maxPoolGrad';
import { blockGather, unsortedSegmentSum } from './gather';
import { viewSlice } from './slice';
import { blockTile } from './tile';
import { sharedCast, sharedIdentity } from './identity';
import { registerReductionGradients } from './gradients';
import { nativeConv2D, nativeConv2DBackpropFilter, nativeConv2DBackpropInput, nativeFusedConv2D } from './nativeConv';
import { nativeMatMul, NativeKernel } from './nativeMatMul';
import { ELEMENTWISE_KERNELS, nativeBinary, nativeReduce } from './nativeElementwise';

const BACKEND = 'wasm';
const STOCK = Symbol.for('ts231n.wasmStockKernels');
type Stash = Record<symbol, Map<string, tf.KernelConfig> | undefined>;

/** Names of the kernels this module (re)registers for the wasm backend. */
export const FIXED_KERNELS = [
  tf.Conv2DBackpropFilter,
  tf.MaxPoolGrad,
  tf.BatchMatMul,
  tf._FusedMatMul,
  tf.Conv2DBackpropInput,
  tf.Conv2D,
  tf.FusedConv2D,
  tf.GatherV2,
  tf.UnsortedSegmentSum,
  tf.Slice,
  tf.Tile,
  tf.Identity,
  tf.Cast,
  ...ELEMENTWISE_KERNELS,
];

/** The kernels that run on OpenBLAS when it is loaded. */
export const NATIVE_KERNELS = [
  tf.BatchMatMul,
  tf._FusedMatMul,
  tf.Conv2D,
  tf.FusedConv2D,
  tf.Conv2DBackpropInput,
  tf.Conv2DBackpropFilter,
];

const NATIVE_CALLS = Symbol.for('ts231n.nativeKernelCalls');
const calls: Record<string, number> = ((globalThis as unknown as Record<symbol, Record<string, number>>)[
  NATIVE_CALLS
] ??= {});

/** How often each kernel ran on OpenBLAS in this process (tests check that a case took the native path). */
export function nativeKernelCalls(): Readonly<Record<string, number>> {
  return { ...calls };
}

/** Run the native kernel; where it declines (null), the fallback. */
function preferNative(name: string, native: NativeKernel, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const out = native(args);
    if (out === null) return fallback(args);
    calls[name] = (calls[name] ?? 0) + 1;
    return out;
  };
}

function replace(
  stash: Map<string, tf.KernelConfig>,
  name: string,
  make: (stock: tf.KernelFunc | undefined) => tf.KernelFunc,
): void {
  const stock = tf.getKernel(name, BACKEND);
  if (stock) {
    stash.set(name, stock);
    tf.unregisterKernel(name, BACKEND);
  }
  // Keep the stock setupFunc: it binds the C++ entry point the stock kernelFunc calls.
  tf.registerKernel({
    kernelName: name,
    backendName: BACKEND,
    setupFunc: stock?.setupFunc,
    kernelFunc: make(stock?.kernelFunc),
  });
}

function need(stock: tf.KernelFunc | undefined, name: string): tf.KernelFunc {
  if (!stock)
    throw new Error(`tfjs-backend-wasm registers no ${name} kernel; is @tensorflow/tfjs-backend-wasm 4.22 installed?`);
  return stock;
}

/**
 * Register the fixes. Call after `require('@tensorflow/tfjs-backend-wasm')` (which registers
 * the stock kernels) and before `tf.setBackend('wasm')`. Idempotent.
 */
export function registerWasmFixes(): void {
  // The kernel registry lives on globalThis, so the mark does too (one registration per realm).
  const g = globalThis as unknown as Stash;
  if (g[STOCK]) return;
  const stash = new Map<string, tf.KernelConfig>();
  replace(stash, tf.Conv2DBackpropFilter, () =>
    preferNative(tf.Conv2DBackpropFilter, nativeConv2DBackpropFilter, conv2dBackpropFilter),
  );
  replace(stash, tf.MaxPoolGrad, () => preferNative(tf.MaxPoolGrad, nativeMaxPoolGrad, maxPoolGrad));
  replace(stash, tf.BatchMatMul, (stock) =>
    preferNative(tf.BatchMatMul, nativeMatMul, transposeFirst(need(stock, tf.BatchMatMul), true)),
  );
  replace(stash, tf._FusedMatMul, (stock) =>
    preferNative(tf._FusedMatMul, nativeMatMul, transposeFirst(need(stock, tf._FusedMatMul))),
  );
  replace(stash, tf.Conv2DBackpropInput, (stock) =>
    preferNative(
      tf.Conv2DBackpropInput,
      nativeConv2DBackpropInput,
      flippedFilterConv(need(stock, tf.Conv2DBackpropInput)),
    ),
  );
  replace(stash, tf.Conv2D, (stock) => preferNative(tf.Conv2D, nativeConv2D, need(stock, tf.Conv2D)));
  replace(stash, tf.FusedConv2D, (stock) =>
    preferNative(tf.FusedConv2D, nativeFusedConv2D, need(stock, tf.FusedConv2D)),
  );
  replace(stash, tf.GatherV2, (stock) => blockGather(need(stock, tf.GatherV2)));
  replace(stash, tf.UnsortedSegmentSum, () => unsortedSegmentSum);
  replace(stash, tf.Slice, (stock) => viewSlice(need(stock, tf.Slice)));
  replace(stash, tf.Tile, (stock) => blockTile(need(stock, tf.Tile)));
  replace(stash, tf.Identity, (stock) => sharedIdentity(need(stock, tf.Identity)));
  replace(stash, tf.Cast, (stock) => sharedCast(need(stock, tf.Cast)));
  for (const name of ELEMENTWISE_KERNELS) {
    const native = name === tf.Sum || name === tf.Mean || name === tf.Max ? nativeReduce(name) : nativeBinary(name);
    replace(stash, name, (stock) => preferNative(name, native, need(stock, name)));
  }
  registerReductionGradients();
  g[STOCK] = stash;
}

/**
 * The stock wasm kernel that a fix replaced (undefined if there was none, as for
 * Conv2DBackpropFilter), for tests and benchmarks that show the defect.
 */
export function stockWasmKernel(name: string): tf.KernelConfig | undefined {
  return (globalThis as unknown as Stash)[STOCK]?.get(name);
}

export { swapOperands } from './batchMatMul';
/** The kernels the addon runs as plain C loops (no BLAS): the small ops, and the max-pool gradient. */
export const NATIVE_LOOP_KERNELS = [...ELEMENTWISE_KERNELS, tf.MaxPoolGrad];
export { transposeFirst, conv2dBackpropFilter, flippedFilterConv, maxPoolGrad };
