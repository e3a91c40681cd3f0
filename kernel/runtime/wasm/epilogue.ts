/**
 * The bias and activation of the fused kernels (_FusedMatMul, FusedConv2D) when the product runs
 * natively: the bias is written into the output rows before the GEMM (which then adds with
 * beta = 1), and the activation runs afterwards as the wasm backend's own kernel, so that every
 * activation tfjs can fuse behaves exactly as unfused.
 */
import * as tf from '@tensorflow/tfjs';
import { call, release, WasmBackend } from './kernels';

export type Activation = 'linear' | 'relu' | 'relu6' | 'prelu' | 'leakyrelu' | 'sigmoid' | 'elu';

const KERNEL: Record<Exclude<Activation, 'linear'>, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  prelu: tf.Prelu,
  leakyrelu: tf.LeakyRelu,
  sigmoid: tf.Sigmoid,
  elu: tf.Elu,
};

/** Whether the native path can apply this activation (else the kernel defers to the stock one). */
export function supportedActivation(a: string | undefined, prelu: tf.TensorInfo | undefined): boolean {
  if (a === undefined || a === 'linear') return true;
  if (a === 'prelu') return prelu !== undefined;
  return a in KERNEL;
}

/** Fill each of the `rows` rows of `out` (row length = bias.length) with the bias. */
export function fillRows(out: Float32Array, bias: Float32Array, rows: number): void {
  const n = bias.length;
  if (rows === 0 || n === 0) return;
  out.set(bias, 0);
  // doubling copies: log2(rows) memmoves instead of `rows` small ones
  for (let done = 1; done < rows; done *= 2) {
    out.copyWithin(done * n, 0, Math.min(done, rows - done) * n);
  }
}

/** Apply the activation to `out`; returns the tensor to hand back (`out` itself when linear). */
export function activate(
  backend: WasmBackend,
  out: tf.TensorInfo,
  activation: string | undefined,
  prelu: tf.TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): tf.TensorInfo {
  if (activation === undefined || activation === 'linear') return out;
  const name = KERNEL[activation as Exclude<Activation, 'linear'>];
  try {
    if (activation === 'prelu') return call(name, backend, { x: out, alpha: prelu! });
    if (activation === 'leakyrelu') return call(name, backend, { x: out }, { alpha: leakyreluAlpha ?? 0.2 });
    return call(name, backend, { x: out });
  } finally {
    release(backend, out);
  }
}
