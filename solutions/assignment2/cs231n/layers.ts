/**
 * The layers of assignment 2: every forward function returns `[out, cache]`, every backward
 * function takes `(dout, cache)` and returns the gradients with respect to the forward inputs.
 * Tensors are float32 `tf.Tensor`s; labels are int32. Losses return `[loss: number, dx]`.
 *
 * A cache holds the tensors the backward pass needs (the forward inputs among them). Nothing here
 * disposes its inputs: call the layers inside `tf.tidy` (the nets and the Solver do) or dispose
 * the outputs and caches yourself.
 */
import { tf, RandomGenerator, globalGenerator } from 'ts231n';

/** What affineForward keeps for affineBackward: its inputs. */
export interface AffineCache {
  x: tf.Tensor;
  w: tf.Tensor;
  b: tf.Tensor;
}

/** What reluForward keeps for reluBackward: its input x. */
export type ReluCache = tf.Tensor;

/** Batch normalization settings and running statistics, updated in place by batchnormForward. */
export interface BnParam {
  /** 'train' normalizes with the minibatch's statistics, 'test' with the running ones. */
  mode: 'train' | 'test';
  /** Constant for numeric stability. Default 1e-5. */
  eps?: number;
  /** Constant for the running mean / variance. Default 0.9. */
  momentum?: number;
  /**
   * Array of shape (D,) giving the running mean of the features (zeros when absent). The BnParam
   * owns it: batchnormForward disposes the tensor it replaces.
   */
  runningMean?: tf.Tensor;
  /** Array of shape (D,) giving the running variance of the features (zeros when absent); owned likewise. */
  runningVar?: tf.Tensor;
}

/** What batchnormForward keeps for the backward passes (train mode). */
export type BatchnormCache = {
  /** Normalized input (x − μ) / √(σ² + eps), shape (N, D). */
  xhat: tf.Tensor;
  /** Centered input x − μ, shape (N, D). */
  xmu: tf.Tensor;
  /** √(σ² + eps), shape (D,). */
  std: tf.Tensor;
  /** Scale parameter, shape (D,). */
  gamma: tf.Tensor;
};

/** Dropout settings. */
export interface DropoutParam {
  /**
   * The probability of KEEPING each unit (the lecture notes' convention; some years' starter
   * code used p as the probability of dropping one). 0 < p ≤ 1; p = 1 keeps every unit.
   */
  p: number;
  /** 'train' drops units, 'test' is the identity. */
  mode: 'train' | 'test';
  /**
   * Seed of the mask's own random generator: the same seed gives the same mask (for gradient
   * checks), and the global random stream is left untouched. Without it the mask is drawn from
   * the global stream.
   */
  seed?: number;
}

/** What dropoutForward keeps for dropoutBackward. */
export interface DropoutCache {
  /** Train mode: the scaled mask (0 or 1/p, same shape as x). Test mode: null. */
  mask: tf.Tensor | null;
  mode: 'train' | 'test';
}

function assertMode(fn: string, mode: unknown): asserts mode is 'train' | 'test' {
  if (mode !== 'train' && mode !== 'test')
    throw new Error(`${fn}: mode must be 'train' or 'test', got ${JSON.stringify(mode)}`);
}

/**
 * Computes the forward pass for an affine (fully-connected) layer.
 *
 * The input x has shape (N, d_1, ..., d_k) and contains a minibatch of N examples, where each
 * example x[i] has shape (d_1, ..., d_k). We will reshape each input into a vector of dimension
 * D = d_1 * ... * d_k, and then transform it to an output vector of dimension M.
 *
 * Inputs:
 * - x: A tensor containing input data, of shape (N, d_1, ..., d_k)
 * - w: A tensor of weights, of shape (D, M)
 * - b: A tensor of biases, of shape (M,)
 *
 * Returns a tuple of:
 * - out: output, of shape (N, M)
 * - cache: { x, w, b }
 */
export function affineForward(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): [tf.Tensor2D, AffineCache] {
  const N = x.shape[0];
  const D = N > 0 ? x.size / N : 0;
  if (x.rank < 2 || w.rank !== 2 || D !== w.shape[0] || b.rank !== 1 || b.shape[0] !== w.shape[1]) {
    throw new Error(
      `affineForward: x (N, d_1, ..., d_k) with d_1·…·d_k = D, w (D, M) and b (M,) expected, got x [${x.shape}], w [${w.shape}], b [${b.shape}]`,
    );
  }
  const out = tf.tidy(() => {
    let out: tf.Tensor2D;
    // BEGIN SOLUTION: implement the affine forward pass. Reshape x into rows of D = w.shape[0]
    // numbers (x.reshape([N, -1])), multiply by w and add b (it broadcasts over the rows); store
    // the (N, M) result in `out`.
    out = tf.matMul(x.reshape([N, -1]) as tf.Tensor2D, w as tf.Tensor2D).add(b) as tf.Tensor2D;
    // END SOLUTION
    return out;
  });
  return [out, { x, w, b }];
}

/**
 * Computes the backward pass for an affine layer.
 *
 * Inputs:
 * - dout: Upstream derivative, of shape (N, M)
 * - cache: { x, w, b } from affineForward: x (N, d_1, ... d_k), w (D, M), b (M,)
 *
 * Returns a tuple of:
 * - dx: Gradient with respect to x, of shape (N, d1, ..., d_k)
 * - dw: Gradient with respect to w, of shape (D, M)
 * - db: Gradient with respect to b, of shape (M,)
 */
export function affineBackward(dout: tf.Tensor, cache: AffineCache): [tf.Tensor, tf.Tensor2D, tf.Tensor1D] {
  const { x, w } = cache;
  if (dout.rank !== 2 || dout.shape[0] !== x.shape[0] || dout.shape[1] !== w.shape[1]) {
    throw new Error(`affineBackward: dout must have shape [${x.shape[0]}, ${w.shape[1]}], got [${dout.shape}]`);
  }
  return tf.tidy(() => {
    let dx: tf.Tensor;
    let dw: tf.Tensor2D;
    let db: tf.Tensor1D;
    // BEGIN SOLUTION: implement the affine backward pass: dx = dout·wᵀ reshaped to x's shape,
    // dw = x_rowsᵀ·dout where x_rows is x reshaped to (N, D), and db = the sum of dout over the
    // rows.
    const N = x.shape[0];
    dx = tf.matMul(dout as tf.Tensor2D, w as tf.Tensor2D, false, true).reshape(x.shape);
    dw = tf.matMul(x.reshape([N, -1]) as tf.Tensor2D, dout as tf.Tensor2D, true, false);
    db = dout.sum(0) as tf.Tensor1D;
    // END SOLUTION
    return [dx, dw, db] as [tf.Tensor, tf.Tensor2D, tf.Tensor1D];
  });
}

/**
 * Computes the forward pass for a layer of rectified linear units (ReLUs).
 *
 * Input:
 * - x: Inputs, of any shape
 *
 * Returns a tuple of:
 * - out: Output, of the same shape as x
 * - cache: x
 */
export function reluForward(x: tf.Tensor): [tf.Tensor, ReluCache] {
  const out = tf.tidy(() => {
    let out: tf.Tensor;
    // BEGIN SOLUTION: implement the ReLU forward pass: out = max(0, x) elementwise.
    out = tf.relu(x);
    // END SOLUTION
    return out;
  });
  return [out, x];
}

/**
 * Computes the backward pass for a layer of rectified linear units (ReLUs).
 *
 * Input:
 * - dout: Upstream derivatives, of any shape
 * - cache: Input x, of same shape as dout
 *
 * Returns:
 * - dx: Gradient with respect to x
 */
export function reluBackward(dout: tf.Tensor, cache: ReluCache): tf.Tensor {
  const x = cache;
  if (!sameShape(dout, x))
    throw new Error(`reluBackward: dout must have the shape of x [${x.shape}], got [${dout.shape}]`);
  return tf.tidy(() => {
    let dx: tf.Tensor;
    // BEGIN SOLUTION: implement the ReLU backward pass: dx = dout where x > 0 and 0 elsewhere
    // (the gradient at exactly 0 is taken as 0).
    dx = dout.mul(x.greater(0).cast('float32'));
    // END SOLUTION
    return dx;
  });
}

/**
 * Computes the loss and gradient using for multiclass SVM classification.
 *
 * Inputs:
 * - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class for the ith input.
 * - y: int32 vector of labels, of shape (N,) where y[i] is the label for x[i] and 0 <= y[i] < C
 *
 * Returns a tuple of:
 * - loss: Scalar giving the loss (a JS number)
 * - dx: Gradient of the loss with respect to x
 */
export function svmLoss(x: tf.Tensor, y: tf.Tensor): [number, tf.Tensor2D] {
  checkScoresAndLabels('svmLoss', x, y);
  const N = x.shape[0];
  const C = x.shape[1] as number;
  let loss = 0;
  const dx = tf.tidy(() => {
    // 1 at the correct class of each row, 0 elsewhere.
    const oneHot = tf.oneHot(y.cast('int32') as tf.Tensor1D, C).cast('float32');
    let dx: tf.Tensor2D;
    // BEGIN SOLUTION: compute the multiclass SVM loss with margin 1, averaged over the N rows:
    // margins = max(0, x − x_correct + 1) for every wrong class (the correct class contributes 0;
    // `oneHot` marks it). Store the loss as a JS number in `loss` (.dataSync()[0]) and its
    // gradient with respect to x in `dx` (N, C): 1/N for each positive margin, and minus (number
    // of positive margins)/N at the correct class.
    const correct = x.mul(oneHot).sum(1, true);
    const margins = x.sub(correct).add(1).relu().mul(oneHot.neg().add(1));
    loss = margins.sum().div(N).dataSync()[0];
    const positive = margins.greater(0).cast('float32');
    dx = positive.sub(oneHot.mul(positive.sum(1, true))).div(N) as tf.Tensor2D;
    // END SOLUTION
    return dx;
  });
  return [loss, dx];
}

/**
 * Computes the loss and gradient for softmax classification.
 *
 * Inputs:
 * - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class for the ith input.
 * - y: int32 vector of labels, of shape (N,) where y[i] is the label for x[i] and 0 <= y[i] < C
 *
 * Returns a tuple of:
 * - loss: Scalar giving the loss (a JS number)
 * - dx: Gradient of the loss with respect to x
 */
export function softmaxLoss(x: tf.Tensor, y: tf.Tensor): [number, tf.Tensor2D] {
  checkScoresAndLabels('softmaxLoss', x, y);
  const N = x.shape[0];
  const C = x.shape[1] as number;
  let loss = 0;
  const dx = tf.tidy(() => {
    const oneHot = tf.oneHot(y.cast('int32') as tf.Tensor1D, C).cast('float32');
    let dx: tf.Tensor2D;
    // BEGIN SOLUTION: compute the softmax loss −log(softmax(x)_correct) averaged over the N rows
    // (shift each row by its max before exponentiating, for numerical stability; `oneHot` marks
    // the correct classes) and store it as a JS number in `loss` (.dataSync()[0]). Store its
    // gradient with respect to x in `dx` (N, C): (softmax probabilities − oneHot) / N.
    const shifted = x.sub(x.max(1, true));
    const logProbs = shifted.sub(shifted.exp().sum(1, true).log());
    loss = logProbs.mul(oneHot).sum().neg().div(N).dataSync()[0];
    dx = logProbs.exp().sub(oneHot).div(N) as tf.Tensor2D;
    // END SOLUTION
    return dx;
  });
  return [loss, dx];
}

/**
 * Forward pass for batch normalization.
 *
 * During training the sample mean and (uncorrected, biased) sample variance are computed from
 * minibatch statistics and used to normalize the incoming data. During training we also keep an
 * exponentially decaying running mean of the mean and variance of each feature, and these
 * averages are used to normalize data at test-time. At each timestep we update the running
 * averages for mean and variance using an exponential decay based on the momentum parameter:
 *
 *   runningMean = momentum * runningMean + (1 - momentum) * sampleMean
 *   runningVar = momentum * runningVar + (1 - momentum) * sampleVar
 *
 * (The original paper estimates the test-time statistics with a large number of training
 * images instead; the running averages need no extra pass over the data.)
 *
 * Input:
 * - x: Data of shape (N, D)
 * - gamma: Scale parameter of shape (D,)
 * - beta: Shift parameter of shape (D,)
 * - bnParam: BnParam with the keys:
 *   - mode: 'train' or 'test'; required
 *   - eps: Constant for numeric stability (default 1e-5)
 *   - momentum: Constant for running mean / variance (default 0.9)
 *   - runningMean: tensor of shape (D,) giving running mean of features (zeros when absent)
 *   - runningVar: tensor of shape (D,) giving running variance of features (zeros when absent)
 *   runningMean and runningVar are set in place (new tensors; the replaced ones are disposed).
 *
 * Returns a tuple of:
 * - out: of shape (N, D)
 * - cache: what the backward pass needs (train mode); null in test mode
 */
export function batchnormForward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  bnParam: BnParam,
): [tf.Tensor2D, BatchnormCache | null] {
  assertMode('batchnormForward', bnParam?.mode);
  const D = x.shape[1] as number;
  if (x.rank !== 2 || !shapeIs(gamma, [D]) || !shapeIs(beta, [D])) {
    throw new Error(
      `batchnormForward: x (N, D), gamma (D,) and beta (D,) expected, got x [${x.shape}], gamma [${gamma.shape}], beta [${beta.shape}]`,
    );
  }
  const { mode } = bnParam;
  const eps = bnParam.eps ?? 1e-5;
  const momentum = bnParam.momentum ?? 0.9;
  for (const key of ['runningMean', 'runningVar'] as const) {
    const r = bnParam[key];
    if (r === undefined) bnParam[key] = tf.keep(tf.zeros([D]));
    else if (!shapeIs(r, [D]))
      throw new Error(`batchnormForward: bnParam.${key} must have shape [${D}], got [${r.shape}]`);
  }
  const runningMean = bnParam.runningMean as tf.Tensor;
  const runningVar = bnParam.runningVar as tf.Tensor;

  if (mode === 'test') {
    const out = tf.tidy(() => {
      let out: tf.Tensor2D;
      // BEGIN SOLUTION: implement the test-time forward pass: normalize x with the running mean
      // and variance, (x − runningMean) / √(runningVar + eps), then scale by gamma and shift by
      // beta. Store the result in `out`.
      out = x.sub(runningMean).div(runningVar.add(eps).sqrt()).mul(gamma).add(beta) as tf.Tensor2D;
      // END SOLUTION
      return out;
    });
    return [out, null];
  }

  const result = tf.tidy(() => {
    let out: tf.Tensor2D;
    let cache: BatchnormCache;
    let nextMean: tf.Tensor;
    let nextVar: tf.Tensor;
    // BEGIN SOLUTION: implement the training-time forward pass. Compute the minibatch mean μ and
    // the (biased, divide by N) variance σ² of every feature (over axis 0), normalize
    // xhat = (x − μ) / √(σ² + eps), and store gamma·xhat + beta in `out`. Store in `cache` what
    // the backward passes need: { xhat, xmu: x − μ, std: √(σ² + eps), gamma }. Store the updated
    // running averages momentum·running + (1 − momentum)·batch in `nextMean` and `nextVar`
    // (new tensors; `runningMean`, `runningVar` hold the current ones).
    const mu = x.mean(0);
    const xmu = x.sub(mu);
    const variance = xmu.square().mean(0);
    const std = variance.add(eps).sqrt();
    const xhat = xmu.div(std);
    out = xhat.mul(gamma).add(beta) as tf.Tensor2D;
    cache = { xhat, xmu, std, gamma };
    nextMean = runningMean.mul(momentum).add(mu.mul(1 - momentum));
    nextVar = runningVar.mul(momentum).add(variance.mul(1 - momentum));
    // END SOLUTION
    return { out, cache, nextMean, nextVar };
  }) as { out: tf.Tensor2D; cache: BatchnormCache; nextMean: tf.Tensor; nextVar: tf.Tensor };
  replaceRunning(bnParam, 'runningMean', result.nextMean);
  replaceRunning(bnParam, 'runningVar', result.nextVar);
  return [result.out, result.cache];
}

/** Store a new running statistic (kept beyond any enclosing tidy) and free the one it replaces. */
function replaceRunning(bnParam: BnParam, key: 'runningMean' | 'runningVar', next: tf.Tensor): void {
  const old = bnParam[key];
  bnParam[key] = tf.keep(next);
  if (old && old !== next && !old.isDisposed) old.dispose();
}

function trainCache(fn: string, dout: tf.Tensor, cache: BatchnormCache | null): BatchnormCache {
  if (cache === null)
    throw new Error(
      `${fn}: the cache is null because batchnormForward ran in test mode; run it in train mode to backpropagate`,
    );
  if (!sameShape(dout, cache.xhat))
    throw new Error(`${fn}: dout must have the shape of x [${cache.xhat.shape}], got [${dout.shape}]`);
  return cache;
}

/**
 * Backward pass for batch normalization, through its computation graph: draw the forward pass
 * as a graph of simple steps (mean, centering, variance, square root, division, scale, shift)
 * and backpropagate through each of them.
 *
 * Inputs:
 * - dout: Upstream derivatives, of shape (N, D)
 * - cache: Variable of intermediates from batchnormForward (train mode).
 *
 * Returns a tuple of:
 * - dx: Gradient with respect to inputs x, of shape (N, D)
 * - dgamma: Gradient with respect to scale parameter gamma, of shape (D,)
 * - dbeta: Gradient with respect to shift parameter beta, of shape (D,)
 */
export function batchnormBackward(
  dout: tf.Tensor,
  cache: BatchnormCache | null,
): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  const { xhat, xmu, std, gamma } = trainCache('batchnormBackward', dout, cache);
  const N = xhat.shape[0];
  return tf.tidy(() => {
    let dx: tf.Tensor2D;
    let dgamma: tf.Tensor1D;
    let dbeta: tf.Tensor1D;
    // BEGIN SOLUTION: backpropagate through the graph step by step: dbeta = Σ_rows dout,
    // dgamma = Σ_rows dout·xhat; dxhat = dout·gamma; through xhat = xmu / std (both xmu and std
    // receive gradient); std = √(var + eps) so dvar = dstd / (2·std); var = mean of xmu² so xmu
    // receives 2·xmu·dvar / N more; xmu = x − μ so dx = dxmu − (Σ_rows dxmu) / N.
    dbeta = dout.sum(0) as tf.Tensor1D;
    dgamma = dout.mul(xhat).sum(0) as tf.Tensor1D;
    const dxhat = dout.mul(gamma);
    const dstd = dxhat.mul(xmu).sum(0).neg().div(std.square());
    const dvar = dstd.div(std.mul(2));
    const dxmu = dxhat.div(std).add(xmu.mul(dvar).mul(2 / N));
    dx = dxmu.sub(dxmu.sum(0).div(N)) as tf.Tensor2D;
    // END SOLUTION
    return [dx, dgamma, dbeta] as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
  });
}

/**
 * Alternative backward pass for batch normalization: the gradient with respect to x worked out
 * on paper and simplified to one expression, without the intermediate steps of the graph. Should
 * give the same result as batchnormBackward, faster.
 *
 * Inputs / outputs: same as batchnormBackward.
 */
export function batchnormBackwardAlt(
  dout: tf.Tensor,
  cache: BatchnormCache | null,
): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  const { xhat, std, gamma } = trainCache('batchnormBackwardAlt', dout, cache);
  const N = xhat.shape[0];
  return tf.tidy(() => {
    let dx: tf.Tensor2D;
    let dgamma: tf.Tensor1D;
    let dbeta: tf.Tensor1D;
    // BEGIN SOLUTION: compute dbeta = Σ_rows dout and dgamma = Σ_rows dout·xhat as before, and dx
    // in one expression: dx = gamma / (N·std) · (N·dout − dbeta − xhat·dgamma).
    dbeta = dout.sum(0) as tf.Tensor1D;
    dgamma = dout.mul(xhat).sum(0) as tf.Tensor1D;
    dx = gamma.div(std.mul(N)).mul(dout.mul(N).sub(dbeta).sub(xhat.mul(dgamma))) as tf.Tensor2D;
    // END SOLUTION
    return [dx, dgamma, dbeta] as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
  });
}

/**
 * Performs the forward pass for (inverted) dropout.
 *
 * Inputs:
 * - x: Input data, of any shape
 * - dropoutParam: { p, mode, seed? }:
 *   - p: the probability of keeping each unit (0 < p ≤ 1).
 *   - mode: 'test' or 'train'. If the mode is train, then perform dropout; if the mode is test,
 *     then just return the input (a copy).
 *   - seed: Seed for the mask's own random generator. Passing seed makes this function
 *     deterministic, which is needed for gradient checking but not in real networks.
 *
 * The mask keeps unit i when u_i < p, where u = rand(x.shape) is drawn from the seeded generator
 * (or the global stream), and scales the kept units by 1/p so that the expected output equals x
 * and test time needs no scaling.
 *
 * Outputs:
 * - out: Tensor of the same shape as x.
 * - cache: { mask, mode }. In training mode, mask is the scaled dropout mask used to multiply the
 *   input; in test mode, mask is null.
 */
export function dropoutForward(x: tf.Tensor, dropoutParam: DropoutParam): [tf.Tensor, DropoutCache] {
  const { p, mode, seed } = dropoutParam ?? {};
  assertMode('dropoutForward', mode);
  if (typeof p !== 'number' || !(p > 0 && p <= 1))
    throw new Error(`dropoutForward: p is the probability of keeping a unit and must be in (0, 1], got ${p}`);
  if (mode === 'test') return [x.clone(), { mask: null, mode }];
  const gen = seed === undefined ? globalGenerator() : new RandomGenerator(seed);
  const [out, mask] = tf.tidy(() => {
    let mask: tf.Tensor;
    let out: tf.Tensor;
    // BEGIN SOLUTION: implement the training-phase forward pass for inverted dropout. Draw
    // u = gen.rand(x.shape) (uniform in [0, 1)), keep unit i where u_i < p, and store the mask
    // (1/p where kept, 0 where dropped; float32, x's shape) in `mask` and x·mask in `out`.
    mask = gen.rand(x.shape).less(p).cast('float32').div(p);
    out = x.mul(mask);
    // END SOLUTION
    return [out, mask];
  });
  return [out, { mask, mode }];
}

/**
 * Perform the backward pass for (inverted) dropout.
 *
 * Inputs:
 * - dout: Upstream derivatives, of any shape
 * - cache: { mask, mode } from dropoutForward.
 *
 * Returns:
 * - dx: Gradient with respect to x, of dout's shape
 */
export function dropoutBackward(dout: tf.Tensor, cache: DropoutCache): tf.Tensor {
  assertMode('dropoutBackward', cache?.mode);
  if (cache.mode === 'test' || cache.mask === null) return dout.clone();
  const mask = cache.mask;
  if (!sameShape(dout, mask))
    throw new Error(`dropoutBackward: dout must have the shape of x [${mask.shape}], got [${dout.shape}]`);
  return tf.tidy(() => {
    let dx: tf.Tensor;
    // BEGIN SOLUTION: implement the training-phase backward pass for inverted dropout: the
    // gradient flows only through the kept units, scaled like them: dx = dout·mask.
    dx = dout.mul(mask);
    // END SOLUTION
    return dx;
  });
}

function sameShape(a: tf.Tensor, b: tf.Tensor): boolean {
  return shapeIs(a, b.shape);
}

function shapeIs(t: tf.Tensor, shape: number[]): boolean {
  return t.rank === shape.length && t.shape.every((d, i) => d === shape[i]);
}

function checkScoresAndLabels(fn: string, x: tf.Tensor, y: tf.Tensor): void {
  if (x.rank !== 2 || y.rank !== 1 || y.shape[0] !== x.shape[0]) {
    throw new Error(`${fn}: x must have shape (N, C) and y shape (N,), got x [${x.shape}], y [${y.shape}]`);
  }
  if (x.shape[0] === 0)
    throw new Error(`${fn}: the minibatch is empty (N = 0); the loss is an average over at least one example`);
}

// ---- Convolutional layers --------------------------------------------------------------------
// Naive versions: explicit loops over the tensors' typed arrays, the way the course asks you to
// write them first (slow on purpose; fastLayers.ts computes the same functions with the tensor
// core's native ops). Images are (N, C, H, W) and filters (F, C, HH, WW), as in the course.

/** Convolution settings: the same stride and zero padding on both spatial axes. */
export interface ConvParam {
  /** The number of pixels between adjacent receptive fields, horizontally and vertically (≥ 1). */
  stride: number;
  /** The number of pixels of zeros added on every side of the input (≥ 0). */
  pad: number;
}

/** What a conv forward pass keeps for its backward pass: its inputs. */
export interface ConvCache {
  x: tf.Tensor4D;
  w: tf.Tensor4D;
  b: tf.Tensor1D;
  convParam: ConvParam;
}

/** Max-pooling settings. */
export interface PoolParam {
  /** The height of each pooling region. */
  poolHeight: number;
  /** The width of each pooling region. */
  poolWidth: number;
  /** The distance between adjacent pooling regions. */
  stride: number;
}

/** What a max-pool forward pass keeps for its backward pass: its inputs. */
export interface PoolCache {
  x: tf.Tensor4D;
  poolParam: PoolParam;
}

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

/**
 * The output size of a sliding window along one axis, `1 + (size + 2·pad − field) / stride`;
 * throws when the windows do not tile the padded input exactly.
 */
function slidingOutputSize(fn: string, axis: string, size: number, field: number, pad: number, stride: number): number {
  const span = size + 2 * pad - field;
  if (span < 0) {
    throw new Error(
      `${fn}: the ${axis} window (${field}) is larger than the padded input (${size} + 2·${pad} = ${size + 2 * pad}); use a smaller window or more padding`,
    );
  }
  if (span % stride !== 0) {
    throw new Error(
      `${fn}: 1 + (${axis} ${size} + 2·pad ${pad} − window ${field}) / stride ${stride} = ${1 + span / stride} is not an integer; choose pad or stride so that the windows tile the input`,
    );
  }
  return 1 + span / stride;
}

/**
 * Checks the shapes and settings of a convolution and returns the output shape (N, F, H', W') with
 * H' = 1 + (H + 2·pad − HH) / stride and W' = 1 + (W + 2·pad − WW) / stride. Throws a one-line
 * error naming the problem when they do not fit (including a non-integer H' or W').
 */
export function convOutputShape(
  fn: string,
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  convParam: ConvParam,
): [number, number, number, number] {
  if (x.rank !== 4 || w.rank !== 4 || b.rank !== 1 || w.shape[1] !== x.shape[1] || b.shape[0] !== w.shape[0]) {
    throw new Error(
      `${fn}: x (N, C, H, W), w (F, C, HH, WW) and b (F,) expected, got x [${x.shape}], w [${w.shape}], b [${b.shape}]`,
    );
  }
  const { stride, pad } = convParam ?? ({} as Partial<ConvParam>);
  if (!isInt(stride, 1) || !isInt(pad, 0)) {
    throw new Error(
      `${fn}: convParam must be { stride: integer ≥ 1, pad: integer ≥ 0 }, got ${JSON.stringify(convParam)}`,
    );
  }
  const [N, , H, W] = x.shape;
  const [F, , HH, WW] = w.shape;
  return [
    N,
    F,
    slidingOutputSize(fn, 'height', H, HH, pad, stride),
    slidingOutputSize(fn, 'width', W, WW, pad, stride),
  ];
}

/**
 * Checks the shapes and settings of a max pool and returns the output shape (N, C, H', W') with
 * H' = 1 + (H − poolHeight) / stride and W' = 1 + (W − poolWidth) / stride (no padding).
 */
export function poolOutputShape(fn: string, x: tf.Tensor, poolParam: PoolParam): [number, number, number, number] {
  if (x.rank !== 4) throw new Error(`${fn}: x must have shape (N, C, H, W), got [${x.shape}]`);
  const { poolHeight, poolWidth, stride } = poolParam ?? ({} as Partial<PoolParam>);
  if (!isInt(poolHeight, 1) || !isInt(poolWidth, 1) || !isInt(stride, 1)) {
    throw new Error(
      `${fn}: poolParam must be { poolHeight, poolWidth, stride }, integers ≥ 1, got ${JSON.stringify(poolParam)}`,
    );
  }
  const [N, C, H, W] = x.shape;
  return [
    N,
    C,
    slidingOutputSize(fn, 'height', H, poolHeight, 0, stride),
    slidingOutputSize(fn, 'width', W, poolWidth, 0, stride),
  ];
}

/**
 * A naive implementation of the forward pass for a convolutional layer.
 *
 * The input consists of N data points, each with C channels, height H and width W. We convolve
 * each input with F different filters, where each filter spans all C channels and has height HH
 * and width WW.
 *
 * Input:
 * - x: Input data of shape (N, C, H, W)
 * - w: Filter weights of shape (F, C, HH, WW)
 * - b: Biases, of shape (F,)
 * - convParam: { stride, pad }:
 *   - stride: The number of pixels between adjacent receptive fields in the horizontal and
 *     vertical directions.
 *   - pad: The number of pixels that will be used to zero-pad the input. During padding, `pad`
 *     zeros are placed symmetrically (i.e. equally on both sides) along the height and width
 *     axes of the input. Be careful not to modify the original input x directly.
 *
 * Returns a tuple of:
 * - out: Output data, of shape (N, F, H', W') where H' and W' are given by
 *   H' = 1 + (H + 2 * pad - HH) / stride
 *   W' = 1 + (W + 2 * pad - WW) / stride
 * - cache: { x, w, b, convParam }
 */
export function convForwardNaive(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  convParam: ConvParam,
): [tf.Tensor4D, ConvCache] {
  const outShape = convOutputShape('convForwardNaive', x, w, b, convParam);
  const [N, F, Hout, Wout] = outShape;
  const [, C, H, W] = x.shape;
  const [, , HH, WW] = w.shape;
  const { stride, pad } = convParam;
  const xd = x.dataSync() as Float32Array;
  const wd = w.dataSync() as Float32Array;
  const bd = b.dataSync() as Float32Array;
  const out = new Float32Array(N * F * Hout * Wout);
  // BEGIN SOLUTION: implement the convolutional forward pass with explicit loops. xd, wd and bd
  // hold x, w and b in row-major order (x[n, c, h, w] is xd[((n·C + c)·H + h)·W + w]); write
  // out[n, f, i, j] = b[f] + Σ_{c, kh, kw} w[f, c, kh, kw] · xpad[n, c, i·stride + kh, j·stride + kw]
  // into `out` (row-major, shape (N, F, Hout, Wout)), where xpad is x with `pad` zeros on every
  // side: skip the positions that fall in the padding (or build a padded copy of xd).
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Hout; i++) {
        for (let j = 0; j < Wout; j++) {
          let s = bd[f];
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < HH; kh++) {
              const h = i * stride - pad + kh;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * HH + kh) * WW;
              for (let kw = 0; kw < WW; kw++) {
                const col = j * stride - pad + kw;
                if (col < 0 || col >= W) continue;
                s += wd[wRow + kw] * xd[xRow + col];
              }
            }
          }
          out[((n * F + f) * Hout + i) * Wout + j] = s;
        }
      }
    }
  }
  // END SOLUTION
  return [tf.tensor4d(out, outShape), { x: x as tf.Tensor4D, w: w as tf.Tensor4D, b: b as tf.Tensor1D, convParam }];
}

/**
 * A naive implementation of the backward pass for a convolutional layer.
 *
 * Inputs:
 * - dout: Upstream derivatives, of shape (N, F, H', W')
 * - cache: { x, w, b, convParam } as in convForwardNaive
 *
 * Returns a tuple of:
 * - dx: Gradient with respect to x, of shape (N, C, H, W)
 * - dw: Gradient with respect to w, of shape (F, C, HH, WW)
 * - db: Gradient with respect to b, of shape (F,)
 */
export function convBackwardNaive(dout: tf.Tensor, cache: ConvCache): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D] {
  const { x, w, b, convParam } = cache;
  const outShape = convOutputShape('convBackwardNaive', x, w, b, convParam);
  checkDout('convBackwardNaive', dout, outShape);
  const [N, F, Hout, Wout] = outShape;
  const [, C, H, W] = x.shape;
  const [, , HH, WW] = w.shape;
  const { stride, pad } = convParam;
  const xd = x.dataSync() as Float32Array;
  const wd = w.dataSync() as Float32Array;
  const dd = dout.dataSync() as Float32Array;
  // Sums accumulate in float64 and are rounded to float32 once at the end.
  const dx = new Float64Array(x.size);
  const dw = new Float64Array(w.size);
  const db = new Float64Array(F);
  // BEGIN SOLUTION: implement the convolutional backward pass with explicit loops. Every output
  // out[n, f, i, j] = b[f] + Σ w[f, c, kh, kw] · xpad[n, c, i·stride + kh, j·stride + kw], so with
  // g = dout[n, f, i, j] (dd, row-major like out): db[f] += g; dw[f, c, kh, kw] += g · xpad[…];
  // and dx[n, c, h, w] += g · w[f, c, kh, kw] for every (h, w) inside x (the padding gets no
  // gradient). Accumulate into the arrays dx, dw, db (row-major, the shapes of x, w and b).
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Hout; i++) {
        for (let j = 0; j < Wout; j++) {
          const g = dd[((n * F + f) * Hout + i) * Wout + j];
          db[f] += g;
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < HH; kh++) {
              const h = i * stride - pad + kh;
              if (h < 0 || h >= H) continue;
              const xRow = ((n * C + c) * H + h) * W;
              const wRow = ((f * C + c) * HH + kh) * WW;
              for (let kw = 0; kw < WW; kw++) {
                const col = j * stride - pad + kw;
                if (col < 0 || col >= W) continue;
                dw[wRow + kw] += g * xd[xRow + col];
                dx[xRow + col] += g * wd[wRow + kw];
              }
            }
          }
        }
      }
    }
  }
  // END SOLUTION
  return [
    tf.tensor4d(Float32Array.from(dx), x.shape as [number, number, number, number]),
    tf.tensor4d(Float32Array.from(dw), w.shape as [number, number, number, number]),
    tf.tensor1d(Float32Array.from(db)),
  ];
}

/**
 * A naive implementation of the forward pass for a max-pooling layer.
 *
 * Inputs:
 * - x: Input data, of shape (N, C, H, W)
 * - poolParam: { poolHeight, poolWidth, stride }:
 *   - poolHeight: The height of each pooling region
 *   - poolWidth: The width of each pooling region
 *   - stride: The distance between adjacent pooling regions
 *
 * No padding is necessary here. Output size is given by
 *   H' = 1 + (H - poolHeight) / stride
 *   W' = 1 + (W - poolWidth) / stride
 *
 * Returns a tuple of:
 * - out: Output data, of shape (N, C, H', W')
 * - cache: { x, poolParam }
 */
export function maxPoolForwardNaive(x: tf.Tensor, poolParam: PoolParam): [tf.Tensor4D, PoolCache] {
  const outShape = poolOutputShape('maxPoolForwardNaive', x, poolParam);
  const [N, C, Hout, Wout] = outShape;
  const [, , H, W] = x.shape;
  const { poolHeight, poolWidth, stride } = poolParam;
  const xd = x.dataSync() as Float32Array;
  const out = new Float32Array(N * C * Hout * Wout);
  // BEGIN SOLUTION: implement the max-pooling forward pass with explicit loops:
  // out[n, c, i, j] = the maximum of x[n, c, i·stride + ph, j·stride + pw] over 0 ≤ ph < poolHeight,
  // 0 ≤ pw < poolWidth. xd holds x row-major; write `out` row-major, shape (N, C, Hout, Wout).
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < Hout; i++) {
      for (let j = 0; j < Wout; j++) {
        let m = -Infinity;
        for (let ph = 0; ph < poolHeight; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < poolWidth; pw++) m = Math.max(m, xd[row + pw]);
        }
        out[(nc * Hout + i) * Wout + j] = m;
      }
    }
  }
  // END SOLUTION
  return [tf.tensor4d(out, outShape), { x: x as tf.Tensor4D, poolParam }];
}

/**
 * A naive implementation of the backward pass for a max-pooling layer.
 *
 * Inputs:
 * - dout: Upstream derivatives, of shape (N, C, H', W')
 * - cache: { x, poolParam } as in the forward pass.
 *
 * Returns:
 * - dx: Gradient with respect to x, of shape (N, C, H, W)
 */
export function maxPoolBackwardNaive(dout: tf.Tensor, cache: PoolCache): tf.Tensor4D {
  const { x, poolParam } = cache;
  const outShape = poolOutputShape('maxPoolBackwardNaive', x, poolParam);
  checkDout('maxPoolBackwardNaive', dout, outShape);
  const [N, C, Hout, Wout] = outShape;
  const [, , H, W] = x.shape;
  const { poolHeight, poolWidth, stride } = poolParam;
  const xd = x.dataSync() as Float32Array;
  const dd = dout.dataSync() as Float32Array;
  const dx = new Float64Array(x.size);
  // BEGIN SOLUTION: implement the max-pooling backward pass with explicit loops. Each window
  // passes its upstream gradient dout[n, c, i, j] to the position of its maximum and nothing to
  // the others; when several positions tie for the maximum, the first one in row-major window
  // order gets it (as numpy's argmax and the fast layer do). Windows may overlap, so add (+=)
  // into dx (row-major, the shape of x).
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let i = 0; i < Hout; i++) {
      for (let j = 0; j < Wout; j++) {
        let best = -Infinity;
        let at = -1;
        for (let ph = 0; ph < poolHeight; ph++) {
          const row = plane + (i * stride + ph) * W + j * stride;
          for (let pw = 0; pw < poolWidth; pw++) {
            if (at < 0 || xd[row + pw] > best) {
              best = xd[row + pw];
              at = row + pw;
            }
          }
        }
        dx[at] += dd[(nc * Hout + i) * Wout + j];
      }
    }
  }
  // END SOLUTION
  return tf.tensor4d(Float32Array.from(dx), x.shape as [number, number, number, number]);
}

/**
 * Computes the forward pass for spatial batch normalization.
 *
 * Inputs:
 * - x: Input data of shape (N, C, H, W)
 * - gamma: Scale parameter, of shape (C,)
 * - beta: Shift parameter, of shape (C,)
 * - bnParam: as for batchnormForward ({ mode, eps?, momentum?, runningMean?, runningVar? }, the
 *   running statistics of shape (C,), updated in place)
 *
 * Spatial batch normalization normalizes each channel with statistics taken over the N examples
 * and all H·W positions: a feature map should behave the same everywhere in the image.
 *
 * Returns a tuple of:
 * - out: Output data, of shape (N, C, H, W)
 * - cache: Values needed for the backward pass (batchnormForward's cache; null in test mode)
 */
export function spatialBatchnormForward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  bnParam: BnParam,
): [tf.Tensor4D, BatchnormCache | null] {
  if (x.rank !== 4) throw new Error(`spatialBatchnormForward: x must have shape (N, C, H, W), got [${x.shape}]`);
  // (tidy keeps every tensor inside the returned object; a null cache is allowed at run time.)
  type Result = { out: tf.Tensor4D; cache: BatchnormCache | null };
  const result = tf.tidy((): tf.TensorContainer => {
    let out: tf.Tensor4D;
    let cache: BatchnormCache | null;
    // BEGIN SOLUTION: implement the forward pass for spatial batch normalization by calling the
    // vanilla batchnormForward: move the channel axis last (x.transpose([0, 2, 3, 1])) and
    // reshape to (N·H·W, C) rows, normalize them, then reshape and transpose the result back to
    // (N, C, H, W). Store the result in `out` and batchnormForward's cache in `cache`.
    const [N, C, H, W] = x.shape;
    const rows = x.transpose([0, 2, 3, 1]).reshape([N * H * W, C]);
    const [bnOut, bnCache] = batchnormForward(rows, gamma, beta, bnParam);
    out = bnOut.reshape([N, H, W, C]).transpose([0, 3, 1, 2]) as tf.Tensor4D;
    cache = bnCache;
    // END SOLUTION
    return { out, cache } as unknown as tf.TensorContainer;
  }) as unknown as Result;
  return [result.out, result.cache];
}

/**
 * Computes the backward pass for spatial batch normalization.
 *
 * Inputs:
 * - dout: Upstream derivatives, of shape (N, C, H, W)
 * - cache: Values from the forward pass (train mode)
 *
 * Returns a tuple of:
 * - dx: Gradient with respect to inputs, of shape (N, C, H, W)
 * - dgamma: Gradient with respect to scale parameter, of shape (C,)
 * - dbeta: Gradient with respect to shift parameter, of shape (C,)
 */
export function spatialBatchnormBackward(
  dout: tf.Tensor,
  cache: BatchnormCache | null,
): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  if (dout.rank !== 4)
    throw new Error(`spatialBatchnormBackward: dout must have shape (N, C, H, W), got [${dout.shape}]`);
  return tf.tidy(() => {
    let dx: tf.Tensor4D;
    let dgamma: tf.Tensor1D;
    let dbeta: tf.Tensor1D;
    // BEGIN SOLUTION: implement the backward pass for spatial batch normalization by calling the
    // vanilla batchnormBackward on dout laid out as the forward pass laid out x ((N·H·W, C) rows,
    // channels last), then bring dx back to (N, C, H, W).
    const [N, C, H, W] = dout.shape;
    const rows = dout.transpose([0, 2, 3, 1]).reshape([N * H * W, C]);
    const [dxRows, dg, dbt] = batchnormBackward(rows, cache);
    dx = dxRows.reshape([N, H, W, C]).transpose([0, 3, 1, 2]) as tf.Tensor4D;
    dgamma = dg;
    dbeta = dbt;
    // END SOLUTION
    return [dx, dgamma, dbeta] as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
  });
}

function checkDout(fn: string, dout: tf.Tensor, shape: number[]): void {
  if (dout.rank !== shape.length || dout.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${fn}: dout must have the forward output's shape [${shape}], got [${dout.shape}]`);
  }
}
