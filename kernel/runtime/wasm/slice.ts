/**
 * Slice on views of the wasm heap.
 *
 * The stock wasm kernel first copies the *whole* input out of the heap (`readSync`) and then
 * takes the slice from the copy: the first 500 images of Fashion-MNIST's [60000, 28, 28, 1]
 * training set cost a 188 MB copy, 0.4 s, for 1.5 MB of result (every notebook starts this way).
 * Here the slice is copied straight from a view of the input: one memcpy when it is contiguous,
 * else one `copyRun` per run of the last axis (./kernels.ts). Strings go to the stock
 * kernel. Same semantics as the cpu backend: `begin` and `size` as tfjs parses them (size −1 = to the end).
 */
import * as tf from '@tensorflow/tfjs';
import { WasmBackend, copyRun } from './kernels';

export function viewSlice(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as WasmBackend;
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock(args);
    const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    // Allocate, then take the views: a malloc may grow the heap and detach earlier ones.
    const out = wasm.makeOutput(s, x.dtype);
    const n = tf.util.sizeFromShape(s);
    if (n === 0) return out;
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, b, s)) {
      const at = tf.slice_util.computeFlatOffset(b, strides);
      dst.set(src.subarray(at, at + n));
      return out;
    }
    const rank = x.shape.length;
    const run = s[rank - 1];
    const idx = new Array<number>(rank - 1).fill(0); // position among the outer axes of the slice
    for (let o = 0; o < n; o += run) {
      let at = b[rank - 1];
      for (let d = 0; d < rank - 1; d++) at += (b[d] + idx[d]) * strides[d];
      copyRun(dst, o, src, at, run);
      for (let d = rank - 2; d >= 0; d--) {
        if (++idx[d] < s[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  };
}
