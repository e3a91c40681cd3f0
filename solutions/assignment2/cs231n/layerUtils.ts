/**
 * "Sandwich" layers: common sequences of layers as one forward and one backward function, so a
 * net can be written in a few lines. Given code: built on the layers in ./layers.
 */
import { tf } from '../../../kernel/runtime';
import {
  AffineCache,
  affineBackward,
  affineForward,
  BatchnormCache,
  batchnormBackward,
  batchnormForward,
  BnParam,
  ReluCache,
  reluBackward,
  reluForward,
} from './layers';

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
export function affineBnReluForward(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, bnParam: BnParam): [tf.Tensor, AffineBnReluCache] {
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
export function affineBnReluBackward(dout: tf.Tensor, cache: AffineBnReluCache): [tf.Tensor, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const da = reluBackward(dout, cache.reluCache);
    const [dan, dgamma, dbeta] = batchnormBackward(da, cache.bnCache);
    const [dx, dw, db] = affineBackward(dan, cache.fcCache);
    return [dx, dw, db, dgamma, dbeta] as [tf.Tensor, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  });
}
