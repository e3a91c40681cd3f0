/**
 * Fully-connected nets built from the modular layers: a two-layer net and a net with any number
 * of hidden layers, optional batch normalization and dropout. Both use a softmax loss and L2
 * regularization 0.5·reg·ΣW² on the weight matrices (assignment 2's convention; assignment 1's
 * TwoLayerNet used reg·ΣW²).
 */
import { tf, randn, notImplemented } from 'ts231n';
import {
  affineBackward,
  affineForward,
  BnParam,
  DropoutParam,
  dropoutBackward,
  dropoutForward,
  softmaxLoss,
} from '../layers';
import {
  affineBnReluBackward,
  affineBnReluForward,
  affineReluBackward,
  affineReluForward,
  AffineBnReluCache,
  AffineReluCache,
} from '../layerUtils';
import type { DropoutCache, AffineCache } from '../layers';

/** Parameters (or their gradients) by name: W1, b1, …, gamma1, beta1, …; written by the Solver. */
export type Params = Record<string, tf.Tensor>;

/** Options of TwoLayerNet; the defaults are the original's. */
export interface TwoLayerNetOptions {
  /** An integer giving the size of the input (default 3·32·32). */
  inputDim?: number;
  /** An integer giving the size of the hidden layer (default 100). */
  hiddenDim?: number;
  /** An integer giving the number of classes to classify (default 10). */
  numClasses?: number;
  /** Scalar giving the standard deviation for random initialization of the weights (default 1e-3). */
  weightScale?: number;
  /** Scalar giving L2 regularization strength (default 0). */
  reg?: number;
}

/**
 * A two-layer fully-connected neural network with ReLU nonlinearity and softmax loss that uses a
 * modular layer design. We assume an input dimension of D, a hidden dimension of H, and perform
 * classification over C classes.
 *
 * The architecture should be affine - relu - affine - softmax.
 *
 * Note that this class does not implement gradient descent; instead, it will interact with a
 * separate Solver object that is responsible for running optimization.
 *
 * The learnable parameters of the model are stored in the object `this.params` that maps
 * parameter names to tensors.
 */
export class TwoLayerNet {
  /** W1 (D, H), b1 (H,), W2 (H, C), b2 (C,). Settable; assigning does not free the old tensors. */
  params: Params = {};
  /** L2 regularization strength: the loss adds 0.5·reg·(ΣW1² + ΣW2²). */
  reg: number;

  /**
   * Initialize a new network: weights from a Gaussian centered at 0.0 with standard deviation
   * equal to weightScale (drawn with the runtime's seeded randn, W1 first), biases zero.
   */
  constructor(options: TwoLayerNetOptions = {}) {
    const { inputDim = 3 * 32 * 32, hiddenDim = 100, numClasses = 10, weightScale = 1e-3, reg = 0 } = options;
    this.reg = reg;
    this.params = tf.tidy(() => {
      let params: Params;
      // ==== YOUR CODE ===============================================================
      // TODO: initialize the weights and biases of the two-layer net. Weights should be
      // initialized from a Gaussian centered at 0.0 with standard deviation equal to weightScale
      // (randn(shape).mul(weightScale), W1 before W2), and biases should be initialized to zero.
      // Store them in `params` = { W1: (inputDim, hiddenDim), b1: (hiddenDim,),
      // W2: (hiddenDim, numClasses), b2: (numClasses,) }.
      // (Replace the next line with your code.)
      throw notImplemented('new TwoLayerNet', 'cs231n/classifiers/fcNet.ts');
      // ==== END OF YOUR CODE ========================================================
      return params;
    });
  }

  /**
   * Compute the class scores for a minibatch of data.
   *
   * Inputs:
   * - X: tensor of input data of shape (N, d_1, ..., d_k)
   *
   * Returns:
   * - scores: tensor of shape (N, C) giving classification scores, where scores[i, c] is the
   *   classification score for X[i] and class c.
   */
  loss(X: tf.Tensor): tf.Tensor2D;
  /**
   * Compute loss and gradient for a minibatch of data.
   *
   * Inputs:
   * - X: tensor of input data of shape (N, d_1, ..., d_k)
   * - y: int32 tensor of labels, of shape (N,). y[i] gives the label for X[i].
   *
   * Returns a tuple of:
   * - loss: Scalar value giving the loss (data loss + 0.5·reg·ΣW²)
   * - grads: gradients with the same keys as this.params, mapping parameter names to gradients
   *   of the loss with respect to those parameters.
   */
  loss(X: tf.Tensor, y: tf.Tensor): [number, Params];
  loss(X: tf.Tensor, y?: tf.Tensor): tf.Tensor2D | [number, Params] {
    const { W1, b1, W2, b2 } = this.params;
    const reg = this.reg;
    let loss = 0;
    const out = tf.tidy(() => {
      let scores: tf.Tensor2D;
      let hiddenCache: AffineReluCache;
      let scoresCache: AffineCache;
      // ==== YOUR CODE ===============================================================
      // TODO: implement the forward pass for the two-layer net, computing the class
      // scores for X and storing them in `scores`: affineReluForward with W1, b1, then
      // affineForward with W2, b2. Keep both caches (`hiddenCache`, `scoresCache`) for the
      // backward pass.
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.loss', 'cs231n/classifiers/fcNet.ts');
      // ==== END OF YOUR CODE ========================================================

      // If y is undefined then we are in test mode so just return scores
      if (y === undefined) return { scores };

      let grads: Params;
      // ==== YOUR CODE ===============================================================
      // TODO: implement the backward pass for the two-layer net. Store the loss as a JS
      // number in `loss` (softmaxLoss of the scores plus the regularization 0.5·reg·(ΣW1² + ΣW2²),
      // computed with .dataSync()[0]) and the gradients in `grads` = { W1, b1, W2, b2 }:
      // backpropagate softmaxLoss's dscores with affineBackward and affineReluBackward, and add
      // reg·W to each weight gradient.
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.loss', 'cs231n/classifiers/fcNet.ts');
      // ==== END OF YOUR CODE ========================================================
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

/** Options of FullyConnectedNet; the defaults are the original's. */
export interface FullyConnectedNetOptions {
  /** An integer giving the size of the input (default 3·32·32). */
  inputDim?: number;
  /** An integer giving the number of classes to classify (default 10). */
  numClasses?: number;
  /**
   * Scalar between 0 and 1 giving the probability of KEEPING a unit in each dropout layer (the
   * lecture notes' convention). If dropout = 1 (the default) the network uses no dropout at all.
   */
  dropout?: number;
  /** 'batchnorm' to put batch normalization after each hidden affine layer; null (default) for none. */
  normalization?: 'batchnorm' | null;
  /** Scalar giving L2 regularization strength (default 0). */
  reg?: number;
  /** Scalar giving the standard deviation for random initialization of the weights (default 1e-2). */
  weightScale?: number;
  /**
   * If given, the dropout layers use this seed for their masks, which makes the net
   * deterministic so we can gradient check it.
   */
  seed?: number;
}

/** One hidden layer's cache: the affine–(batchnorm)–ReLU sandwich and the dropout layer's. */
interface HiddenCache {
  layer: AffineReluCache | AffineBnReluCache;
  dropout: DropoutCache | null;
}

/**
 * A fully-connected neural network with an arbitrary number of hidden layers, ReLU
 * nonlinearities, and a softmax loss function. This will also implement dropout and batch
 * normalization as options. For a network with L layers, the architecture will be
 *
 *   {affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax
 *
 * where batch normalization and dropout are optional, and the {...} block is repeated L - 1
 * times.
 *
 * Similar to the TwoLayerNet above, learnable parameters are stored in `this.params` and will
 * be learned using the Solver class.
 */
export class FullyConnectedNet {
  /**
   * W1, b1, …, WL, bL; with batchnorm also gamma1, beta1, …, gamma(L−1), beta(L−1). Settable;
   * assigning does not free the old tensors.
   */
  params: Params = {};
  /** L2 regularization strength: the loss adds 0.5·reg·Σ_l ΣWl². */
  reg: number;
  /** The number of layers L (hidden layers + 1). */
  readonly numLayers: number;
  readonly normalization: 'batchnorm' | null;
  /** True when dropout < 1. */
  readonly useDropout: boolean;
  /** The dropout layers' settings (mode is set by loss()). */
  readonly dropoutParam: DropoutParam;
  /** One BnParam per hidden layer with batchnorm (their running statistics live here). */
  readonly bnParams: BnParam[];

  /**
   * Initialize a new FullyConnectedNet.
   *
   * Inputs:
   * - hiddenDims: A list of integers giving the size of each hidden layer.
   * - options: see FullyConnectedNetOptions.
   */
  constructor(hiddenDims: number[], options: FullyConnectedNetOptions = {}) {
    const {
      inputDim = 3 * 32 * 32,
      numClasses = 10,
      dropout = 1,
      normalization = null,
      reg = 0,
      weightScale = 1e-2,
      seed,
    } = options;
    if (!Array.isArray(hiddenDims) || hiddenDims.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new Error(
        `FullyConnectedNet: hiddenDims must be a list of positive integers, got ${JSON.stringify(hiddenDims)}`,
      );
    }
    if (!(dropout > 0 && dropout <= 1))
      throw new Error(`FullyConnectedNet: dropout is the probability of keeping a unit, in (0, 1]; got ${dropout}`);
    if (normalization !== null && normalization !== 'batchnorm') {
      throw new Error(
        `FullyConnectedNet: normalization must be 'batchnorm' or null, got ${JSON.stringify(normalization)}`,
      );
    }
    this.reg = reg;
    this.normalization = normalization;
    this.useDropout = dropout !== 1;
    this.numLayers = 1 + hiddenDims.length;
    const dims = [inputDim, ...hiddenDims, numClasses];

    this.params = tf.tidy(() => {
      const params: Params = {};
      // ==== YOUR CODE ===============================================================
      // TODO: initialize the parameters of the network, storing all values in `params`.
      // Layer l = 1 … numLayers maps dims[l − 1] to dims[l]: its weights `W${l}` are
      // randn([dims[l − 1], dims[l]]).mul(weightScale) (draw them in order, W1 first) and its
      // biases `b${l}` are zeros of length dims[l]. With batch normalization, every hidden layer
      // l < numLayers also gets a scale `gamma${l}` of ones and a shift `beta${l}` of zeros, both
      // of length dims[l].
      // (Replace the next line with your code.)
      throw notImplemented('new FullyConnectedNet', 'cs231n/classifiers/fcNet.ts');
      // ==== END OF YOUR CODE ========================================================
      return params;
    });

    // When using dropout we need to pass a dropoutParam to each dropout layer so that the layer
    // knows the dropout probability and the mode (train / test). You can pass the same
    // dropoutParam to each dropout layer.
    this.dropoutParam = { mode: 'train', p: dropout, ...(seed !== undefined ? { seed } : {}) };

    // With batch normalization we need to keep track of running means and variances, so we need
    // to pass a special bnParam object to each batch normalization layer. You should pass
    // this.bnParams[0] to the forward pass of the first batch normalization layer,
    // this.bnParams[1] to the forward pass of the second batch normalization layer, etc.
    this.bnParams = normalization === 'batchnorm' ? hiddenDims.map(() => ({ mode: 'train' as const })) : [];
  }

  /**
   * Compute the class scores for a minibatch of data (test mode: dropout off, batchnorm with its
   * running statistics).
   *
   * Inputs:
   * - X: tensor of input data of shape (N, d_1, ..., d_k)
   *
   * Returns:
   * - scores: tensor of shape (N, C)
   */
  loss(X: tf.Tensor): tf.Tensor2D;
  /**
   * Compute loss and gradient for the fully-connected net (train mode).
   *
   * Inputs:
   * - X: tensor of input data of shape (N, d_1, ..., d_k)
   * - y: int32 tensor of labels, of shape (N,)
   *
   * Returns a tuple of:
   * - loss: data loss + 0.5·reg·Σ_l ΣWl² (a JS number)
   * - grads: an object with the same keys as this.params
   */
  loss(X: tf.Tensor, y: tf.Tensor): [number, Params];
  loss(X: tf.Tensor, y?: tf.Tensor): tf.Tensor2D | [number, Params] {
    const mode = y === undefined ? 'test' : 'train';
    // Set train/test mode for batchnorm params and dropout param since they behave differently
    // during training and testing.
    this.dropoutParam.mode = mode;
    for (const bnParam of this.bnParams) bnParam.mode = mode;
    const params = this.params;
    const L = this.numLayers;
    const reg = this.reg;
    const useBn = this.normalization === 'batchnorm';
    let loss = 0;

    const out = tf.tidy(() => {
      let scores: tf.Tensor2D;
      const hiddenCaches: HiddenCache[] = [];
      let scoresCache: AffineCache;
      // ==== YOUR CODE ===============================================================
      // TODO: implement the forward pass for the fully-connected net, computing the
      // class scores for X and storing them in `scores`. For each hidden layer l = 1 … L − 1 use
      // affineReluForward (or affineBnReluForward with gamma_l, beta_l and this.bnParams[l − 1]
      // when useBn), then dropoutForward with this.dropoutParam when this.useDropout; push the
      // layer's caches onto `hiddenCaches` ({ layer, dropout }, dropout null without dropout).
      // The last layer is affineForward with W_L, b_L; keep its cache in `scoresCache`.
      // (Replace the next line with your code.)
      throw notImplemented('FullyConnectedNet.loss', 'cs231n/classifiers/fcNet.ts');
      // ==== END OF YOUR CODE ========================================================

      // If test mode return early
      if (y === undefined) return { scores };

      let grads: Params;
      // ==== YOUR CODE ===============================================================
      // TODO: implement the backward pass for the fully-connected net. Store the loss
      // as a JS number in `loss` (softmaxLoss plus 0.5·reg·Σ_l ΣWl², with .dataSync()[0]) and
      // the gradients in `grads` (same keys as this.params): backpropagate through the last
      // affine layer, then through the hidden layers in reverse (dropoutBackward first when the
      // layer has a dropout cache, then affineReluBackward or affineBnReluBackward), and add
      // reg·W_l to every weight gradient (not to biases, gammas or betas).
      // (Replace the next line with your code.)
      throw notImplemented('FullyConnectedNet.loss', 'cs231n/classifiers/fcNet.ts');
      // ==== END OF YOUR CODE ========================================================
      return { grads };
    });
    if (y === undefined) return (out as { scores: tf.Tensor2D }).scores;
    return [loss, (out as { grads: Params }).grads];
  }

  /** Free the parameters and the batchnorm running statistics. */
  dispose(): void {
    tf.dispose(this.params);
    for (const bnParam of this.bnParams)
      tf.dispose([bnParam.runningMean, bnParam.runningVar].filter((t): t is tf.Tensor => t !== undefined));
  }
}
