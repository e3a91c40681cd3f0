/**
 * MaxPoolGrad.
 *
 * Stock wasm starts each window's running maximum at the smallest *positive* float, so every
 * window whose maximum is ≤ 0 gets no gradient at all. These kernels follow the cpu backend's
 * definition: dx[argmax of window] += dy, where argmax is the first maximum in row-major window
 * order (so ties, e.g. an all-zero window after ReLU, go to the first element, as on cpu).
 *
 * `nativeMaxPoolGrad` runs it as a C loop of the kit's addon where it is loaded (the course's
 * 50×28×28×32 pool: 8.6 ms in the JavaScript loop below, 1.5 ms in C); `maxPoolGrad` is the same
 * loop in JavaScript, for float32 without the addon.
 */
import * as tf from '@tensorflow/tfjs';
import { activeBlas } from '../blas/openblas';
import { WasmBackend } from './kernels';
import { windowGeometry } from './nativeConv';
import type { NativeKernel } from './nativeMatMul';

function poolInfo({ inputs, attrs }: Parameters<tf.KernelFunc>[0]): tf.backend_util.Conv2DInfo {
  const { input } = inputs as { input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  return tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
}

export const nativeMaxPoolGrad: NativeKernel = (args) => {
  const blas = activeBlas();
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  if (!blas || dy.dtype !== 'float32' || input.dtype !== 'float32') return null;
  const info = poolInfo(args);
  const wasm = args.backend as WasmBackend;
  // Allocate first: a malloc may grow the heap and detach earlier views.
  const out = wasm.makeOutput(input.shape, 'float32');
  blas.maxPoolGrad(
    wasm.typedArrayFromHeap(input) as Float32Array,
    0,
    wasm.typedArrayFromHeap(dy) as Float32Array,
    0,
    windowGeometry(info, info.batchSize),
    wasm.typedArrayFromHeap(out) as Float32Array,
    0,
  );
  return out;
};

export const maxPoolGrad: tf.KernelFunc = (args) => {
  const { inputs, backend } = args;
  const wasm = backend as WasmBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = poolInfo(args);
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
