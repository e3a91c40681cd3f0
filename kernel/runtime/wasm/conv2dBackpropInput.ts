/**
 * Conv2DBackpropInput for stride 1: a convolution with the flipped filter.
 *
 * dx[n, h, w, ci] = Σ_{i, j, co} dy[n, h + pt − i, w + pl − j, co] · W[i, j, ci, co]
 *                 = conv2d(dy, W̃)   with W̃[i, j, co, ci] = W[fh−1−i, fw−1−j, ci, co]
 * padded by (fh − 1 − pt) on top (and so on), which XNNPACK runs ~3× faster than stock wasm's
 * direct loop. Strided convolutions, and a dy that is not the forward conv's output size, keep the
 * stock kernel (checked against cpu in the tests).
 */
import * as tf from '@tensorflow/tfjs';
import { call, explicitPad, release, WasmBackend } from './kernels';

export function flippedFilterConv(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as WasmBackend;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: number | [number, number];
      pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
    if (dataFormat === 'NCHW') return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { inHeight: H, inWidth: W, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return stock(args);
    // The flipped-filter convolution maps the forward output size back to inputShape only when
    // dy has that size (conv2dTranspose accepts any dy); the stock kernel reads the part of dy
    // the forward conv defines and always returns inputShape, as the cpu backend does.
    const [n, dh, dw, dc] = dy.shape;
    if (n !== inputShape[0] || dh !== oh || dw !== ow || dc !== info.outChannels) return stock(args);
    const top = fh - 1 - info.padInfo.top;
    const left = fw - 1 - info.padInfo.left;
    const bottom = H - oh - top + fh - 1;
    const right = W - ow - left + fw - 1;
    if (Math.min(top, left, bottom, right) < 0) return stock(args);

    const temps: tf.TensorInfo[] = [];
    const keep = (t: tf.TensorInfo): tf.TensorInfo => (temps.push(t), t);
    try {
      const flipped = keep(call(tf.Reverse, wasm, { x: filter }, { dims: [0, 1] }));
      const w = keep(call(tf.Transpose, wasm, { x: flipped }, { perm: [0, 1, 3, 2] }));
      return call(tf.Conv2D, wasm, { x: dy, filter: w }, {
        strides: [1, 1],
        pad: explicitPad(top, bottom, left, right),
        dataFormat: 'NHWC',
        dilations: [1, 1],
        dimRoundingMode: 'floor',
      } as unknown as tf.NamedAttrMap);
    } finally {
      release(wasm, ...temps);
    }
  };
}
