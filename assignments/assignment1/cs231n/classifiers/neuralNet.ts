import { tf, randn, choice, notImplemented } from 'ts231n';

/** The parameters of a TwoLayerNet. */
export type TwoLayerParams = {
  /** First layer weights, shape (D, H). */
  W1: tf.Tensor;
  /** First layer biases, shape (H,). */
  b1: tf.Tensor;
  /** Second layer weights, shape (H, C). */
  W2: tf.Tensor;
  /** Second layer biases, shape (C,). */
  b2: tf.Tensor;
};

/** Gradients of the loss with respect to each parameter; each has its parameter's shape. */
export type TwoLayerGrads = TwoLayerParams;

/** Options of TwoLayerNet.train; the defaults are the original assignment's. */
export interface TwoLayerTrainOptions {
  /** Scalar giving learning rate for optimization. Default 1e-3. */
  learningRate?: number;
  /** Scalar giving factor used to decay the learning rate after each epoch. Default 0.95. */
  learningRateDecay?: number;
  /** Scalar giving regularization strength. Default 5e-6. */
  reg?: number;
  /** Number of steps to take when optimizing. Default 100. */
  numIters?: number;
  /** Number of training examples to use per step. Default 200. */
  batchSize?: number;
  /** If true, print progress during optimization (every 100 iterations). */
  verbose?: boolean;
  /** Called after every iteration with its index and loss (e.g. to drive a progress bar). */
  onIteration?(iteration: number, loss: number): void;
}

/** What TwoLayerNet.train returns. */
export interface TwoLayerTrainResult {
  /** The minibatch loss at every iteration. */
  lossHistory: number[];
  /** Minibatch accuracy at the start of every epoch. */
  trainAccHistory: number[];
  /** Validation accuracy at the start of every epoch. */
  valAccHistory: number[];
}

const PARAM_NAMES = ['W1', 'b1', 'W2', 'b2'] as const;

/**
 * A two-layer fully-connected neural network. The net has an input dimension of N, a hidden layer
 * dimension of H, and performs classification over C classes. We train the network with a softmax
 * loss function and L2 regularization on the weight matrices. The network uses a ReLU
 * nonlinearity after the first fully connected layer.
 *
 * In other words, the network has the following architecture:
 *
 *   input - fully connected layer - ReLU - fully connected layer - softmax
 *
 * The outputs of the second fully-connected layer are the scores for each class.
 */
export class TwoLayerNet {
  /**
   * Model parameters (writable: the notebooks replace them, e.g. with the toy model's). Assigning
   * a new object does not free the old tensors; call `dispose()` or dispose them yourself.
   */
  params: TwoLayerParams;

  /**
   * Initialize the model. Weights are initialized to small random values (std·randn from the
   * runtime's seeded generator, W1 first) and biases are initialized to zero.
   *
   * Inputs:
   * - inputSize: The dimension D of the input data.
   * - hiddenSize: The number of neurons H in the hidden layer.
   * - outputSize: The number of classes C.
   * - std: Scale of the initial weights.
   */
  constructor(inputSize: number, hiddenSize: number, outputSize: number, std = 1e-4) {
    this.params = tf.tidy(() => {
      const W1 = randn([inputSize, hiddenSize]).mul(std);
      const b1 = tf.zeros([hiddenSize]);
      const W2 = randn([hiddenSize, outputSize]).mul(std);
      const b2 = tf.zeros([outputSize]);
      return { W1, b1, W2, b2 };
    });
  }

  /**
   * Compute the class scores for a minibatch of data.
   *
   * Inputs:
   * - X: float32 tensor of shape (N, D). Each X[i] is a training sample.
   *
   * Returns:
   * - scores: float32 tensor of shape (N, C) where scores[i, c] is the score for class c on input X[i].
   */
  loss(X: tf.Tensor): tf.Tensor2D;
  /**
   * Compute the loss and gradients for a two layer fully connected neural network.
   *
   * Inputs:
   * - X: float32 tensor of shape (N, D). Each X[i] is a training sample.
   * - y: int32 tensor of shape (N,) of training labels. y[i] is the label for X[i], and each y[i]
   *   is an integer in the range 0 <= y[i] < C.
   * - reg: Regularization strength; the loss adds reg·(ΣW1² + ΣW2²) (no ½; biases are not
   *   regularized), as in the original assignment 1.
   *
   * Returns:
   * - loss: Loss (data loss and regularization loss) for this batch of training samples.
   * - grads: gradients of the loss with respect to W1, b1, W2, b2, each with its parameter's shape.
   */
  loss(X: tf.Tensor, y: tf.Tensor, reg?: number): [number, TwoLayerGrads];
  loss(X: tf.Tensor, y?: tf.Tensor, reg = 0): tf.Tensor2D | [number, TwoLayerGrads] {
    const { W1, b1, W2, b2 } = this.params;
    if (X.rank !== 2 || X.shape[1] !== W1.shape[0]) {
      throw new Error(`TwoLayerNet.loss: X must have shape [N, ${W1.shape[0]}], got [${X.shape}]`);
    }
    const N = X.shape[0];
    if (y !== undefined && (y.rank !== 1 || y.shape[0] !== N)) {
      throw new Error(`TwoLayerNet.loss: y must have shape [${N}], got [${y.shape}]`);
    }
    let loss = 0;
    const out = tf.tidy(() => {
      let hidden: tf.Tensor2D;
      let scores: tf.Tensor2D;
      // ==== YOUR CODE ===============================================================
      // TODO: perform the forward pass, computing the class scores for the input. Store
      // the ReLU activations relu(X·W1 + b1) in `hidden` (N, H) (you need them for the backward
      // pass) and the class scores hidden·W2 + b2 in `scores` (N, C). Biases broadcast over rows.
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.loss', 'cs231n/classifiers/neuralNet.ts');
      // ==== END OF YOUR CODE ========================================================

      // If the targets are not given then jump out, we're done
      if (y === undefined) return { scores };

      let probs: tf.Tensor2D;
      // (`y as tf.Tensor`: y is defined here; the cast keeps the starter type-checking.)
      const oneHot = tf.oneHot((y as tf.Tensor).cast('int32') as tf.Tensor1D, scores.shape[1]).cast('float32');
      // ==== YOUR CODE ===============================================================
      // TODO: finish the forward pass and compute the loss: the softmax classifier's data
      // loss averaged over the N examples (shift each row of scores by its max for numerical
      // stability; `oneHot` (N, C) marks the correct classes) plus the L2 regularization
      // reg·(ΣW1² + ΣW2²). Store the softmax probabilities in `probs` (N, C) for the backward pass
      // and the total loss as a JS number in `loss` (.dataSync()[0]).
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.loss', 'cs231n/classifiers/neuralNet.ts');
      // ==== END OF YOUR CODE ========================================================

      let grads: TwoLayerGrads;
      // ==== YOUR CODE ===============================================================
      // TODO: backward pass: compute the gradient of the loss with respect to every
      // parameter and store them in `grads` = { W1, b1, W2, b2 } (same shapes as the params).
      // dscores = (probs − oneHot) / N; dW2 = hiddenᵀ·dscores + 2·reg·W2; db2 = Σ_rows dscores;
      // dhidden = dscores·W2ᵀ, zeroed where hidden ≤ 0 (ReLU); dW1 = Xᵀ·dhidden + 2·reg·W1;
      // db1 = Σ_rows dhidden. Transpose with .transpose() before tf.matMul.
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.loss', 'cs231n/classifiers/neuralNet.ts');
      // ==== END OF YOUR CODE ========================================================
      return { grads };
    });
    if (y === undefined) return (out as { scores: tf.Tensor2D }).scores;
    return [loss, (out as { grads: TwoLayerGrads }).grads];
  }

  /**
   * Train this neural network using stochastic gradient descent.
   *
   * Inputs:
   * - X: float32 tensor of shape (N, D) giving training data.
   * - y: int32 tensor of shape (N,) giving training labels; y[i] = c means that X[i] has label c,
   *   where 0 <= c < C.
   * - XVal: float32 tensor of shape (NVal, D) giving validation data.
   * - yVal: int32 tensor of shape (NVal,) giving validation labels.
   * - options: see TwoLayerTrainOptions.
   *
   * Minibatches are sampled with replacement with the runtime's seeded `choice`. Once per epoch
   * (every max(N / batchSize, 1) iterations, kept fractional like the original, so with a
   * fractional epoch length only iteration 0 and exact multiples count) the minibatch and
   * validation accuracies are recorded and the learning rate is multiplied by learningRateDecay.
   */
  train(
    X: tf.Tensor,
    y: tf.Tensor,
    XVal: tf.Tensor,
    yVal: tf.Tensor,
    options: TwoLayerTrainOptions = {},
  ): TwoLayerTrainResult {
    const {
      learningRateDecay = 0.95,
      reg = 5e-6,
      numIters = 100,
      batchSize = 200,
      verbose = false,
      onIteration,
    } = options;
    let learningRate = options.learningRate ?? 1e-3;
    const numTrain = X.shape[0];
    const iterationsPerEpoch = Math.max(numTrain / batchSize, 1);

    // Use SGD to optimize the parameters in this.params
    const lossHistory: number[] = [];
    const trainAccHistory: number[] = [];
    const valAccHistory: number[] = [];

    for (let it = 0; it < numIters; it++) {
      let XBatch: tf.Tensor;
      let yBatch: tf.Tensor;
      // ==== YOUR CODE ===============================================================
      // TODO: create a random minibatch of training data and labels, XBatch
      // (batchSize, D) and yBatch (batchSize,): draw the row indices with replacement with
      // choice(numTrain, batchSize, { replace: true }) and tf.gather the rows of X and y.
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.train', 'cs231n/classifiers/neuralNet.ts');
      // ==== END OF YOUR CODE ========================================================

      // Compute loss and gradients using the current minibatch
      const [loss, grads] = this.loss(XBatch, yBatch, reg);
      lossHistory.push(loss);

      const old = this.params;
      let updated: TwoLayerParams;
      // ==== YOUR CODE ===============================================================
      // TODO: use the gradients in `grads` to update the parameters with stochastic
      // gradient descent: store in `updated` new tensors param − learningRate·grad for W1, b1, W2
      // and b2 (the old parameters and the gradients are freed below; do not dispose them here).
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.train', 'cs231n/classifiers/neuralNet.ts');
      // ==== END OF YOUR CODE ========================================================
      this.params = updated;
      for (const name of PARAM_NAMES) {
        if (old[name] !== updated[name]) old[name].dispose();
        grads[name].dispose();
      }

      if (verbose && it % 100 === 0) console.log(`iteration ${it} / ${numIters}: loss ${loss}`);

      // Every epoch, check train and val accuracy and decay learning rate.
      if (it % iterationsPerEpoch === 0) {
        trainAccHistory.push(accuracy(this.predict(XBatch), yBatch));
        valAccHistory.push(accuracy(this.predict(XVal), yVal));
        // Decay learning rate
        learningRate *= learningRateDecay;
      }
      XBatch.dispose();
      yBatch.dispose();
      onIteration?.(it, loss);
    }
    return { lossHistory, trainAccHistory, valAccHistory };
  }

  /**
   * Use the trained weights of this two-layer network to predict labels for data points. For each
   * data point we predict scores for each of the C classes, and assign each data point to the
   * class with the highest score.
   *
   * Inputs:
   * - X: float32 tensor of shape (N, D) giving N D-dimensional data points to classify.
   *
   * Returns:
   * - yPred: int32 tensor of shape (N,) giving predicted labels for each of the elements of X.
   *   For all i, yPred[i] = c means that X[i] is predicted to have class c, where 0 <= c < C.
   */
  predict(X: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      let yPred: tf.Tensor1D;
      // ==== YOUR CODE ===============================================================
      // TODO: set yPred to the highest-scoring class of every row: the scores come from
      // this.loss(X) (no labels); tf.argMax over axis 1 gives int32 labels.
      // (Replace the next line with your code.)
      throw notImplemented('TwoLayerNet.predict', 'cs231n/classifiers/neuralNet.ts');
      // ==== END OF YOUR CODE ========================================================
      return yPred;
    });
  }

  /** Free the parameters. */
  dispose(): void {
    tf.dispose(this.params);
  }
}

/** Fraction of positions where two label tensors agree; frees `pred`. */
function accuracy(pred: tf.Tensor, labels: tf.Tensor): number {
  const acc = tf.tidy(() => pred.equal(labels.cast('int32')).cast('float32').mean().dataSync()[0]);
  pred.dispose();
  return acc;
}
