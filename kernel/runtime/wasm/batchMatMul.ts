/**
 * BatchMatMul / _FusedMatMul with transposeA or transposeB.
 *
 * Stock wasm hands transposed products to a naive loop instead of XNNPACK's GEMM
 * (X·Yᵀ for 500×3072 · (5000×3072)ᵀ: ~5 s instead of ~0.6 s), and every matMul gradient
 * transposes. Transposing the operand first is O(size) and keeps the product on the fast path.
 */
import * as tf from '@tensorflow/tfjs';
import { call, release, swapLastTwo, WasmBackend } from './kernels';

/** Wrap a stock matmul kernel so that it never sees a transpose flag. */
export function transposeFirst(stock: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as WasmBackend;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return stock({ inputs, backend, attrs });
    const temps: tf.TensorInfo[] = [];
    const flip = (t: tf.TensorInfo): tf.TensorInfo => {
      const out = call(tf.Transpose, wasm, { x: t }, { perm: swapLastTwo(t.shape.length) });
      temps.push(out);
      return out;
    };
    try {
      return stock({
        inputs: { ...inputs, a: transposeA ? flip(a) : a, b: transposeB ? flip(b) : b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      release(wasm, ...temps);
    }
  };
}
