/**
 * This file implements various first-order update rules that are commonly used for training
 * neural networks. Each update rule accepts current weights and the gradient of the loss with
 * respect to those weights and produces the next set of weights. Each update rule has the same
 * interface:
 *
 *   function update(w, dw, config?) → [nextW, config]
 *
 * Inputs:
 * - w: A tensor giving the current weights.
 * - dw: A tensor of the same shape as w giving the gradient of the loss with respect to w.
 * - config: An object containing hyperparameter values such as learning rate, momentum, etc. If
 *   the update rule requires caching values over many iterations, then config will also hold
 *   these cached values.
 *
 * Returns:
 * - nextW: The next point after the update (a new tensor).
 * - config: The config object to be passed to the next iteration of the update rule: a new
 *   object with every default filled in and new state tensors (velocity, cache, m, v).
 *
 * Nothing passed in is modified or disposed: the caller owns w, dw and the state tensors of the
 * config it passed (the Solver frees them after each step).
 *
 * NOTE: For most update rules, the default learning rate will probably not perform well;
 * however the default values of the other hyperparameters should work well for a variety of
 * different problems.
 */
import { tf } from 'ts231n';

/** Hyperparameters and state of the update rules; each rule reads the keys it needs. */
export interface OptimConfig {
  /** Scalar learning rate (default 1e-2; Adam's default is 1e-3). */
  learningRate?: number;
  /** sgdMomentum: scalar between 0 and 1 giving the momentum value (default 0.9). */
  momentum?: number;
  /** sgdMomentum: a tensor of the same shape as w storing a moving average of the gradients. */
  velocity?: tf.Tensor;
  /** rmsprop: scalar between 0 and 1 giving the decay rate for the squared gradient cache (default 0.99). */
  decayRate?: number;
  /** rmsprop, adam: small scalar used for smoothing to avoid dividing by zero (default 1e-8). */
  epsilon?: number;
  /** rmsprop: moving average of second moments of gradients. */
  cache?: tf.Tensor;
  /** adam: decay rate for moving average of first moment of gradient (default 0.9). */
  beta1?: number;
  /** adam: decay rate for moving average of second moment of gradient (default 0.999). */
  beta2?: number;
  /** adam: moving average of gradient. */
  m?: tf.Tensor;
  /** adam: moving average of squared gradient. */
  v?: tf.Tensor;
  /** adam: iteration number (default 0). */
  t?: number;
}

/** The signature every update rule shares. */
export type UpdateRule = (w: tf.Tensor, dw: tf.Tensor, config?: OptimConfig) => [tf.Tensor, OptimConfig];

/** The keys of an OptimConfig that hold state tensors (the Solver frees the replaced ones). */
export const STATE_KEYS = ['velocity', 'cache', 'm', 'v'] as const;

function checkShapes(rule: string, w: tf.Tensor, dw: tf.Tensor): void {
  if (w.rank !== dw.rank || w.shape.some((d, i) => d !== dw.shape[i])) {
    throw new Error(`${rule}: dw must have the shape of w [${w.shape}], got [${dw.shape}]`);
  }
}

/**
 * Performs vanilla stochastic gradient descent: w = w − learningRate·dw.
 *
 * config format:
 * - learningRate: Scalar learning rate (default 1e-2).
 */
export function sgd(w: tf.Tensor, dw: tf.Tensor, config: OptimConfig = {}): [tf.Tensor, OptimConfig] {
  checkShapes('sgd', w, dw);
  const next: OptimConfig = { ...config, learningRate: config.learningRate ?? 1e-2 };
  const nextW = tf.tidy(() => w.sub(dw.mul(next.learningRate as number)));
  return [nextW, next];
}

/**
 * Performs stochastic gradient descent with momentum.
 *
 * config format:
 * - learningRate: Scalar learning rate (default 1e-2).
 * - momentum: Scalar between 0 and 1 giving the momentum value (default 0.9).
 *   Setting momentum = 0 reduces to sgd.
 * - velocity: A tensor of the same shape as w and dw used to store a moving average of the
 *   gradients (zeros when absent).
 */
export function sgdMomentum(w: tf.Tensor, dw: tf.Tensor, config: OptimConfig = {}): [tf.Tensor, OptimConfig] {
  checkShapes('sgdMomentum', w, dw);
  const learningRate = config.learningRate ?? 1e-2;
  const momentum = config.momentum ?? 0.9;
  const [nextW, velocity] = tf.tidy(() => {
    const v = config.velocity ?? tf.zerosLike(w);
    let nextW: tf.Tensor;
    let velocity: tf.Tensor;
    // BEGIN SOLUTION: implement the momentum update formula: the new velocity is
    // momentum·v − learningRate·dw, and the new weights are w plus the new velocity. Store them
    // in `velocity` and `nextW` (new tensors; do not modify v, w or dw).
    velocity = v.mul(momentum).sub(dw.mul(learningRate));
    nextW = w.add(velocity);
    // END SOLUTION
    return [nextW, velocity];
  });
  return [nextW, { ...config, learningRate, momentum, velocity }];
}

/**
 * Uses the RMSProp update rule, which uses a moving average of squared gradient values to set
 * adaptive per-parameter learning rates.
 *
 * config format:
 * - learningRate: Scalar learning rate (default 1e-2).
 * - decayRate: Scalar between 0 and 1 giving the decay rate for the squared gradient cache
 *   (default 0.99).
 * - epsilon: Small scalar used for smoothing to avoid dividing by zero (default 1e-8).
 * - cache: Moving average of second moments of gradients (zeros when absent).
 */
export function rmsprop(w: tf.Tensor, dw: tf.Tensor, config: OptimConfig = {}): [tf.Tensor, OptimConfig] {
  checkShapes('rmsprop', w, dw);
  const learningRate = config.learningRate ?? 1e-2;
  const decayRate = config.decayRate ?? 0.99;
  const epsilon = config.epsilon ?? 1e-8;
  const [nextW, cache] = tf.tidy(() => {
    const c = config.cache ?? tf.zerosLike(w);
    let nextW: tf.Tensor;
    let cache: tf.Tensor;
    // BEGIN SOLUTION: implement the RMSprop update formula: the new cache is
    // decayRate·c + (1 − decayRate)·dw², and the new weights are
    // w − learningRate·dw / (√cache + epsilon). Store them in `cache` and `nextW`.
    cache = c.mul(decayRate).add(dw.square().mul(1 - decayRate));
    nextW = w.sub(dw.mul(learningRate).div(cache.sqrt().add(epsilon)));
    // END SOLUTION
    return [nextW, cache];
  });
  return [nextW, { ...config, learningRate, decayRate, epsilon, cache }];
}

/**
 * Uses the Adam update rule, which incorporates moving averages of both the gradient and its
 * square and a bias correction term.
 *
 * config format:
 * - learningRate: Scalar learning rate (default 1e-3).
 * - beta1: Decay rate for moving average of first moment of gradient (default 0.9).
 * - beta2: Decay rate for moving average of second moment of gradient (default 0.999).
 * - epsilon: Small scalar used for smoothing to avoid dividing by zero (default 1e-8).
 * - m: Moving average of gradient (zeros when absent).
 * - v: Moving average of squared gradient (zeros when absent).
 * - t: Iteration number (default 0). It is incremented BEFORE the bias correction, so the first
 *   step uses t = 1.
 */
export function adam(w: tf.Tensor, dw: tf.Tensor, config: OptimConfig = {}): [tf.Tensor, OptimConfig] {
  checkShapes('adam', w, dw);
  const learningRate = config.learningRate ?? 1e-3;
  const beta1 = config.beta1 ?? 0.9;
  const beta2 = config.beta2 ?? 0.999;
  const epsilon = config.epsilon ?? 1e-8;
  let t = config.t ?? 0;
  const [nextW, m, v] = tf.tidy(() => {
    const m0 = config.m ?? tf.zerosLike(w);
    const v0 = config.v ?? tf.zerosLike(w);
    let nextW: tf.Tensor;
    let m: tf.Tensor;
    let v: tf.Tensor;
    // BEGIN SOLUTION: implement the Adam update formula. First increment t (t = t + 1). Then
    // m = beta1·m0 + (1 − beta1)·dw and v = beta2·v0 + (1 − beta2)·dw²; the bias-corrected
    // mt = m / (1 − beta1^t) and vt = v / (1 − beta2^t); the new weights are
    // w − learningRate·mt / (√vt + epsilon). Store them in `m`, `v` and `nextW`.
    t += 1;
    m = m0.mul(beta1).add(dw.mul(1 - beta1));
    v = v0.mul(beta2).add(dw.square().mul(1 - beta2));
    const mt = m.div(1 - beta1 ** t);
    const vt = v.div(1 - beta2 ** t);
    nextW = w.sub(mt.mul(learningRate).div(vt.sqrt().add(epsilon)));
    // END SOLUTION
    return [nextW, m, v];
  });
  return [nextW, { ...config, learningRate, beta1, beta2, epsilon, m, v, t }];
}

/** The update rules by name, as the Solver's `updateRule` option spells them. */
export const UPDATE_RULES: Record<'sgd' | 'sgdMomentum' | 'rmsprop' | 'adam', UpdateRule> = {
  sgd,
  sgdMomentum,
  rmsprop,
  adam,
};
