// %% [markdown]
// # A linear classifier with the multiclass SVM loss
//
// kNN memorised the training set. A **linear classifier** does the opposite: it summarises the training set in a small matrix of weights and throws the images away. Its **score function** maps an image (a row vector $x$ of $D$ pixels, with a 1 appended for the bias) to one score per class:
//
// $$s = f(x; W) = x\,W, \qquad W \in \mathbb{R}^{D \times C}.$$
//
// Prediction is one matrix product, however many images we trained on. Learning $W$ needs two more pieces:
//
// * a **loss function** that says how unhappy we are with the scores on the training data — here the multiclass **SVM (hinge) loss**;
// * an **optimiser** that changes $W$ to lower the loss — **stochastic gradient descent (SGD)**.
//
// In this notebook you will
//
// 1. write the SVM loss and its gradient with loops (`svmLossNaive`) and without (`svmLossVectorized`) in `cs231n/classifiers/linearSvm.ts`,
// 2. check the analytic gradient against a numerical one,
// 3. write minibatch SGD in `cs231n/classifiers/linearClassifier.ts`,
// 4. tune the learning rate and the regularisation strength on validation data,
// 5. look at what the classifier learned.

// %%
import { tf, quickMode, seed, randn, record, check, progress, plotLines, plotScatter, showImages, checkGradient, gradCheckSparse, tryStep, accuracy, timeIt, logUniform, notImplemented } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { svmLossNaive, svmLossVectorized } from './cs231n/classifiers/linearSvm';
import { LinearSVM } from './cs231n/classifiers/linearClassifier';

// Quick mode (TS231N_QUICK=1) runs the same code on fewer examples (1,000 training images) and iterations.
const QUICK = quickMode();
const NUM_ITERS = QUICK ? 150 : 1500;
seed(231);

// %% [markdown]
// ## Data and preprocessing
//
// `getData` returns the course's splits — training, **validation** (for choosing hyper-parameters), test (for the final number only) and a small **dev** set for quick experiments — with two standard preprocessing steps already applied:
//
// * the **mean training image** is subtracted from every image, so that pixel values are centred around zero (computed on the training split only: the validation and test sets must not leak into training);
// * a column of ones is appended (the **bias trick**), so that $xW$ includes a bias per class and $W$ is $(D+1) \times C$.

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
if (data.meanImage) showImages(data.meanImage.reshape([1, ...imageShape]), { labels: ['mean training image'], normalize: true, scale: 4 });

// %% [markdown]
// ## The SVM loss
//
// For one example $x_i$ with correct class $y_i$ and scores $s = x_i W$, the SVM wants the correct score to beat every other score by a **margin** $\Delta = 1$:
//
// $$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + \Delta).$$
//
// The full loss averages over the $N$ examples and adds **L2 regularisation**, which prefers small, spread-out weights (and so simpler models):
//
// $$L = \frac{1}{N}\sum_i L_i + \lambda \sum_{k,l} W_{k,l}^2 .$$
//
// (As in the original assignment there is no ½ in front of the regulariser, so its gradient is $2\lambda W$.)
//
// Implement `svmLossNaive` in `cs231n/classifiers/linearSvm.ts` with explicit loops over examples and classes. It returns `[loss, dW]`: the loss as a number and its gradient with respect to $W$ as a tensor of the same shape as $W$.
//
// **Sanity check:** with tiny random weights all scores are ≈ 0, so each of the $C - 1$ wrong classes contributes ≈ Δ = 1: the loss should be close to $C - 1 = 9$.

// %%
seed(1);
const W0 = randn([D, C]).mul(1e-4);
const naive = tryStep(() => svmLossNaive(W0, XDev, yDev, 0.0), ['svm.loss_naive', 'svm.grad_naive']);
if (naive) {
  const [lossNaive, gradNaive] = naive;
  record('svm.loss_naive', lossNaive);
  record('svm.grad_naive', gradNaive);
  console.log(`loss with small random weights: ${lossNaive.toFixed(4)} (expected about ${C - 1})`);
}
check('svm.loss_naive');

// %% [markdown]
// ## Gradient check
//
// An analytic gradient is easy to get subtly wrong, so we compare it with a **numerical** one: the centred difference $\frac{L(W + h e_k) - L(W - h e_k)}{2h}$ for a few randomly chosen entries $k$.
//
// TensorFlow.js computes in float32 (about 7 significant digits), not float64 as numpy does. `checkGradient` from the runtime judges a gradient with a tolerance that allows for float32 rounding and tells you whether it passes; `gradCheckSparse` prints numerical, analytic and relative error for a few entries so you can see what is going on.
//
// The step $h$ matters. The runtime's default, $h = 10^{-3}$, suits float32 losses of normalised inputs. Here the pixels are large (up to ±128 after mean subtraction), so moving one weight by $10^{-3}$ moves the scores by ~0.1 — enough to cross many hinges at once, and neither the centred nor a one-sided difference is then exact. Your naive loss loops in float64 on the host, so rounding noise is tiny and we can use the original course's $h = 10^{-5}$: then the errors drop to about $10^{-8}$, as in the original.
//
// Run the check without regularisation and again with it, at a strength where the regularisation term matters (reg = $10^5$: with weights of $10^{-4}$, $\lambda \sum W^2$ is then about as large as the data loss; at a small λ a wrong regularisation gradient hides below the check's tolerance).

// %%
// The naive loss is float64 inside, so the original course's small step works (see above).
const H = 1e-5;
seed(2);
const gradCheck = tryStep(() => {
  const [, grad] = svmLossNaive(W0, XDev, yDev, 0.0);
  const f = (w: tf.Tensor) => svmLossNaive(w, XDev, yDev, 0.0)[0];
  gradCheckSparse(f, W0, grad, 10, H);
  return checkGradient(f, W0, grad, { h: H, maxChecks: QUICK ? 100 : 200 });
}, ['svm.gradcheck_passed']);
if (gradCheck) console.log(`max relative error ${gradCheck.maxRelError.toExponential(2)} (tolerance ${gradCheck.tolerance.toExponential(2)}): ${gradCheck.passed ? 'passed' : 'FAILED'}`);
if (gradCheck) record('svm.gradcheck_passed', gradCheck.passed);
check('svm.gradcheck_passed');

// With weights of ~1e-4, 2·reg·W is about a thousandth of the data gradient at a small reg, below the
// check's tolerance: a missing or halved regularisation gradient would pass. At reg = 1e5, reg·ΣW² is
// about as large as the data loss, so the regularisation term must be right for the check to pass.
const REG_CHECK = 1e5;
seed(3);
const gradCheckReg = tryStep(() => {
  const [, grad] = svmLossNaive(W0, XDev, yDev, REG_CHECK);
  const f = (w: tf.Tensor) => svmLossNaive(w, XDev, yDev, REG_CHECK)[0];
  gradCheckSparse(f, W0, grad, 10, H);
  return checkGradient(f, W0, grad, { h: H, maxChecks: QUICK ? 100 : 200 });
}, ['svm.gradcheck_reg_passed']);
if (gradCheckReg) console.log(`with regularisation: max relative error ${gradCheckReg.maxRelError.toExponential(2)}: ${gradCheckReg.passed ? 'passed' : 'FAILED'}`);
if (gradCheckReg) record('svm.gradcheck_reg_passed', gradCheckReg.passed);
check('svm.gradcheck_reg_passed');

// The gradient at that strength, graded against the reference solution's.
const naiveReg = tryStep(() => svmLossNaive(W0, XDev, yDev, REG_CHECK), ['svm.grad_naive_reg']);
if (naiveReg) record('svm.grad_naive_reg', naiveReg[1]);

// %% [markdown]
// **Inline question 1.** Now and then one entry of a gradient check does not match exactly even though the analytic gradient is correct. What causes it for the SVM loss? Is it a reason to worry? Give a one-dimensional example where a numerical gradient would disagree with the analytic one. How would the chance of such a mismatch change if the margin Δ were larger?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* The hinge $\max(0, \cdot)$ has a **kink** at 0, where the function is not differentiable. If a margin $s_j - s_{y_i} + \Delta$ lies within $h$ of 0, the centred difference straddles the kink and averages the slopes on both sides, while the analytic gradient uses the slope of one side. It is not a reason to worry: the analytic gradient is correct everywhere except exactly at the kink. One-dimensional example: $f(x) = \max(0, x)$ at $x = 10^{-6}$ with $h = 10^{-5}$: the analytic derivative is 1, the numerical one is $(f(x+h) - f(x-h)) / 2h ≈ 0.55$. What matters is how many margins lie within $h$ of zero. With small weights all margins sit near Δ, so a larger Δ moves them farther from the kink and makes mismatches rarer (as does a smaller $h$); as training makes the margins spread out, some always end up near zero.
// <!-- END SOLUTION -->

// %% [markdown]
// ## Vectorised loss
//
// Now implement `svmLossVectorized` with tensor operations only — no loops. It must give the same loss and gradient as the naive version. We compare losses directly and gradients with the Frobenius norm of their difference, and time both.

// %%
const vec = tryStep(() => svmLossVectorized(W0, XDev, yDev, 5e-6), ['svm.loss_difference', 'svm.grad_difference']);
const nai = vec && tryStep(() => svmLossNaive(W0, XDev, yDev, 5e-6), ['svm.loss_difference', 'svm.grad_difference']);
if (vec && nai) {
  record('svm.loss_difference', Math.abs(vec[0] - nai[0]));
  record('svm.grad_difference', tf.tidy(() => tf.norm(tf.sub(vec[1], nai[1])).dataSync()[0]));
  console.log(`naive loss ${nai[0].toFixed(6)}, vectorised loss ${vec[0].toFixed(6)}`);
  const tNaive = timeIt(() => tf.dispose(svmLossNaive(W0, XDev, yDev, 5e-6)[1]));
  const tVec = timeIt(() => tf.dispose(svmLossVectorized(W0, XDev, yDev, 5e-6)[1]));
  console.log(`naive ${tNaive.toFixed(1)} ms, vectorised ${tVec.toFixed(1)} ms: ${(tNaive / tVec).toFixed(0)}× faster`);
}
check('svm.loss_difference');
check('svm.grad_difference');

// %% [markdown]
// ## Stochastic gradient descent
//
// The loss over all training images is expensive, and we don't need it exactly to know which way is downhill. **Minibatch SGD** estimates the gradient from a small random batch (200 images, drawn with replacement) and takes a small step against it:
//
// $$W \leftarrow W - \eta\, \nabla_W L_{\text{batch}}(W).$$
//
// Implement `train` and `predict` of `LinearClassifier` in `cs231n/classifiers/linearClassifier.ts`. `LinearSVM` is a subclass whose `loss` calls your vectorised SVM loss. Then run the cell: the loss should fall quickly and then level off.

// %%
seed(10);
const svm = new LinearSVM();
let lossHistory: number[] | undefined;
const trainMs = timeIt(() => {
  lossHistory = tryStep(() => svm.train(XTrain, yTrain, { learningRate: 1e-6, reg: 1e3, numIters: NUM_ITERS, batchSize: 200, verbose: false }));
});
if (lossHistory) {
  console.log(`${NUM_ITERS} iterations in ${(trainMs / 1000).toFixed(1)} s; loss ${lossHistory[0].toFixed(2)} → ${lossHistory[lossHistory.length - 1].toFixed(2)}`);
  plotLines({ x: lossHistory.map((_, i) => i), series: { loss: lossHistory }, title: 'SVM training loss', xLabel: 'iteration', yLabel: 'loss' });
  const predTrain = tryStep(() => svm.predict(XTrain));
  const predVal = tryStep(() => svm.predict(XVal));
  if (predTrain && predVal) console.log(`training accuracy ${accuracy(predTrain, yTrain).toFixed(3)}, validation accuracy ${accuracy(predVal, yVal).toFixed(3)}`);
  if (predTrain) predTrain.dispose();
  if (predVal) predVal.dispose();
}

// %% [markdown]
// ## Tuning hyper-parameters: coarse, then fine
//
// The learning rate $\eta$ and the regularisation strength $\lambda$ are hyper-parameters. We choose them on the **validation set**, following lecture 6's recipe:
//
// * sample them **at random, on a log scale** (a step from $10^{-7}$ to $10^{-6}$ matters as much as one from $10^{-6}$ to $10^{-5}$) — random search covers each hyper-parameter's range better than a grid does;
// * start **coarse**: a wide range and few iterations, to find the region where training works at all;
// * then go **fine**: a narrower range around the best results, with more iterations.
//
// Write the search below. Every trial goes into `results`, which the next cell plots; keep the classifier with the best validation accuracy in `bestSvm` and its accuracy in `bestVal`.

// %%
interface Trial { lr: number; reg: number; trainAcc: number; valAcc: number }
const results: Trial[] = [];
let bestVal = -1;
let bestSvm: LinearSVM | undefined;

/** Trains a LinearSVM with the given hyper-parameters and records the trial. */
function runTrial(lr: number, reg: number, numIters: number): void {
  const model = new LinearSVM();
  model.train(XTrain, yTrain, { learningRate: lr, reg, numIters, batchSize: 200 });
  const trainAcc = tf.tidy(() => accuracy(model.predict(XTrain), yTrain));
  const valAcc = tf.tidy(() => accuracy(model.predict(XVal), yVal));
  results.push({ lr, reg, trainAcc, valAcc });
  if (valAcc > bestVal) {
    bestVal = valAcc;
    bestSvm?.W?.dispose();
    bestSvm = model;
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
if (bestSvm) console.log(`best validation accuracy: ${bestVal.toFixed(3)}`);
if (bestSvm) record('svm.best_val_accuracy', bestVal);
check('svm.best_val_accuracy');

// %% [markdown]
// Each point is one trial: its position gives the hyper-parameters (on log scales), its colour the validation accuracy. You should see a band of good learning rates, with accuracy falling off when the regularisation gets too strong.

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

// %% [markdown]
// Only now do we touch the test set, once, with the best model.

// %%
const svmTestAcc = bestSvm && record('svm.test_accuracy', () => tf.tidy(() => accuracy(bestSvm!.predict(XTest), yTest)));
if (svmTestAcc !== undefined) console.log(`linear SVM test accuracy: ${svmTestAcc.toFixed(3)}`);

// %% [markdown]
// ## What did it learn?
//
// Each column of $W$ (without the bias row) has one weight per pixel, so we can draw it as an image: a **template** of its class. The score of a class is the dot product of the image with its template — kNN compares an image with thousands of training images, a linear classifier with one learned image per class.

// %%
if (bestSvm?.W) {
    const templates = tf.tidy(() => bestSvm!.W!.slice([0, 0], [D - 1, C]).transpose().reshape([C, ...imageShape]));
  showImages(templates, { labels: classNames, normalize: true, scale: 3 });
  templates.dispose();
}

// %% [markdown]
// **Inline question 2.** Describe the templates. Why do they look like blurry averages of their class, and why can a single template per class never be a perfect classifier?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* Each template looks like a soft silhouette of its class — the outline of a shirt, a trouser with two legs, a shoe seen from the side — with positive weights where that class tends to have bright pixels and negative weights where other, easily confused classes do. Training pushes the template towards the average of its class (to raise the correct scores) and away from the images of other classes (to lower wrong scores above the margin), so it ends up as a blend of all the class's examples, which is blurry. One template per class cannot capture several different modes of the same class (a sandal and an ankle boot, a shirt seen with or without a pattern, a horse facing left or right in CIFAR-10): it must average them, and images in between, or images that look like another class's average, will be scored wrongly. A linear classifier can only draw one hyperplane per class in pixel space.
// <!-- END SOLUTION -->
