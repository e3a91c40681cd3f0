/**
 * Small helpers for the kit's wasm kernels: composing other wasm kernels, and copying on the heap.
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
  typedArrayFromHeap(t: tf.TensorInfo): HeapArray;
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

/** A typed view of a tensor's memory on the wasm heap (`typedArrayFromHeap`). */
export type HeapArray = Float32Array | Int32Array | Uint8Array;

/** Below this many elements a loop beats `subarray` + `set` (an object per call). */
const SHORT_RUN = 16;

/** Copy n elements from src at s to dst at o: a loop for short runs, one `set` (a memcpy) for long ones. */
export function copyRun(dst: HeapArray, o: number, src: HeapArray, s: number, n: number): void {
  if (n < SHORT_RUN) for (let k = 0; k < n; k++) dst[o + k] = src[s + k];
  else dst.set(src.subarray(s, s + n), o);
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
