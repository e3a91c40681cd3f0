// %% [markdown]
// # A linear classifier with the softmax loss
//
// The SVM only asks the correct score to win by a margin; once it does, the loss is zero and the SVM is satisfied. The **softmax classifier** (multinomial logistic regression) reads the scores as unnormalised log-probabilities and asks for more: the probability of the correct class should be as high as possible.
//
// For one example with scores $s = x_i W$ the probabilities and the **cross-entropy loss** are
//
// $$P(y = k \mid x_i) = \frac{e^{s_k}}{\sum_j e^{s_j}}, \qquad L_i = -\log P(y = y_i \mid x_i) = -s_{y_i} + \log \sum_j e^{s_j},$$
//
// and, as before, $L = \frac{1}{N}\sum_i L_i + \lambda \sum W^2$ (no ½).
//
// This notebook follows the same path as the SVM one: naive and vectorised loss in `cs231n/classifiers/softmax.ts`, gradient checks, SGD (your `LinearClassifier` from the SVM notebook — the `Softmax` subclass calls `softmaxLossVectorized`), a coarse-to-fine search and a look at the learned weights.

// %%
import { tf, quickMode, seed, randn, record, check, progress, plotLines, plotScatter, showImages, checkGradient, gradCheckSparse, tryStep, accuracy, timeIt, logUniform, notImplemented } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { softmaxLossNaive, softmaxLossVectorized } from './cs231n/classifiers/softmax';
import { Softmax } from './cs231n/classifiers/linearClassifier';

// Quick mode (TS231N_QUICK=1) runs the same code on fewer examples (1,000 training images) and iterations.
const QUICK = quickMode();
const NUM_ITERS = QUICK ? 150 : 1500;
seed(231);

// %% [markdown]
// ## Data
//
// The same splits and preprocessing as in the SVM notebook: mean image subtracted, bias column appended.

// %%
const data = await getData({ subtractMean: true, reshapeRows: true, addBias: true, ...(QUICK ? { numTraining: 1000, numValidation: 200, numTest: 200, numDev: 50 } : {}) });
const { XTrain, yTrain, XVal, yVal, XTest, yTest, XDev, yDev, classNames } = data;
for (const [name, X, y] of [['train', XTrain, yTrain], ['val', XVal, yVal], ['test', XTest, yTest], ['dev', XDev, yDev]] as Array<[string, tf.Tensor, tf.Tensor]>) {
  console.log(`${name.padEnd(5)} X [${X.shape.join(', ')}]  y [${y.shape.join(', ')}]`);
}
const D = XTrain.shape[1]!;
const C = classNames.length;
// Each row is an image of this shape (height, width, channels).
const imageShape = data.name === 'cifar10' ? [32, 32, 3] : [28, 28, 1];

// %% [markdown]
// ## The naive softmax loss
//
// Implement `softmaxLossNaive` with explicit loops. Two things to get right:
//
// * **Numerical stability.** $e^{s}$ overflows float32 for $s \gtrsim 88$. Subtracting the largest score of each row from all of its scores changes nothing mathematically (the factor $e^{-\max}$ cancels between numerator and denominator) and keeps every exponent ≤ 0.
// * **The gradient.** $\partial L_i / \partial s_k = P_k - \mathbb{1}[k = y_i]$, and $s = x_i W$ turns that into $dW_{:,k} \mathrel{+}= x_i^\top (P_k - \mathbb{1}[k = y_i])$.
//
// **Sanity check.** With tiny random weights every class gets probability ≈ $1/C$, so the loss should be close to $-\log(1/C) = \ln C$ (≈ 2.303 for 10 classes). This is the first thing to check on any new classifier (lecture 6): a loss far from $\ln C$ at initialisation means a bug.

// %%
seed(1);
const W0 = randn([D, C]).mul(1e-4);
const naive = tryStep(() => softmaxLossNaive(W0, XDev, yDev, 0.0), ['softmax.loss_naive', 'softmax.grad_naive', 'softmax.loss_sanity']);
if (naive) {
  const [lossNaive, gradNaive] = naive;
  record('softmax.loss_naive', lossNaive);
  record('softmax.grad_naive', gradNaive);
  record('softmax.loss_sanity', Math.abs(lossNaive - Math.log(C)));
  console.log(`loss ${lossNaive.toFixed(4)}, ln(${C}) = ${Math.log(C).toFixed(4)}`);
}
check('softmax.loss_naive');
check('softmax.loss_sanity');

// %% [markdown]
// **Inline question 1.** Why do we expect a loss close to $\ln C$ with small random weights? What would a loss of 0 at initialisation suggest? And what would it mean if *increasing* the regularisation strength made the loss *smaller*?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* With weights of size 1e-4 all scores are almost equal (≈ 0), so the softmax spreads the probability evenly: $P_{y_i} ≈ 1/C$ and $L_i = -\log(1/C) = \ln C$ for every example. A loss of 0 would mean the classifier is already certain of every correct class before training — impossible for random weights, so it points at a bug (e.g. the loss reading the label instead of the score, or a missing minus sign). The regularisation term $\lambda \sum W^2$ is non-negative and grows with $\lambda$, so for fixed $W$ a larger $\lambda$ can only increase the loss; a loss that falls when $\lambda$ rises means the regulariser has the wrong sign or is not added at all.
// <!-- END SOLUTION -->

// %% [markdown]
// Let's also confirm the last point: for the same weights the loss must grow with the regularisation strength.

// %%
const regLosses = tryStep(() => [0, 1e2, 1e4].map((reg) => {
  const [loss, grad] = softmaxLossVectorized(W0, XDev, yDev, reg);
  grad.dispose();
  return loss;
}));
if (regLosses) console.log(`loss at reg = 0, 1e2, 1e4: ${regLosses.map((l) => l.toFixed(4)).join(', ')}`);

// %% [markdown]
// ## Gradient check
//
// As for the SVM, we compare the analytic gradient with centred differences using `checkGradient`, with the original step $h = 10^{-5}$ (the naive loss is computed in float64; with the pixels' large values a bigger step would add curvature error). The softmax loss is smooth — no kinks — so every checked entry should agree.

// %%
// The naive loss is float64 inside, so the original course's small step works (see above).
const H = 1e-5;
seed(2);
const gradCheck = tryStep(() => {
  const [, grad] = softmaxLossNaive(W0, XDev, yDev, 0.0);
  const f = (w: tf.Tensor) => softmaxLossNaive(w, XDev, yDev, 0.0)[0];
  gradCheckSparse(f, W0, grad, 10, H);
  return checkGradient(f, W0, grad, { h: H, maxChecks: QUICK ? 100 : 200 });
}, ['softmax.gradcheck_passed']);
if (gradCheck) {
  console.log(`max relative error ${gradCheck.maxRelError.toExponential(2)} (tolerance ${gradCheck.tolerance.toExponential(2)}): ${gradCheck.passed ? 'passed' : 'FAILED'}`);
  record('softmax.gradcheck_passed', gradCheck.passed);
}
check('softmax.gradcheck_passed');

// With weights of ~1e-4, 2·reg·W is about a thousandth of the data gradient at a small reg, below the
// check's tolerance: a missing or halved regularisation gradient would pass. At reg = 1e5, reg·ΣW² is
// about as large as the data loss, so the regularisation term must be right for the check to pass.
const REG_CHECK = 1e5;
seed(3);
const gradCheckReg = tryStep(() => {
  const [, grad] = softmaxLossNaive(W0, XDev, yDev, REG_CHECK);
  const f = (w: tf.Tensor) => softmaxLossNaive(w, XDev, yDev, REG_CHECK)[0];
  gradCheckSparse(f, W0, grad, 10, H);
  return checkGradient(f, W0, grad, { h: H, maxChecks: QUICK ? 100 : 200 });
}, ['softmax.gradcheck_reg_passed']);
if (gradCheckReg) {
  console.log(`with regularisation: max relative error ${gradCheckReg.maxRelError.toExponential(2)}: ${gradCheckReg.passed ? 'passed' : 'FAILED'}`);
  record('softmax.gradcheck_reg_passed', gradCheckReg.passed);
}
check('softmax.gradcheck_reg_passed');

// The gradient at that strength, graded against the reference solution's.
const naiveReg = tryStep(() => softmaxLossNaive(W0, XDev, yDev, REG_CHECK), ['softmax.grad_naive_reg']);
if (naiveReg) record('softmax.grad_naive_reg', naiveReg[1]);

// %% [markdown]
// ## Vectorised loss
//
// Implement `softmaxLossVectorized` with tensor operations only and compare it with the naive version.

// %%
const vec = tryStep(() => softmaxLossVectorized(W0, XDev, yDev, 5e-6), ['softmax.loss_difference', 'softmax.grad_difference']);
const nai = vec && tryStep(() => softmaxLossNaive(W0, XDev, yDev, 5e-6), ['softmax.loss_difference', 'softmax.grad_difference']);
if (vec && nai) {
  record('softmax.loss_difference', Math.abs(vec[0] - nai[0]));
  record('softmax.grad_difference', tf.tidy(() => tf.norm(tf.sub(vec[1], nai[1])).dataSync()[0]));
  console.log(`naive loss ${nai[0].toFixed(6)}, vectorised loss ${vec[0].toFixed(6)}`);
  const tNaive = timeIt(() => tf.dispose(softmaxLossNaive(W0, XDev, yDev, 5e-6)[1]));
  const tVec = timeIt(() => tf.dispose(softmaxLossVectorized(W0, XDev, yDev, 5e-6)[1]));
  console.log(`naive ${tNaive.toFixed(1)} ms, vectorised ${tVec.toFixed(1)} ms: ${(tNaive / tVec).toFixed(0)}× faster`);
}
check('softmax.loss_difference');
check('softmax.grad_difference');

// %% [markdown]
// ## Tuning: coarse, then fine
//
// Train `Softmax` classifiers with minibatch SGD and search the learning rate and regularisation strength on a log scale, first coarse (wide ranges, few iterations), then fine (around the best, more iterations). Keep the best model in `bestSoftmax` and its validation accuracy in `bestVal`.

// %%
interface Trial { lr: number; reg: number; trainAcc: number; valAcc: number }
const results: Trial[] = [];
let bestVal = -1;
let bestSoftmax: Softmax | undefined;
let bestHistory: number[] = [];

/** Trains a Softmax classifier with the given hyper-parameters and records the trial. */
function runTrial(lr: number, reg: number, numIters: number): void {
  const model = new Softmax();
  const history = model.train(XTrain, yTrain, { learningRate: lr, reg, numIters, batchSize: 200 });
  const trainAcc = tf.tidy(() => accuracy(model.predict(XTrain), yTrain));
  const valAcc = tf.tidy(() => accuracy(model.predict(XVal), yVal));
  results.push({ lr, reg, trainAcc, valAcc });
  if (valAcc > bestVal) {
    bestVal = valAcc;
    bestSoftmax?.W?.dispose();
    bestSoftmax = model;
    bestHistory = history;
  } else {
    model.W?.dispose();
  }
}

seed(42);
// BEGIN SOLUTION: random search, coarse then fine. Coarse: sample learning rates and
// regularisation strengths log-uniformly over wide ranges (e.g. lr in 1e-8..1e-4, reg in 1e0..1e4),
// train each with few iterations (runTrial(lr, reg, iters)). Fine: sample again in a narrower range
// around the best coarse trial, with NUM_ITERS iterations. Show progress(...) over the trials.
const coarseTrials = QUICK ? 3 : 12;
const fineTrials = QUICK ? 2 : 6;
for (const _ of progress(coarseTrials, { label: 'coarse search' })) runTrial(logUniform(-8, -4), logUniform(0, 4), Math.round(NUM_ITERS / 3));
const bestCoarse = results.reduce((a, b) => (b.valAcc > a.valAcc ? b : a));
const [lrC, regC] = [Math.log10(bestCoarse.lr), Math.log10(bestCoarse.reg)];
for (const _ of progress(fineTrials, { label: 'fine search' })) runTrial(logUniform(lrC - 0.5, lrC + 0.5), logUniform(regC - 1, regC + 1), NUM_ITERS);
// END SOLUTION

for (const r of [...results].sort((a, b) => b.valAcc - a.valAcc).slice(0, 5)) {
  console.log(`lr ${r.lr.toExponential(2)}  reg ${r.reg.toExponential(2)}  train ${r.trainAcc.toFixed(3)}  val ${r.valAcc.toFixed(3)}`);
}
if (bestSoftmax) {
  console.log(`best validation accuracy: ${bestVal.toFixed(3)}`);
  record('softmax.best_val_accuracy', bestVal);
}
check('softmax.best_val_accuracy');

// %%
if (results.length) {
  plotScatter({
    points: results.map((r) => ({ x: Math.log10(r.lr), y: Math.log10(r.reg), color: r.valAcc })),
    title: 'Random search: validation accuracy',
    xLabel: 'log10 learning rate',
    yLabel: 'log10 regularisation strength',
    colorLabel: 'val accuracy',
  });
}
if (bestHistory.length) plotLines({ x: bestHistory.map((_, i) => i), series: { loss: bestHistory }, title: 'Training loss of the best model', xLabel: 'iteration', yLabel: 'loss' });

// %% [markdown]
// The test set, once, with the best model:

// %%
const softmaxTestAcc = bestSoftmax && record('softmax.test_accuracy', () => tf.tidy(() => accuracy(bestSoftmax!.predict(XTest), yTest)));
if (softmaxTestAcc !== undefined) console.log(`softmax test accuracy: ${softmaxTestAcc.toFixed(3)}`);

// %% [markdown]
// ## The learned templates

// %%
if (bestSoftmax?.W) {
    const templates = tf.tidy(() => bestSoftmax!.W!.slice([0, 0], [D - 1, C]).transpose().reshape([C, ...imageShape]));
  showImages(templates, { labels: classNames, normalize: true, scale: 3 });
  templates.dispose();
}

// %% [markdown]
// **Inline question 2.** *True or false:* adding a new training example that the classifier already gets right can leave the total SVM loss unchanged, but it always changes the softmax loss. Explain.
//
// <!-- BEGIN SOLUTION -->
// *Answer:* True. If the new example's correct score already beats every other score by at least the margin Δ, all of its hinge terms are $\max(0, \text{negative}) = 0$: its SVM loss is exactly 0, so the summed data loss does not change (and it contributes no gradient). Its softmax loss is $-\log P_{y_i}$, and $P_{y_i} < 1$ for any finite scores, so the loss is always strictly positive: the softmax is never fully satisfied and keeps pushing the correct probability towards 1. (The *average* loss changes in both cases because N grows; the point is about each example's own contribution.)
// <!-- END SOLUTION -->
