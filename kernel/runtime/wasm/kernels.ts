/**
 * Small helpers for kernels that compose other wasm kernels.
 *
 * A kernel function receives `TensorInfo`s (data ids on the wasm heap) and must return new
 * ones. Composed kernels call the registered wasm kernels directly, as tfjs's own backends do,
 * so that no engine tensors (and no gradient-tape entries) are created; every intermediate
 * `TensorInfo` holds one reference and is released with `release`.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's `BackendWasm` that the fixes use. */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

export type Attrs = tf.NamedAttrMap;

/** Run the wasm kernel `name` (or the given kernel function) on TensorInfos. */
export function call(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Attrs = {},
  kernelFunc?: tf.KernelFunc,
): tf.TensorInfo {
  const fn = kernelFunc ?? tf.getKernel(name, 'wasm')?.kernelFunc;
  if (!fn) throw new Error(`wasm kernel ${name} is not registered`);
  const out = fn({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/** Drop one reference to each intermediate. */
export function release(backend: WasmBackend, ...infos: tf.TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** Permutation that swaps the last two axes of a rank-`rank` tensor. */
export function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Explicit NHWC padding in the form `computeConv2DInfo` accepts. */
export function explicitPad(top: number, bottom: number, left: number, right: number): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
