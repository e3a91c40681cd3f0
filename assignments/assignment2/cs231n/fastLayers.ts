/**
 * Fast convolution and max pooling (given, not a TODO): the same functions as the naive layers,
 * with the same signatures and caches, computed by the tensor core's native kernels.
 *
 * The kernels work on channels-last tensors (N, H, W, C) and filters (HH, WW, C, F), so each
 * function transposes the course's (N, C, H, W) / (F, C, HH, WW) layout on the way in and back
 * on the way out. The backward passes call the kernels that tf's own gradients use
 * (Conv2DBackpropInput, Conv2DBackpropFilter, MaxPoolGrad) directly, so no forward pass is
 * recomputed for the convolution.
 */
import { tf } from 'ts231n';
import { ConvCache, ConvParam, PoolCache, PoolParam, convOutputShape, poolOutputShape } from './layers';

/** NCHW → NHWC. */
function toNhwc(x: tf.Tensor): tf.Tensor4D {
  return x.transpose([0, 2, 3, 1]) as tf.Tensor4D;
}

/** NHWC → NCHW. */
function toNchw(x: tf.Tensor): tf.Tensor4D {
  return x.transpose([0, 3, 1, 2]) as tf.Tensor4D;
}

/**
 * Zero padding on H and W as explicit [[top, bottom], …] pairs: a plain number makes tf compute
 * the output size with the filter's height on both axes (wrong for non-square filters).
 */
function explicitPad(pad: number): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
}

/** Filters (F, C, HH, WW) → (HH, WW, C, F). */
function filterToHwcf(w: tf.Tensor): tf.Tensor4D {
  return w.transpose([2, 3, 1, 0]) as tf.Tensor4D;
}

/**
 * The forward pass for a convolutional layer, fast: convForwardNaive's inputs, outputs and cache.
 *
 * - x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), convParam: { stride, pad }
 * - returns out (N, F, H', W') and the cache { x, w, b, convParam }
 */
export function convForwardFast(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  convParam: ConvParam,
): [tf.Tensor4D, ConvCache] {
  convOutputShape('convForwardFast', x, w, b, convParam);
  const { stride, pad } = convParam;
  const out = tf.tidy(() => toNchw(tf.conv2d(toNhwc(x), filterToHwcf(w), stride, explicitPad(pad)).add(b)));
  return [out, { x: x as tf.Tensor4D, w: w as tf.Tensor4D, b: b as tf.Tensor1D, convParam }];
}

/**
 * The backward pass for a convolutional layer, fast: convBackwardNaive's inputs and outputs.
 *
 * - dout: (N, F, H', W'), cache: { x, w, b, convParam } from either conv forward pass
 * - returns [dx (N, C, H, W), dw (F, C, HH, WW), db (F,)]
 */
export function convBackwardFast(dout: tf.Tensor, cache: ConvCache): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D] {
  const { x, w, b, convParam } = cache;
  const outShape = convOutputShape('convBackwardFast', x, w, b, convParam);
  if (dout.rank !== 4 || dout.shape.some((d, i) => d !== outShape[i])) {
    throw new Error(`convBackwardFast: dout must have the forward output's shape [${outShape}], got [${dout.shape}]`);
  }
  const { stride, pad } = convParam;
  const [N, C, H, W] = x.shape;
  const [F, , HH, WW] = w.shape;
  return tf.tidy(() => {
    const dy = toNhwc(dout);
    const dx = tf.conv2dTranspose(dy, filterToHwcf(w), [N, H, W, C], stride, explicitPad(pad));
    const attrs = { strides: stride, pad: explicitPad(pad), dataFormat: 'NHWC', filterShape: [HH, WW, C, F] };
    const dwHwcf = tf.engine().runKernel('Conv2DBackpropFilter', { x: toNhwc(x), dy }, attrs) as tf.Tensor4D;
    const dw = dwHwcf.transpose([3, 2, 0, 1]) as tf.Tensor4D;
    const db = dout.sum([0, 2, 3]) as tf.Tensor1D;
    return [toNchw(dx), dw, db] as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
  });
}

/**
 * The forward pass for a max-pooling layer, fast: maxPoolForwardNaive's inputs, outputs and cache.
 *
 * - x: (N, C, H, W), poolParam: { poolHeight, poolWidth, stride }
 * - returns out (N, C, H', W') and the cache { x, poolParam }
 */
export function maxPoolForwardFast(x: tf.Tensor, poolParam: PoolParam): [tf.Tensor4D, PoolCache] {
  poolOutputShape('maxPoolForwardFast', x, poolParam);
  const { poolHeight, poolWidth, stride } = poolParam;
  const out = tf.tidy(() => toNchw(tf.maxPool(toNhwc(x), [poolHeight, poolWidth], stride, 'valid')));
  return [out, { x: x as tf.Tensor4D, poolParam }];
}

/**
 * The backward pass for a max-pooling layer, fast: maxPoolBackwardNaive's inputs and outputs.
 * Each window's gradient goes to its first maximum in row-major order, as in the naive version.
 *
 * - dout: (N, C, H', W'), cache: { x, poolParam } from either max-pool forward pass
 * - returns dx (N, C, H, W)
 */
export function maxPoolBackwardFast(dout: tf.Tensor, cache: PoolCache): tf.Tensor4D {
  const { x, poolParam } = cache;
  const outShape = poolOutputShape('maxPoolBackwardFast', x, poolParam);
  if (dout.rank !== 4 || dout.shape.some((d, i) => d !== outShape[i])) {
    throw new Error(
      `maxPoolBackwardFast: dout must have the forward output's shape [${outShape}], got [${dout.shape}]`,
    );
  }
  const { poolHeight, poolWidth, stride } = poolParam;
  return tf.tidy(() => {
    const input = toNhwc(x);
    // MaxPoolGrad takes the pooled output too (some backends locate the maxima with it).
    const output = tf.maxPool(input, [poolHeight, poolWidth], stride, 'valid');
    const attrs = { filterSize: [poolHeight, poolWidth], strides: stride, pad: 'valid' };
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy: toNhwc(dout), input, output }, attrs) as tf.Tensor4D;
    return toNchw(dx);
  });
}
