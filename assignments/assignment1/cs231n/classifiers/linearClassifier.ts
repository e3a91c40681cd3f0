import { tf, randn, choice, notImplemented } from 'ts231n';
import { svmLossVectorized } from './linearSvm';
import { softmaxLossVectorized } from './softmax';

/** Options of LinearClassifier.train; the defaults are the original assignment's. */
export interface LinearTrainOptions {
  /** (number) learning rate for optimization. Default 1e-3. */
  learningRate?: number;
  /** (number) regularization strength. Default 1e-5. */
  reg?: number;
  /** (integer) number of steps to take when optimizing. Default 100. */
  numIters?: number;
  /** (integer) number of training examples to use at each step. Default 200. */
  batchSize?: number;
  /** (boolean) if true, print progress during optimization (every 100 iterations). */
  verbose?: boolean;
}

/**
 * A linear classifier trained with stochastic gradient descent. Subclasses supply the loss.
 *
 * W is created lazily on the first call to `train` as 0.001·randn(D, C) from the runtime's seeded
 * generator, where C = max(y) + 1; training again continues from the current W.
 */
export abstract class LinearClassifier {
  /** Weights, float32 tensor of shape (D, C); `null` until the first `train`. */
  W: tf.Tensor | null = null;

  /**
   * Train this linear classifier using stochastic gradient descent.
   *
   * Inputs:
   * - X: float32 tensor of shape (N, D) containing training data; there are N training samples
   *   each of dimension D.
   * - y: int32 tensor of shape (N,) containing training labels; y[i] = c means that X[i] has label
   *   0 ≤ c < C for C classes.
   * - options: learningRate, reg, numIters, batchSize, verbose (see LinearTrainOptions).
   *
   * Outputs:
   * - lossHistory: number[] containing the value of the loss function at each training iteration.
   *
   * Minibatches are sampled with replacement (as in the original), with `choice` from the
   * runtime's seeded generator, so a seeded run is reproducible. Every iteration frees its
   * intermediate tensors.
   */
  train(X: tf.Tensor, y: tf.Tensor, options: LinearTrainOptions = {}): number[] {
    const { learningRate = 1e-3, reg = 1e-5, numIters = 100, batchSize = 200, verbose = false } = options;
    if (X.rank !== 2) throw new Error(`LinearClassifier.train: X must be 2-D (N, D), got shape [${X.shape}]`);
    const [numTrain, dim] = X.shape as [number, number];
    if (y.rank !== 1 || y.shape[0] !== numTrain) {
      throw new Error(`LinearClassifier.train: y must have shape [${numTrain}], got [${y.shape}]`);
    }
    const numClasses = tf.tidy(() => y.max().dataSync()[0]) + 1; // assume y takes values 0...K-1
    if (this.W === null) {
      // lazily initialize W
      this.W = tf.keep(tf.tidy(() => randn([dim, numClasses]).mul(0.001)));
    } else if (this.W.shape[0] !== dim) {
      throw new Error(`LinearClassifier.train: W has shape [${this.W.shape}] but X has ${dim} columns`);
    }

    const lossHistory: number[] = [];
    for (let it = 0; it < numIters; it++) {
      const W = this.W;
      const step = tf.tidy(() => {
        let XBatch: tf.Tensor;
        let yBatch: tf.Tensor;
        // ==== YOUR CODE ===============================================================
        // TODO: sample batchSize elements from the training data and their labels into
        // XBatch (batchSize, D) and yBatch (batchSize,). Sample with replacement: draw the row
        // indices with choice(numTrain, batchSize, { replace: true }) (the runtime's seeded
        // generator; do not use Math.random) and tf.gather the rows of X and y.
        // (Replace the next line with your code.)
        throw notImplemented('LinearClassifier.train', 'cs231n/classifiers/linearClassifier.ts');
        // ==== END OF YOUR CODE ========================================================
        const [loss, grad] = this.loss(XBatch, yBatch, reg);
        let newW: tf.Tensor;
        // ==== YOUR CODE ===============================================================
        // TODO: set newW to the weights after one step of gradient descent on W with
        // the gradient `grad` and the learning rate (do not modify W in place; it is freed below).
        // (Replace the next line with your code.)
        throw notImplemented('LinearClassifier.train', 'cs231n/classifiers/linearClassifier.ts');
        // ==== END OF YOUR CODE ========================================================
        return { loss, newW };
      });
      W.dispose();
      this.W = step.newW;
      lossHistory.push(step.loss);
      if (verbose && it % 100 === 0) console.log(`iteration ${it} / ${numIters}: loss ${step.loss}`);
    }
    return lossHistory;
  }

  /**
   * Use the trained weights of this linear classifier to predict labels for data points.
   *
   * Inputs:
   * - X: float32 tensor of shape (N, D).
   *
   * Returns:
   * - yPred: int32 tensor of shape (N,); yPred[i] is the predicted class of X[i].
   */
  predict(X: tf.Tensor): tf.Tensor1D {
    const W = this.W;
    if (W === null) throw new Error('LinearClassifier.predict: train the classifier first (W is null)');
    return tf.tidy(() => {
      let yPred: tf.Tensor1D;
      // ==== YOUR CODE ===============================================================
      // TODO: set yPred to the index of the highest score X·W in each row (tf.argMax on
      // axis 1 gives int32 labels).
      // (Replace the next line with your code.)
      throw notImplemented('LinearClassifier.predict', 'cs231n/classifiers/linearClassifier.ts');
      // ==== END OF YOUR CODE ========================================================
      return yPred;
    });
  }

  /**
   * Compute the loss function and its derivative. Subclasses will override this.
   *
   * Inputs:
   * - XBatch: float32 tensor of shape (N, D) containing a minibatch of N data points.
   * - yBatch: int32 tensor of shape (N,) containing labels for the minibatch.
   * - reg: (number) regularization strength.
   *
   * Returns a tuple containing:
   * - loss as a single number
   * - gradient with respect to this.W; a tensor of the same shape as W
   */
  abstract loss(XBatch: tf.Tensor, yBatch: tf.Tensor, reg: number): [number, tf.Tensor];

  /** Release W. */
  dispose(): void {
    this.W?.dispose();
    this.W = null;
  }
}

/** A subclass that uses the multiclass SVM loss function. */
export class LinearSVM extends LinearClassifier {
  loss(XBatch: tf.Tensor, yBatch: tf.Tensor, reg: number): [number, tf.Tensor] {
    if (this.W === null) throw new Error('LinearSVM.loss: W is null; call train first or set W');
    return svmLossVectorized(this.W, XBatch, yBatch, reg);
  }
}

/** A subclass that uses the softmax + cross-entropy loss function. */
export class Softmax extends LinearClassifier {
  loss(XBatch: tf.Tensor, yBatch: tf.Tensor, reg: number): [number, tf.Tensor] {
    if (this.W === null) throw new Error('Softmax.loss: W is null; call train first or set W');
    return softmaxLossVectorized(this.W, XBatch, yBatch, reg);
  }
}
