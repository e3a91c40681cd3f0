/**
 * GatherV2 as block copies on the wasm heap.
 *
 * The stock wasm kernel computes the source offset of every output element with a division per
 * axis: about 100 ns per element, so drawing a minibatch of 200 rows from a [1000, 785] float32
 * matrix took 7 ms and the [2000, 3073] one of the SVM notebook 64 ms, more than the rest of a
 * training step together (`npm run bench`, row `minibatch`). A gather copies whole slices
 * (everything after the gathered axis), so here each slice is one `copyRun` (./kernels.ts: a
 * memcpy, or a loop for short slices). Same semantics as the cpu backend: `axis`
 * and `batchDims`, every dtype the wasm backend stores, and the same error for an index outside
 * [0, size of the axis − 1].
 */
import * as tf from '@tensorflow/tfjs';
import { WasmBackend, copyRun } from './kernels';

export function blockGather(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as WasmBackend;
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    if (x.dtype === 'string' || indices.dtype !== 'int32') return stock(args);
    const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
      x as tf.Tensor,
      indices as tf.Tensor,
      parsedAxis,
      batchDims,
    );
    const axisDim = x.shape[parsedAxis];
    const idx = wasm.typedArrayFromHeap(indices) as Int32Array;
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i];
      if (!(v >= 0 && v <= axisDim - 1))
        throw new Error(`GatherV2: the index value ${v} is not in [0, ${axisDim - 1}]`);
    }
    const numIdx = idx.length / info.batchSize;
    // Allocate, then take the views: a malloc may grow the heap and detach earlier ones.
    const out = wasm.makeOutput(info.outputShape, x.dtype);
    if (tf.util.sizeFromShape(info.outputShape) === 0) return out;
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    const ids = wasm.typedArrayFromHeap(indices) as Int32Array;
    const { batchSize, outerSize, dimSize, sliceSize } = info;
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let r = 0; r < outerSize; r++) {
        const base = (b * outerSize + r) * dimSize;
        for (let j = 0; j < numIdx; j++) {
          copyRun(dst, o, src, (base + ids[b * numIdx + j]) * sliceSize, sliceSize);
          o += sliceSize;
        }
      }
    }
    return out;
  };
}

/**
 * UnsortedSegmentSum, which the stock wasm backend lacks, so that gather's gradient (a scatter-add
 * of dy into the gathered rows) works on wasm: out[s] = Σ x[i] over the i with segmentIds[i] = s.
 * Sums accumulate in double in index order and are rounded once, as the cpu backend's are; ids
 * outside [0, numSegments) contribute nothing, as on cpu.
 */
export const unsortedSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const inner = tf.util.sizeFromShape(outShape) / Math.max(1, numSegments);
  const acc = new Float64Array(numSegments * inner);
  const src = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const p = i * inner;
    for (let k = 0; k < inner; k++) acc[o + k] += src[p + k];
  }
  const out = wasm.makeOutput(outShape, x.dtype);
  (wasm.typedArrayFromHeap(out) as Float32Array | Int32Array).set(acc);
  return out;
};
