/**
 * Conv2DBackpropFilter (not registered at all on stock wasm).
 *
 * dW[i, j, ci, co] = Σ_{n, a, b} x[n, a·sh + i − pt, b·sw + j − pl, ci] · dy[n, a, b, co]
 *
 * which is itself a convolution: take x as a batch of `ci` images with `n` channels
 * (x' = xᵀ: [ci, H, W, n]), take dy as the filter (dy' : [oh, ow, n, co]) dilated by the forward
 * stride, and convolve with stride 1 and the forward padding. The result [ci, fh, fw, co] is
 * transposed to [fh, fw, ci, co]. All of it runs in XNNPACK through the wasm Conv2D kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { call, explicitPad, release, WasmBackend } from './kernels';

export const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') {
    throw new Error('wasm Conv2DBackpropFilter supports dataFormat NHWC only; transpose NCHW input to NHWC first');
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { inHeight: H, inWidth: W, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;

  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => (temps.push(t), t);
  try {
    // Bottom/right padding that makes the output exactly fh × fw; rows the forward pass never
    // read (negative padding) are cut off instead.
    let bottom = fh + (oh - 1) * sh - H - top;
    let right = fw + (ow - 1) * sw - W - left;
    let xs = x;
    if (bottom < 0 || right < 0) {
      const size = [x.shape[0], H + Math.min(bottom, 0), W + Math.min(right, 0), x.shape[3]];
      xs = keep(call(tf.Slice, wasm, { x }, { begin: [0, 0, 0, 0], size }));
      bottom = Math.max(bottom, 0);
      right = Math.max(right, 0);
    }
    const xt = keep(call(tf.Transpose, wasm, { x: xs }, { perm: [3, 1, 2, 0] }));
    const dyt = keep(call(tf.Transpose, wasm, { x: dy }, { perm: [1, 2, 0, 3] }));
    const dw = keep(
      call(tf.Conv2D, wasm, { x: xt, filter: dyt }, {
        strides: [1, 1],
        pad: explicitPad(top, bottom, left, right),
        dataFormat: 'NHWC',
        dilations: [sh, sw],
        dimRoundingMode: 'floor',
      } as unknown as tf.NamedAttrMap),
    );
    return call(tf.Transpose, wasm, { x: dw }, { perm: [1, 2, 0, 3] });
  } finally {
    release(wasm, ...temps);
  }
};
