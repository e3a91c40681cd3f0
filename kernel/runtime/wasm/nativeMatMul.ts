/**
 * BatchMatMul and _FusedMatMul on OpenBLAS, directly on the wasm heap.
 *
 * C[b] = op(A[b])·op(B[b]) is one strided-batch `cblas_sgemm` call: the transposes go to BLAS as
 * flags (no copy), a batch of 1 on either side broadcasts with stride 0, and C is the output
 * tensor's own memory. Returns null (the caller then runs the XNNPACK kernel) for what it does
 * not implement: non-float32 data, batch shapes that broadcast other than "equal or 1", a bias
 * that is not a vector of length N, an activation tfjs cannot fuse on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { activeBlas } from '../blas/openblas';
import { activate, fillRows, supportedActivation } from './epilogue';
import { WasmBackend } from './kernels';

export type NativeKernel = (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | null;

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
const f32 = (...ts: Array<tf.TensorInfo | undefined>): boolean =>
  ts.every((t) => t === undefined || t.dtype === 'float32');

export const nativeMatMul: NativeKernel = ({ inputs, backend, attrs }) => {
  const blas = activeBlas();
  if (!blas) return null;
  const wasm = backend as WasmBackend;
  const {
    a,
    b,
    bias,
    preluActivationWeights: prelu,
  } = inputs as Record<string, tf.TensorInfo | undefined> & {
    a: tf.TensorInfo;
    b: tf.TensorInfo;
  };
  const {
    transposeA = false,
    transposeB = false,
    activation,
    leakyreluAlpha,
  } = (attrs ?? {}) as {
    transposeA?: boolean;
    transposeB?: boolean;
    activation?: string;
    leakyreluAlpha?: number;
  };
  if (!f32(a, b, bias, prelu) || a.shape.length < 2 || b.shape.length < 2) return null;
  if (!supportedActivation(activation, prelu)) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== kb) return null; // let the stock kernel say what is wrong
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== N)) return null;
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);

  // Allocate first: growing the heap detaches every view taken before.
  const out = wasm.makeOutput([...outer, M, N], 'float32');
  const A = wasm.typedArrayFromHeap(a) as Float32Array;
  const B = wasm.typedArrayFromHeap(b) as Float32Array;
  const C = wasm.typedArrayFromHeap(out) as Float32Array;
  if (bias) fillRows(C, wasm.typedArrayFromHeap(bias) as Float32Array, batch * M);
  else if (K === 0) C.fill(0);
  if (K === 0 || M === 0 || N === 0 || batch === 0) return activate(wasm, out, activation, prelu, leakyreluAlpha);
  blas.sgemm(
    transposeA,
    transposeB,
    M,
    N,
    K,
    1,
    A,
    0,
    transposeA ? M : K,
    batchA === 1 ? 0 : M * K,
    B,
    0,
    transposeB ? K : N,
    batchB === 1 ? 0 : K * N,
    bias ? 1 : 0,
    C,
    0,
    N,
    M * N,
    batch,
  );
  return activate(wasm, out, activation, prelu, leakyreluAlpha);
};
