import { tf } from 'ts231n';
import { checkLossInputs } from './lossInputs';

/**
 * Softmax (cross-entropy) loss function, naive implementation (with loops).
 *
 * Inputs have dimension D, there are C classes, and we operate on minibatches of N examples.
 * The regularisation is reg·ΣW² (no ½, as in the original assignment 1).
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
 *
 * Numerical stability: exp of a large score overflows. Softmax is unchanged when a constant is
 * subtracted from every score of a row, so subtract the row's maximum first.
 */
export function softmaxLossNaive(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number): [number, tf.Tensor2D] {
  const { N, D, C } = checkLossInputs('softmaxLossNaive', W, X, y);
  const w = W.dataSync();
  const x = X.dataSync();
  const labels = y.dataSync();
  // dW is accumulated in float64 on the host; it is uploaded as float32 at the end.
  const dW = new Float64Array(D * C);
  const scores = new Float64Array(C);
  let loss = 0;
  // BEGIN SOLUTION: compute the loss and its gradient with explicit loops over the typed arrays
  // (w[d*C + c], x[i*D + d], labels[i]). For every example i: scores_c = Σ_d x[i,d]·w[d,c]; subtract
  // max_c scores_c; p_c = exp(scores_c) / Σ_k exp(scores_k); add −log p_{y_i} to `loss`; and add
  // (p_c − 1[c = y_i])·x[i,:] to column c of dW. Then average both over the N examples and add the
  // regularisation: loss += reg·ΣW², dW += 2·reg·W.
  for (let i = 0; i < N; i++) {
    scores.fill(0);
    for (let d = 0; d < D; d++) {
      const xd = x[i * D + d];
      for (let c = 0; c < C; c++) scores[c] += xd * w[d * C + c];
    }
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, scores[c]);
    let sumExp = 0;
    for (let c = 0; c < C; c++) {
      scores[c] = Math.exp(scores[c] - max);
      sumExp += scores[c];
    }
    const yi = labels[i];
    loss -= Math.log(scores[yi] / sumExp);
    for (let c = 0; c < C; c++) {
      const coeff = scores[c] / sumExp - (c === yi ? 1 : 0);
      for (let d = 0; d < D; d++) dW[d * C + c] += coeff * x[i * D + d];
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
 * Softmax loss function, vectorized version: tensor ops only.
 *
 * Inputs and outputs are the same as softmaxLossNaive.
 */
export function softmaxLossVectorized(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number): [number, tf.Tensor2D] {
  const { N, C } = checkLossInputs('softmaxLossVectorized', W, X, y);
  let loss = 0;
  const dW = tf.tidy(() => {
    let grad: tf.Tensor2D;
    // BEGIN SOLUTION: without loops, compute scores = X·W (N, C) and shift each row by its max;
    // logZ = log Σ_c exp(shifted) per row; the loss = mean over rows of (logZ − shifted score of the
    // correct class) + reg·ΣW² (read it out with .dataSync()[0] into `loss`; tf.oneHot(y, C) picks the
    // correct classes). For the gradient: probs = exp(shifted − logZ), dscores = probs − oneHot;
    // grad = Xᵀ·dscores / N + 2·reg·W (transpose X with .transpose() before tf.matMul).
    const Wm = W as tf.Tensor2D;
    const Xm = X as tf.Tensor2D;
    const scores = tf.matMul(Xm, Wm);
    const shifted = scores.sub(scores.max(1, true));
    const logZ = shifted.exp().sum(1, true).log();
    const oneHot = tf.oneHot(y.cast('int32') as tf.Tensor1D, C).cast('float32');
    const dataLoss = logZ.sum().sub(shifted.mul(oneHot).sum()).div(N);
    loss = dataLoss.dataSync()[0] + reg * Wm.square().sum().dataSync()[0];
    const dscores = shifted.sub(logZ).exp().sub(oneHot);
    grad = tf
      .matMul(Xm.transpose(), dscores)
      .div(N)
      .add(Wm.mul(2 * reg));
    // END SOLUTION
    return grad;
  });
  return [loss, dW];
}
