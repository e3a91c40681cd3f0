import { tf } from 'ts231n';
import { checkLossInputs } from './lossInputs';

/**
 * Structured (multiclass) SVM loss function, naive implementation (with loops).
 *
 * Inputs have dimension D, there are C classes, and we operate on minibatches of N examples.
 * The margin is Δ = 1 and the regularisation is reg·ΣW² (no ½, as in the original assignment 1).
 *
 * Inputs:
 * - W: float32 tensor of shape (D, C) containing weights.
 * - X: float32 tensor of shape (N, D) containing a minibatch of data.
 * - y: int32 tensor of shape (N,) containing training labels; y[i] = c means that X[i] has label
 *   c, where 0 ≤ c < C.
 * - reg: (number) regularisation strength.
 *
 * Returns a tuple of:
 * - loss as a single number
 * - gradient with respect to the weights W; a float32 tensor of the same shape as W
 */
export function svmLossNaive(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number): [number, tf.Tensor2D] {
  const { N, D, C } = checkLossInputs('svmLossNaive', W, X, y);
  const w = W.dataSync();
  const x = X.dataSync();
  const labels = y.dataSync();
  // dW is accumulated in float64 on the host; it is uploaded as float32 at the end.
  const dW = new Float64Array(D * C);
  const scores = new Float64Array(C);
  let loss = 0;
  // BEGIN SOLUTION: compute the data loss and its gradient with explicit loops over the typed
  // arrays (w[d*C + c], x[i*D + d], labels[i]). For every example i: scores_c = Σ_d x[i,d]·w[d,c];
  // for every class j ≠ y_i with margin = scores_j − scores_{y_i} + 1 > 0, add margin to `loss`,
  // add x[i,:] to column j of dW and subtract x[i,:] from column y_i of dW.
  // Then average both over the N examples and add the regularisation: loss += reg·ΣW², dW += 2·reg·W.
  for (let i = 0; i < N; i++) {
    scores.fill(0);
    for (let d = 0; d < D; d++) {
      const xd = x[i * D + d];
      for (let c = 0; c < C; c++) scores[c] += xd * w[d * C + c];
    }
    const yi = labels[i];
    const correct = scores[yi];
    for (let j = 0; j < C; j++) {
      if (j === yi) continue;
      const margin = scores[j] - correct + 1;
      if (margin > 0) {
        loss += margin;
        for (let d = 0; d < D; d++) {
          dW[d * C + j] += x[i * D + d];
          dW[d * C + yi] -= x[i * D + d];
        }
      }
    }
  }
  loss /= N;
  let sumSq = 0;
  for (let k = 0; k < D * C; k++) {
    sumSq += w[k] * w[k];
    dW[k] = dW[k] / N + 2 * reg * w[k];
  }
  loss += reg * sumSq;
  // END SOLUTION
  return [loss, tf.tensor2d(Float32Array.from(dW), [D, C])];
}

/**
 * Structured SVM loss function, vectorized implementation: tensor ops only.
 *
 * Inputs and outputs are the same as svmLossNaive.
 */
export function svmLossVectorized(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number): [number, tf.Tensor2D] {
  const { N, C } = checkLossInputs('svmLossVectorized', W, X, y);
  let loss = 0;
  const dW = tf.tidy(() => {
    let grad: tf.Tensor2D;
    // BEGIN SOLUTION: without loops, compute scores = X·W (N, C), the correct-class scores (e.g.
    // with a one-hot mask of y: tf.oneHot(y, C)), margins = max(0, scores − correct + 1) with the
    // correct class's margin set to 0, and the loss = ΣMargins / N + reg·ΣW² (read it out with
    // .dataSync()[0] into `loss`). For the gradient build a (N, C) coefficient matrix: 1 where
    // margin > 0, and minus the row's count of positive margins in the correct class; then
    // grad = Xᵀ·coeff / N + 2·reg·W (transpose X with .transpose() before tf.matMul).
    const Wm = W as tf.Tensor2D;
    const Xm = X as tf.Tensor2D;
    const scores = tf.matMul(Xm, Wm);
    const oneHot = tf.oneHot(y.cast('int32') as tf.Tensor1D, C).cast('float32');
    const correct = scores.mul(oneHot).sum(1, true);
    const margins = scores.sub(correct).add(1).relu().mul(tf.scalar(1).sub(oneHot));
    loss = margins.sum().dataSync()[0] / N + reg * Wm.square().sum().dataSync()[0];
    const positive = margins.greater(0).cast('float32');
    const coeff = positive.sub(oneHot.mul(positive.sum(1, true)));
    grad = tf
      .matMul(Xm.transpose(), coeff)
      .div(N)
      .add(Wm.mul(2 * reg));
    // END SOLUTION
    return grad;
  });
  return [loss, dW];
}
