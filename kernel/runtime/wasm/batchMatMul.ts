/**
 * BatchMatMul / _FusedMatMul with transposeA or transposeB, and wide products.
 *
 * 1. Stock wasm hands transposed products to a naive loop instead of XNNPACK's GEMM
 *    (X·Yᵀ for 500×3072 · (5000×3072)ᵀ: ~5 s instead of ~0.6 s), and every matMul gradient
 *    transposes. Transposing the operand first is O(size) and keeps the product on the fast path.
 * 2. XNNPACK packs the right operand B [K, N] as "weights" and streams all of it once per tile of
 *    rows of A. When B is far larger than A and does not fit in cache (kNN's X·Yᵀ: B is
 *    3072 × 5000, 61 MB; A is 500 rows), computing C = (op(B)ᵀ · op(A)ᵀ)ᵀ instead makes the small
 *    operand the weights: measured 1.7 s → 0.8 s CPU for the kNN distances here (bench/). Only
 *    BatchMatMul without a batch does this; _FusedMatMul's bias and activation stay as they are.
 */
import * as tf from '@tensorflow/tfjs';
import { call, release, swapLastTwo, WasmBackend } from './kernels';

/** B must hold at least this many floats (4 MB, past a core's L2) before the product is turned. */
export const SWAP_MIN_WEIGHTS = 1 << 20;
/** …and have at least this many times more columns than A has rows. */
export const SWAP_MIN_ASPECT = 4;

/** Whether an unbatched M×K · K×N product runs faster as (Bᵀ·Aᵀ)ᵀ on XNNPACK. */
export function swapOperands(m: number, k: number, n: number): boolean {
  return k * n >= SWAP_MIN_WEIGHTS && n >= SWAP_MIN_ASPECT * m;
}

const batchSize = (shape: number[]): number => shape.slice(0, -2).reduce((p, d) => p * d, 1);

/**
 * Wrap a stock matmul kernel so that it never sees a transpose flag; with `turnWide`, also turn
 * wide unbatched products around (see 2. above).
 */
export function transposeFirst(stock: tf.KernelFunc, turnWide = false): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as WasmBackend;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const temps: tf.TensorInfo[] = [];
    const flip = (t: tf.TensorInfo): tf.TensorInfo => {
      const out = call(tf.Transpose, wasm, { x: t }, { perm: swapLastTwo(t.shape.length) });
      temps.push(out);
      return out;
    };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const noFlags = { ...attrs, transposeA: false, transposeB: false };
    try {
      if (turnWide && batchSize(a.shape) === 1 && batchSize(b.shape) === 1 && swapOperands(m, k, n)) {
        // op(B)ᵀ is B itself when transposeB is set, op(A)ᵀ is A when transposeA is set
        const left = transposeB ? b : flip(b);
        const right = transposeA ? a : flip(a);
        const ct = stock({ inputs: { a: left, b: right }, backend, attrs: noFlags }) as tf.TensorInfo;
        temps.push(ct);
        return call(tf.Transpose, wasm, { x: ct }, { perm: swapLastTwo(ct.shape.length) });
      }
      if (!transposeA && !transposeB) return stock({ inputs, backend, attrs });
      return stock({
        inputs: { ...inputs, a: transposeA ? flip(a) : a, b: transposeB ? flip(b) : b },
        backend,
        attrs: noFlags,
      });
    } finally {
      release(wasm, ...temps);
    }
  };
}
