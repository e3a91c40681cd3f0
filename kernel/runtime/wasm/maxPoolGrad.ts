/**
 * MaxPoolGrad.
 *
 * Stock wasm starts each window's running maximum at the smallest *positive* float, so every
 * window whose maximum is ≤ 0 gets no gradient at all. This kernel follows the cpu backend's
 * definition: dx[argmax of window] += dy, where argmax is the first maximum in row-major window
 * order (so ties, e.g. an all-zero window after ReLU, go to the first element, as on cpu).
 */
import * as tf from '@tensorflow/tfjs';
import { WasmBackend } from './kernels';

export const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;

  // Allocate first: a malloc may grow the heap and detach earlier views.
  const out = wasm.makeOutput(input.shape, 'float32');
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);

  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let n = 0; n < batchSize; n++) {
    const xBase = n * inHeight * inWidth * C;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let i = 0; i < fh; i += dilationHeight) {
          const h = h0 + i;
          if (h < 0 || h >= inHeight) continue;
          for (let j = 0; j < fw; j += dilationWidth) {
            const w = w0 + j;
            if (w < 0 || w >= inWidth) continue;
            const p = xBase + (h * inWidth + w) * C;
            for (let c = 0; c < C; c++) {
              const v = x[p + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = p + c;
              }
            }
          }
        }
        const q = ((n * outHeight + oh) * outWidth + ow) * C;
        for (let c = 0; c < C; c++) if (where[c] >= 0) dx[where[c]] += g[q + c];
      }
    }
  }
  return out;
};
