/**
 * "Sandwich" layers: common sequences of layers as one forward and one backward function, so a
 * net can be written in a few lines. Given code: built on the layers in ./layers.
 */
import { tf } from 'ts231n';
import {
  affineBackward,
  AffineCache,
  affineForward,
  batchnormBackward,
  BatchnormCache,
  batchnormForward,
  BnParam,
  ConvCache,
  ConvParam,
  PoolCache,
  PoolParam,
  reluBackward,
  ReluCache,
  reluForward,
  spatialBatchnormBackward,
  spatialBatchnormForward,
} from './layers';
import { convBackwardFast, convForwardFast, maxPoolBackwardFast, maxPoolForwardFast } from './fastLayers';

/** What affineReluForward keeps: the affine layer's cache and the ReLU's. */
export interface AffineReluCache {
  fcCache: AffineCache;
  reluCache: ReluCache;
}

/** What affineBnReluForward keeps: the affine, batchnorm and ReLU layers' caches. */
export interface AffineBnReluCache {
  fcCache: AffineCache;
  bnCache: BatchnormCache | null;
  reluCache: ReluCache;
}

/**
 * Convenience layer that performs an affine transform followed by a ReLU.
 *
 * Inputs:
 * - x: Input to the affine layer, of shape (N, d_1, ..., d_k)
 * - w, b: Weights (D, M) and bias (M,) for the affine layer
 *
 * Returns a tuple of:
 * - out: Output from the ReLU, of shape (N, M)
 * - cache: Object to give to the backward pass
 */
export function affineReluForward(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): [tf.Tensor, AffineReluCache] {
  const [a, fcCache] = affineForward(x, w, b);
  const [out, reluCache] = reluForward(a);
  return [out, { fcCache, reluCache }];
}

/**
 * Backward pass for the affine-relu convenience layer.
 *
 * Returns [dx, dw, db] with the shapes of x, w and b.
 */
export function affineReluBackward(dout: tf.Tensor, cache: AffineReluCache): [tf.Tensor, tf.Tensor2D, tf.Tensor1D] {
  return tf.tidy(() => affineBackward(reluBackward(dout, cache.reluCache), cache.fcCache));
}

/**
 * Convenience layer that performs an affine transform, batch normalization and a ReLU.
 *
 * Inputs:
 * - x: Input to the affine layer, of shape (N, d_1, ..., d_k)
 * - w, b: Weights (D, M) and bias (M,) for the affine layer
 * - gamma, beta: Scale and shift (M,) for the batchnorm layer
 * - bnParam: the batchnorm layer's settings and running statistics (updated in place)
 *
 * Returns a tuple of:
 * - out: Output from the ReLU, of shape (N, M)
 * - cache: Object to give to the backward pass
 */
export function affineBnReluForward(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  bnParam: BnParam,
): [tf.Tensor, AffineBnReluCache] {
  const [a, fcCache] = affineForward(x, w, b);
  const [an, bnCache] = batchnormForward(a, gamma, beta, bnParam);
  const [out, reluCache] = reluForward(an);
  return [out, { fcCache, bnCache, reluCache }];
}

/**
 * Backward pass for the affine-batchnorm-relu convenience layer.
 *
 * Returns [dx, dw, db, dgamma, dbeta] with the shapes of x, w, b, gamma and beta.
 */
export function affineBnReluBackward(
  dout: tf.Tensor,
  cache: AffineBnReluCache,
): [tf.Tensor, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const da = reluBackward(dout, cache.reluCache);
    const [dan, dgamma, dbeta] = batchnormBackward(da, cache.bnCache);
    const [dx, dw, db] = affineBackward(dan, cache.fcCache);
    return [dx, dw, db, dgamma, dbeta] as [tf.Tensor, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  });
}

// ---- Convolutional sandwiches (on the fast layers, so nets built from them train at the tensor
// core's speed) ----------------------------------------------------------------------------------

/** What convReluForward keeps: the conv layer's cache and the ReLU's. */
export interface ConvReluCache {
  convCache: ConvCache;
  reluCache: ReluCache;
}

/** What convReluPoolForward keeps: the conv, ReLU and pool layers' caches. */
export interface ConvReluPoolCache {
  convCache: ConvCache;
  reluCache: ReluCache;
  poolCache: PoolCache;
}

/** What convBnReluForward keeps: the conv, spatial batchnorm and ReLU layers' caches. */
export interface ConvBnReluCache {
  convCache: ConvCache;
  bnCache: BatchnormCache | null;
  reluCache: ReluCache;
}

/**
 * A convenience layer that performs a convolution followed by a ReLU.
 *
 * Inputs:
 * - x: Input to the convolutional layer, (N, C, H, W)
 * - w, b, convParam: Weights (F, C, HH, WW), biases (F,) and { stride, pad } for the convolution
 *
 * Returns a tuple of:
 * - out: Output from the ReLU, (N, F, H', W')
 * - cache: Object to give to the backward pass
 */
export function convReluForward(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  convParam: ConvParam,
): [tf.Tensor4D, ConvReluCache] {
  const [a, convCache] = convForwardFast(x, w, b, convParam);
  const [out, reluCache] = reluForward(a);
  return [out as tf.Tensor4D, { convCache, reluCache }];
}

/**
 * Backward pass for the conv-relu convenience layer.
 *
 * Returns [dx, dw, db] with the shapes of x, w and b.
 */
export function convReluBackward(dout: tf.Tensor, cache: ConvReluCache): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D] {
  return tf.tidy(() => convBackwardFast(reluBackward(dout, cache.reluCache), cache.convCache));
}

/**
 * A convenience layer that performs a convolution, a ReLU, and a max pool.
 *
 * Inputs:
 * - x: Input to the convolutional layer, (N, C, H, W)
 * - w, b, convParam: Weights (F, C, HH, WW), biases (F,) and { stride, pad } for the convolution
 * - poolParam: { poolHeight, poolWidth, stride } for the pooling layer
 *
 * Returns a tuple of:
 * - out: Output from the pooling layer
 * - cache: Object to give to the backward pass
 */
export function convReluPoolForward(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  convParam: ConvParam,
  poolParam: PoolParam,
): [tf.Tensor4D, ConvReluPoolCache] {
  const [a, convCache] = convForwardFast(x, w, b, convParam);
  const [s, reluCache] = reluForward(a);
  const [out, poolCache] = maxPoolForwardFast(s, poolParam);
  return [out, { convCache, reluCache, poolCache }];
}

/**
 * Backward pass for the conv-relu-pool convenience layer.
 *
 * Returns [dx, dw, db] with the shapes of x, w and b.
 */
export function convReluPoolBackward(
  dout: tf.Tensor,
  cache: ConvReluPoolCache,
): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D] {
  return tf.tidy(() => {
    const ds = maxPoolBackwardFast(dout, cache.poolCache);
    const da = reluBackward(ds, cache.reluCache);
    return convBackwardFast(da, cache.convCache);
  });
}

/**
 * A convenience layer that performs a convolution, spatial batch normalization and a ReLU.
 *
 * Inputs:
 * - x: Input to the convolutional layer, (N, C, H, W)
 * - w, b, convParam: Weights (F, C, HH, WW), biases (F,) and { stride, pad } for the convolution
 * - gamma, beta: Scale and shift (F,) for the spatial batchnorm layer
 * - bnParam: the batchnorm layer's settings and running statistics (updated in place)
 *
 * Returns a tuple of:
 * - out: Output from the ReLU, (N, F, H', W')
 * - cache: Object to give to the backward pass
 */
export function convBnReluForward(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  convParam: ConvParam,
  bnParam: BnParam,
): [tf.Tensor4D, ConvBnReluCache] {
  const [a, convCache] = convForwardFast(x, w, b, convParam);
  const [an, bnCache] = spatialBatchnormForward(a, gamma, beta, bnParam);
  const [out, reluCache] = reluForward(an);
  return [out as tf.Tensor4D, { convCache, bnCache, reluCache }];
}

/**
 * Backward pass for the conv-bn-relu convenience layer.
 *
 * Returns [dx, dw, db, dgamma, dbeta] with the shapes of x, w, b, gamma and beta.
 */
export function convBnReluBackward(
  dout: tf.Tensor,
  cache: ConvBnReluCache,
): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const dan = reluBackward(dout, cache.reluCache);
    const [da, dgamma, dbeta] = spatialBatchnormBackward(dan, cache.bnCache);
    const [dx, dw, db] = convBackwardFast(da, cache.convCache);
    return [dx, dw, db, dgamma, dbeta] as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  });
}

/** Free the running mean and variance a batchnorm layer stored in a bnParam (they are kept tensors). */
function disposeRunningStats(bnParam: BnParam): void {
  tf.dispose([bnParam.runningMean, bnParam.runningVar].filter((t): t is tf.Tensor => t !== undefined));
}

/**
 * batchnormForward in train mode with a throwaway bnParam, for checks that want only the output
 * and the cache: the running statistics the layer stores in the bnParam (kept tensors) are freed,
 * so calling it many times, e.g. inside a numeric gradient check, leaves no tensors behind.
 */
export function batchnormTrainForward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
): [tf.Tensor2D, BatchnormCache | null] {
  const bnParam: BnParam = { mode: 'train' };
  try {
    return batchnormForward(x, gamma, beta, bnParam);
  } finally {
    disposeRunningStats(bnParam);
  }
}

/** spatialBatchnormForward in train mode with a throwaway bnParam; see batchnormTrainForward. */
export function spatialBatchnormTrainForward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
): [tf.Tensor4D, BatchnormCache | null] {
  const bnParam: BnParam = { mode: 'train' };
  try {
    return spatialBatchnormForward(x, gamma, beta, bnParam);
  } finally {
    disposeRunningStats(bnParam);
  }
}
