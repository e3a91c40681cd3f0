/**
 * A three-layer convolutional network built from the modular layers, trained with the Solver
 * like the fully-connected nets (same `params`, `reg` and `loss(X, y?)`).
 */
import { tf, randn } from 'ts231n';
import { affineBackward, affineForward, AffineCache, softmaxLoss } from '../layers';
import {
  affineReluBackward,
  affineReluForward,
  AffineReluCache,
  convReluPoolBackward,
  convReluPoolForward,
  ConvReluPoolCache,
} from '../layerUtils';
import type { ConvParam, PoolParam } from '../layers';
import type { Params } from './fcNet';

/** Options of ThreeLayerConvNet; the defaults are the original's. */
export interface ThreeLayerConvNetOptions {
  /** [C, H, W] giving the size of the input data (default [3, 32, 32]); H and W must be even. */
  inputDim?: [number, number, number];
  /** Number of filters to use in the convolutional layer (default 32). */
  numFilters?: number;
  /** Width and height of the filters, an odd number (default 7). */
  filterSize?: number;
  /** Number of units to use in the fully-connected hidden layer (default 100). */
  hiddenDim?: number;
  /** Number of scores to produce from the final affine layer (default 10). */
  numClasses?: number;
  /** Scalar giving the standard deviation for random initialization of the weights (default 1e-3). */
  weightScale?: number;
  /** Scalar giving L2 regularization strength (default 0). */
  reg?: number;
}

/**
 * A three-layer convolutional network with the following architecture:
 *
 *   conv - relu - 2x2 max pool - affine - relu - affine - softmax
 *
 * The network operates on minibatches of data that have shape (N, C, H, W) consisting of N
 * images, each with height H and width W and with C input channels.
 */
export class ThreeLayerConvNet {
  /**
   * W1 (F, C, filterSize, filterSize), b1 (F,), W2 (F·H/2·W/2, hiddenDim), b2 (hiddenDim,),
   * W3 (hiddenDim, numClasses), b3 (numClasses,). Settable; assigning does not free the old tensors.
   */
  params: Params = {};
  /** L2 regularization strength: the loss adds 0.5·reg·(ΣW1² + ΣW2² + ΣW3²). */
  reg: number;
  /** The input shape [C, H, W]. */
  readonly inputDim: [number, number, number];
  /** Stride 1 and "same" padding (filterSize − 1) / 2: the conv layer keeps H and W. */
  readonly convParam: ConvParam;
  /** 2×2 max pooling with stride 2: halves H and W. */
  readonly poolParam: PoolParam = { poolHeight: 2, poolWidth: 2, stride: 2 };

  /**
   * Initialize a new network: weights from a Gaussian centered at 0.0 with standard deviation
   * weightScale (the runtime's seeded randn, W1, then W2, then W3), biases zero.
   */
  constructor(options: ThreeLayerConvNetOptions = {}) {
    const {
      inputDim = [3, 32, 32],
      numFilters = 32,
      filterSize = 7,
      hiddenDim = 100,
      numClasses = 10,
      weightScale = 1e-3,
      reg = 0,
    } = options;
    const [C, H, W] = inputDim;
    if (!Array.isArray(inputDim) || inputDim.length !== 3 || !inputDim.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(
        `ThreeLayerConvNet: inputDim must be [C, H, W] (positive integers), got ${JSON.stringify(inputDim)}`,
      );
    }
    if (H % 2 !== 0 || W % 2 !== 0) {
      throw new Error(`ThreeLayerConvNet: the 2×2 max pool needs an even height and width, got inputDim [${inputDim}]`);
    }
    if (!Number.isInteger(filterSize) || filterSize < 1 || filterSize % 2 !== 1) {
      throw new Error(
        `ThreeLayerConvNet: filterSize must be an odd integer (for "same" padding (filterSize − 1) / 2), got ${filterSize}`,
      );
    }
    this.inputDim = [C, H, W];
    this.reg = reg;
    this.convParam = { stride: 1, pad: (filterSize - 1) / 2 };
    this.params = tf.tidy(() => {
      let params: Params;
      // BEGIN SOLUTION: initialize weights and biases for the three-layer convolutional network.
      // Weights are weightScale·randn(shape) (draw W1, then W2, then W3), biases are zero. Store
      // them in `params`: W1 (numFilters, C, filterSize, filterSize) and b1 (numFilters,) for the
      // convolutional layer; W2 (numFilters·(H/2)·(W/2), hiddenDim) and b2 (hiddenDim,) for the
      // hidden affine layer (the conv keeps H×W, the pool halves it); W3 (hiddenDim, numClasses)
      // and b3 (numClasses,) for the output affine layer.
      params = {
        W1: randn([numFilters, C, filterSize, filterSize]).mul(weightScale),
        b1: tf.zeros([numFilters]),
        W2: randn([numFilters * (H / 2) * (W / 2), hiddenDim]).mul(weightScale),
        b2: tf.zeros([hiddenDim]),
        W3: randn([hiddenDim, numClasses]).mul(weightScale),
        b3: tf.zeros([numClasses]),
      };
      // END SOLUTION
      return params;
    });
  }

  /**
   * Compute the class scores for a minibatch of data.
   *
   * Input / output: X (N, C, H, W) → scores (N, numClasses).
   */
  loss(X: tf.Tensor): tf.Tensor2D;
  /**
   * Evaluate loss and gradient for the three-layer convolutional network.
   *
   * Inputs:
   * - X: tensor of input data of shape (N, C, H, W)
   * - y: int32 tensor of labels, of shape (N,). y[i] gives the label for X[i].
   *
   * Returns a tuple of:
   * - loss: Scalar value giving the loss (data loss + 0.5·reg·ΣW²)
   * - grads: gradients with the same keys as this.params.
   */
  loss(X: tf.Tensor, y: tf.Tensor): [number, Params];
  loss(X: tf.Tensor, y?: tf.Tensor): tf.Tensor2D | [number, Params] {
    const [C, H, W] = this.inputDim;
    if (X.rank !== 4 || X.shape[1] !== C || X.shape[2] !== H || X.shape[3] !== W) {
      throw new Error(`ThreeLayerConvNet.loss: X must have shape [N, ${C}, ${H}, ${W}], got [${X.shape}]`);
    }
    const { W1, b1, W2, b2, W3, b3 } = this.params;
    const { convParam, poolParam, reg } = this;
    let loss = 0;
    const out = tf.tidy(() => {
      let scores: tf.Tensor2D;
      let convCache: ConvReluPoolCache;
      let hiddenCache: AffineReluCache;
      let scoresCache: AffineCache;
      // BEGIN SOLUTION: implement the forward pass for the three-layer convolutional net,
      // computing the class scores for X and storing them in `scores`: convReluPoolForward with
      // W1, b1, this.convParam and this.poolParam, then affineReluForward with W2, b2 (it flattens
      // each example), then affineForward with W3, b3. Keep the three caches for the backward pass.
      const [pooled, c1] = convReluPoolForward(X, W1, b1, convParam, poolParam);
      const [hidden, c2] = affineReluForward(pooled, W2, b2);
      [scores, scoresCache] = affineForward(hidden, W3, b3);
      convCache = c1;
      hiddenCache = c2;
      // END SOLUTION

      if (y === undefined) return { scores };

      let grads: Params;
      // BEGIN SOLUTION: implement the backward pass for the three-layer convolutional net. Store
      // the loss as a JS number in `loss` (softmaxLoss of the scores plus the regularization
      // 0.5·reg·(ΣW1² + ΣW2² + ΣW3²)) and the gradients in `grads` = { W1, b1, W2, b2, W3, b3 }:
      // backpropagate with affineBackward, affineReluBackward (its dx has the pooled output's
      // shape) and convReluPoolBackward, and add reg·W to each weight gradient.
      const [dataLoss, dscores] = softmaxLoss(scores, y as tf.Tensor);
      loss = dataLoss + 0.5 * reg * tf.addN([W1.square().sum(), W2.square().sum(), W3.square().sum()]).dataSync()[0];
      const [dhidden, dW3, db3] = affineBackward(dscores, scoresCache);
      const [dpooled, dW2, db2] = affineReluBackward(dhidden, hiddenCache);
      const [, dW1, db1] = convReluPoolBackward(dpooled, convCache);
      grads = {
        W1: dW1.add(W1.mul(reg)),
        b1: db1,
        W2: dW2.add(W2.mul(reg)),
        b2: db2,
        W3: dW3.add(W3.mul(reg)),
        b3: db3,
      };
      // END SOLUTION
      return { grads };
    });
    if (y === undefined) return (out as { scores: tf.Tensor2D }).scores;
    return [loss, (out as { grads: Params }).grads];
  }

  /** Free the parameters. */
  dispose(): void {
    tf.dispose(this.params);
  }
}
