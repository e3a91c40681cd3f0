/**
 * The small ops of a training step, Add, Sub, Multiply, RealDiv, Greater, Maximum, Minimum (with
 * broadcasting) and Sum, Mean, Max (over adjacent axes), as C loops of the kit's addon on the wasm heap.
 *
 * On the course's small shapes (100×100 activations) the wasm kernels of these ops cost
 * 8–80 µs each (a reduction over axis 0 transposes first; `x > 0` takes ~80 µs on 100×100),
 * more than tfjs's own per-call cost; the loops here take 1–3 µs. `tf.maximum(x, 0)`, the course's
 * ReLU, took 9.4 ms on a 200×3072 batch (15 ns per element; `tf.relu` 0.1 ms). Results equal the cpu
 * backend's to float32 rounding: the arithmetic ops round exactly as it does, and sums
 * accumulate in double as it does (in eight interleaved partial sums, not one). Returns null (the caller runs the wasm kernel) for non-float32 data,
 * broadcasts that do not fold into 4 axes, reductions over axes that are not adjacent, and the
 * max over an empty axis. (A sum over an empty axis is 0 here, as on cpu; the stock wasm kernel
 * returns whatever its output memory held.)
 */
import * as tf from '@tensorflow/tfjs';
import { activeBlas } from '../blas/openblas';
import { WasmBackend } from './kernels';
import type { NativeKernel } from './nativeMatMul';

const BINARY_OPS: Record<string, number> = {
  [tf.Add]: 0,
  [tf.Sub]: 1,
  [tf.Multiply]: 2,
  [tf.RealDiv]: 3,
  [tf.Greater]: 4,
  [tf.Maximum]: 5, // tf.maximum(x, 0) is the course's ReLU (np.maximum(0, x)): 15 ns per element on stock wasm
  [tf.Minimum]: 6,
};
const REDUCE_OPS: Record<string, number> = { [tf.Sum]: 0, [tf.Mean]: 1, [tf.Max]: 2 };

/** The kernels this file implements. */
export const ELEMENTWISE_KERNELS = [...Object.keys(BINARY_OPS), ...Object.keys(REDUCE_OPS)];

interface Folded {
  shape: Int32Array;
  aStrides: Int32Array;
  bStrides: Int32Array;
}

const newFolded = (): Folded => ({
  shape: new Int32Array(4),
  aStrides: new Int32Array(4),
  bStrides: new Int32Array(4),
});

/**
 * The folded geometry handed to the addon on every call, allocated once. A typed array this small
 * lives on V8's heap, and N-API moves it off the heap the first time C asks for its data: with
 * three new ones per call that move cost 2.1 µs, six times the rest of the call (0.35 µs; measured
 * with 1-element operands). Kept arrays move once.
 */
const SCRATCH = newFolded();

/**
 * The broadcast of a and b to `out` as at most 4 axes: adjacent axes along which each operand
 * either advances or stays (broadcasts) together are merged into one. null if more than 4 remain.
 * Writes into `into` (new arrays by default) and returns it.
 */
export function foldBroadcast(out: number[], a: number[], b: number[], into: Folded = newFolded()): Folded | null {
  // Plain loops: this runs on every call, and on small shapes a few µs here would cost more than the op.
  const r = out.length;
  const { shape, aStrides, bStrides } = into;
  shape.fill(1);
  aStrides.fill(0);
  bStrides.fill(0);
  let g = 4; // groups are filled from the last axis backwards
  let aStride = 1;
  let bStride = 1;
  let prevA = -1; // how the current group treats a and b: 1 advances, 0 broadcasts, -1 none yet
  let prevB = -1;
  for (let i = r - 1; i >= 0; i--) {
    const d = out[i];
    if (d === 1) continue;
    const da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
    const db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
    const ba = da === 1 ? 0 : 1;
    const bb = db === 1 ? 0 : 1;
    if (ba !== prevA || bb !== prevB) {
      if (--g < 0) return null;
      aStrides[g] = ba ? aStride : 0;
      bStrides[g] = bb ? bStride : 0;
      prevA = ba;
      prevB = bb;
    }
    shape[g] *= d;
    aStride *= da;
    bStride *= db;
  }
  return into;
}

/** Add, Sub, Multiply, RealDiv or Greater of two float32 tensors, broadcasting as tfjs does. */
export function nativeBinary(kernelName: string): NativeKernel {
  const op = BINARY_OPS[kernelName];
  return ({ inputs, backend }) => {
    const blas = activeBlas();
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!blas || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    let outShape: number[];
    try {
      outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    } catch {
      return null; // the wasm kernel says what is wrong
    }
    const folded = foldBroadcast(outShape, a.shape, b.shape, SCRATCH);
    if (!folded) return null;
    const wasm = backend as WasmBackend;
    // Allocate first: growing the heap detaches every view taken before.
    const out = wasm.makeOutput(outShape, kernelName === tf.Greater ? 'bool' : 'float32');
    blas.binary(
      op,
      wasm.typedArrayFromHeap(a) as Float32Array,
      0,
      folded.aStrides,
      wasm.typedArrayFromHeap(b) as Float32Array,
      0,
      folded.bStrides,
      wasm.typedArrayFromHeap(out) as Float32Array | Uint8Array,
      0,
      folded.shape,
    );
    return out;
  };
}

/** x viewed as [outer, mid, inner] with the reduced axes in mid, or null if they are not adjacent. */
export function foldReduction(shape: number[], axes: number[]): [number, number, number] | null {
  const reduced = shape.map((d, i) => axes.includes(i) || d === 1);
  const first = axes.length ? Math.min(...axes) : shape.length;
  const last = axes.length ? Math.max(...axes) : shape.length - 1;
  for (let i = first; i <= last; i++) if (!reduced[i]) return null;
  const prod = (s: number[]) => s.reduce((p, d) => p * d, 1);
  return [prod(shape.slice(0, first)), prod(shape.slice(first, last + 1)), prod(shape.slice(last + 1))];
}

/** Sum, Mean or Max of a float32 tensor over adjacent axes (keepDims honoured). */
export function nativeReduce(kernelName: string): NativeKernel {
  const op = REDUCE_OPS[kernelName];
  return ({ inputs, backend, attrs }) => {
    const blas = activeBlas();
    const { x } = inputs as { x: tf.TensorInfo };
    // Max names its axes reductionIndices; Sum and Mean call them axis
    const {
      axis,
      reductionIndices,
      keepDims = false,
    } = (attrs ?? {}) as {
      axis?: number | number[];
      reductionIndices?: number | number[];
      keepDims?: boolean;
    };
    if (!blas || x.dtype !== 'float32') return null;
    let axes: number[];
    try {
      const given = kernelName === tf.Max ? reductionIndices : axis;
      axes = given === undefined || given === null ? x.shape.map((_, i) => i) : tf.util.parseAxisParam(given, x.shape);
    } catch {
      return null;
    }
    const folded = foldReduction(x.shape, axes);
    // a max over no elements has no value (cpu gives NaN); the stock kernel has it
    if (!folded || (folded[1] === 0 && kernelName === tf.Max)) return null;
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const wasm = backend as WasmBackend;
    const out = wasm.makeOutput(keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
    const [outer, mid, inner] = folded;
    const outValues = wasm.typedArrayFromHeap(out) as Float32Array;
    if (mid === 0) {
      outValues.fill(0); // a sum or mean over no elements is 0, as on cpu (stock wasm leaves the memory as it was)
      return out;
    }
    blas.reduce(op, wasm.typedArrayFromHeap(x) as Float32Array, 0, outer, mid, inner, outValues, 0);
    return out;
  };
}
