// %% [markdown]
// # A two-layer neural network
//
// A linear classifier draws one template per class. A **neural network** stacks simple layers so that it can learn many intermediate templates and combine them. Ours has two layers:
//
// $$h = \max(0,\; X W_1 + b_1), \qquad s = h\,W_2 + b_2,$$
//
// followed by the softmax loss on the scores $s$. The **ReLU** $\max(0, \cdot)$ between the layers is what makes the network more than a linear classifier: without it, $X W_1 W_2$ would be just another linear function.
//
// You will implement the forward pass, the loss and the **backward pass** (backpropagation: the chain rule applied layer by layer, from the loss back to every parameter) in `cs231n/classifiers/neuralNet.ts`, check it on a tiny toy problem, and then train it on real images. Most of the notebook is about something just as important: **how to babysit training** — the checks from lecture 6 that tell you whether learning is working and how to fix it when it isn't.

// %%
import { tf, quickMode, seed, randn, randomUniformNumber, record, check, progress, plotLines, plotScatter, showImages, visGrid, checkGradient, relError, tryStep, accuracy, notImplemented } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { TwoLayerNet, TwoLayerParams } from './cs231n/classifiers/neuralNet';

// Quick mode (TS231N_QUICK=1) runs the same code on fewer examples (1,000 training images) and iterations.
const QUICK = quickMode();
seed(231);

// %% [markdown]
// ## A toy problem first
//
// Debug on something small, where every number can be printed and checked. The toy network has 4 inputs, 10 hidden units and 3 classes; the toy data is 5 examples. Both come from fixed seeds, so your numbers must match the reference exactly (up to float32 rounding).

// %%
const TOY = { inputSize: 4, hiddenSize: 10, numClasses: 3, numInputs: 5 };

/** The toy network: seeded weights with std 0.1. */
function initToyModel(): TwoLayerNet {
  seed(0);
  return new TwoLayerNet(TOY.inputSize, TOY.hiddenSize, TOY.numClasses, 1e-1);
}
/** The toy data: 5 seeded examples scaled by 10, labels [0, 1, 2, 2, 1]. */
function initToyData(): [tf.Tensor2D, tf.Tensor1D] {
  seed(1);
  return [randn([TOY.numInputs, TOY.inputSize]).mul(10) as tf.Tensor2D, tf.tensor1d([0, 1, 2, 2, 1], 'int32')];
}
const toyNet = initToyModel();
const [toyX, toyY] = initToyData();

/**
 * A second toy, with hand-picked weights (evenly spaced numbers) instead of random ones. Its
 * correct scores and loss ship with the notebook in checks.json, so `check` can tell you at once
 * whether your forward pass is right.
 */
function publicToy(): { net: TwoLayerNet; X: tf.Tensor2D; y: tf.Tensor1D } {
  const net = new TwoLayerNet(4, 5, 3);
  net.dispose();
  net.params = {
    W1: tf.linspace(-0.5, 0.6, 20).reshape([4, 5]),
    b1: tf.linspace(-0.1, 0.2, 5),
    W2: tf.linspace(-0.4, 0.3, 15).reshape([5, 3]),
    b2: tf.linspace(-0.1, 0.1, 3),
  };
  return { net, X: tf.linspace(-2, 3, 12).reshape([3, 4]) as tf.Tensor2D, y: tf.tensor1d([0, 1, 2], 'int32') };
}
const pub = publicToy();

// %% [markdown]
// ### Forward pass: scores
//
// Implement the first part of `TwoLayerNet.loss`: when no labels are given it returns the scores, a tensor of shape $N \times C$.

// %%
const toyScores = record('twolayer.toy_scores', () => toyNet.loss(toyX));
if (toyScores) toyScores.print();
// The public self-check runs your code on the hand-picked toy.
check('twolayer.public_toy_scores', () => pub.net.loss(pub.X));

// %% [markdown]
// ### Forward pass: loss
//
// Now the loss: the softmax data loss averaged over the examples plus $\lambda(\sum W_1^2 + \sum W_2^2)$ (no ½, biases are not regularised), with $\lambda = 0.05$ here.

// %%
const toyLoss = record('twolayer.toy_loss', () => {
  const [loss, grads] = toyNet.loss(toyX, toyY, 0.05);
  tf.dispose(Object.values(grads));
  return loss;
});
if (toyLoss !== undefined) console.log(`toy loss: ${toyLoss}`);
check('twolayer.public_toy_loss', () => {
  const [loss, grads] = pub.net.loss(pub.X, pub.y, 0.05);
  tf.dispose(Object.values(grads));
  return loss;
});

// %% [markdown]
// ### Backward pass
//
// Finish `loss` with the gradients of every parameter. Work backwards through the graph you built: scores → $W_2, b_2$ and the hidden layer → through the ReLU (which passes gradient only where its input was positive) → $W_1, b_1$. Then check each gradient numerically.

// %%
const PARAMS = ['W1', 'b1', 'W2', 'b2'] as const;
const toyGradCheck = tryStep(() => {
  const [, grads] = toyNet.loss(toyX, toyY, 0.05);
  const verdicts = PARAMS.map((name) => {
    // The loss as a function of one parameter, the others held fixed.
    const f = (p: tf.Tensor) => {
      const saved = toyNet.params;
      toyNet.params = { ...saved, [name]: p } as TwoLayerParams;
      const [loss, g] = toyNet.loss(toyX, toyY, 0.05);
      tf.dispose(Object.values(g));
      toyNet.params = saved;
      return loss;
    };
    const result = checkGradient(f, toyNet.params[name], grads[name]);
    console.log(`${name}: max relative error ${result.maxRelError.toExponential(2)} (tolerance ${result.tolerance.toExponential(2)}) ${result.passed ? '✓' : '✗'}`);
    return result.passed;
  });
  tf.dispose(Object.values(grads));
  return verdicts.every((v) => v);
}, ['twolayer.toy_gradcheck_passed']);
if (toyGradCheck !== undefined) record('twolayer.toy_gradcheck_passed', toyGradCheck);
check('twolayer.toy_gradcheck_passed');

// %% [markdown]
// ### Training on the toy data
//
// Implement `train` (minibatch SGD, with the learning rate decayed once per epoch) and `predict`. On the toy data the network should drive the loss close to zero: it has far more parameters than there are examples.

// %%
const toyTrain = tryStep(() => {
  const net = initToyModel();
  const stats = net.train(toyX, toyY, toyX, toyY, { learningRate: 1e-1, reg: 5e-6, numIters: 100, verbose: false });
  net.dispose();
  return stats;
}, ['twolayer.toy_final_loss']);
if (toyTrain) {
  const final = toyTrain.lossHistory[toyTrain.lossHistory.length - 1];
  record('twolayer.toy_final_loss', final);
  console.log(`final training loss: ${final.toFixed(4)}`);
  plotLines({ x: toyTrain.lossHistory.map((_, i) => i), series: { loss: toyTrain.lossHistory }, title: 'Toy training loss', xLabel: 'iteration', yLabel: 'loss' });
}
check('twolayer.toy_final_loss');

// %% [markdown]
// ## Real data
//
// Now the real images, as rows with the mean image subtracted (no bias column: the network has its own biases).

// %%
const data = await getData({ subtractMean: true, reshapeRows: true, addBias: false, ...(QUICK ? { numTraining: 1000, numValidation: 200, numTest: 200, numDev: 50 } : {}) });
const { XTrain, yTrain, XVal, yVal, XTest, yTest, classNames } = data;
const D = XTrain.shape[1]!;
const C = classNames.length;
// Each row is an image of this shape (height, width, channels).
const imageShape = data.name === 'cifar10' ? [32, 32, 3] : [28, 28, 1];
console.log(`train [${XTrain.shape.join(', ')}], val [${XVal.shape.join(', ')}], test [${XTest.shape.join(', ')}]`);

// %% [markdown]
// ## Babysitting the learning process
//
// Before spending minutes on training, spend seconds on checks that catch most bugs (lecture 6):
//
// 1. **Loss at initialisation.** With small weights the loss must be ≈ ln C; adding regularisation must raise it.
// 2. **Overfit a tiny subset.** With 20 examples and no regularisation, a correct network reaches 100 % training accuracy. If it can't, something is broken — no point in training on everything.
// 3. **Find a learning rate that makes the loss go down.** Too small: the loss hardly moves. Too large: it explodes to `NaN` or `Infinity`.

// %%
seed(5);
const sanityNet = new TwoLayerNet(D, 50, C);
const initLosses = tryStep(() => [0, 1e3].map((reg) => {
  const [loss, grads] = sanityNet.loss(XTrain.slice(0, 200), yTrain.slice(0, 200), reg);
  tf.dispose(Object.values(grads));
  return loss;
}));
if (initLosses) console.log(`loss at init: ${initLosses[0].toFixed(4)} (ln ${C} = ${Math.log(C).toFixed(4)}); with reg = 1e3: ${initLosses[1].toFixed(4)}`);
sanityNet.dispose();

// %%
seed(6);
const tinyX = XTrain.slice(0, 20);
const tinyY = yTrain.slice(0, 20);
const overfit = tryStep(() => {
  const net = new TwoLayerNet(D, 50, C, 1e-3);
  const stats = net.train(tinyX, tinyY, tinyX, tinyY, { learningRate: 1e-3, learningRateDecay: 1, reg: 0, numIters: 200, batchSize: 20 });
  const acc = accuracy(net.predict(tinyX), tinyY);
  net.dispose();
  return { stats, acc };
});
if (overfit) {
  console.log(`training accuracy on 20 examples after 200 iterations: ${overfit.acc.toFixed(2)}`);
  plotLines({ x: overfit.stats.lossHistory.map((_, i) => i), series: { loss: overfit.stats.lossHistory }, title: 'Overfitting 20 examples', xLabel: 'iteration', yLabel: 'loss' });
}

// %%
const lrCurves: Record<string, number[]> = {};
for (const lr of progress([1e-7, 1e-4, 1e-1], { label: 'learning rates' })) {
  seed(7);
  const run = tryStep(() => {
    const net = new TwoLayerNet(D, 50, C);
    const stats = net.train(XTrain, yTrain, XVal, yVal, { learningRate: lr, reg: 0.25, numIters: 100, batchSize: 200 });
    net.dispose();
    return stats.lossHistory;
  });
  // Exploded losses are drawn at a cap so that the plot stays readable.
  if (run) lrCurves[`lr = ${lr}`] = run.map((l) => (Number.isFinite(l) ? Math.min(l, 10) : 10));
}
if (Object.keys(lrCurves).length) plotLines({ x: [...Array(100).keys()], series: lrCurves, title: 'Loss for three learning rates (capped at 10)', xLabel: 'iteration', yLabel: 'loss' });

// %% [markdown]
// ## Training a first network
//
// A network with 50 hidden units, trained with SGD for 1,000 iterations (learning rate 1e-4 decayed by 0.95 per epoch, regularisation 0.25). A progress bar follows the iterations.

// %%
const NUM_ITERS = QUICK ? 150 : 1000;
seed(10);
const net = new TwoLayerNet(D, 50, C);
const firstRun = tryStep(() => {
  const bar = progress(NUM_ITERS, { label: 'training' });
  const stats = net.train(XTrain, yTrain, XVal, yVal, {
    learningRate: 1e-4, learningRateDecay: 0.95, reg: 0.25, numIters: NUM_ITERS, batchSize: 200,
    onIteration: (it) => bar.update(it + 1),
  });
  bar.done();
  return stats;
}, ['twolayer.val_accuracy']);
const valAcc = firstRun && record('twolayer.val_accuracy', () => accuracy(net.predict(XVal), yVal));
if (valAcc !== undefined) console.log(`validation accuracy: ${valAcc.toFixed(3)}`);
check('twolayer.val_accuracy');

// %% [markdown]
// ### Debugging the training
//
// When accuracy is disappointing, look at three pictures:
//
// * the **loss curve**: roughly linear decrease suggests the learning rate is too low; a quick drop and then a plateau, too high;
// * the **training and validation accuracy** per epoch: no gap at all means the model is too small (underfitting); a large gap means overfitting — more regularisation or more data;
// * the **first-layer weights**, drawn as images: trained weights show structure (edges, outlines of garments); noise means they have barely moved.

// %%
if (firstRun) {
  plotLines({ x: firstRun.lossHistory.map((_, i) => i), series: { loss: firstRun.lossHistory }, title: 'Training loss', xLabel: 'iteration', yLabel: 'loss' });
  plotLines({ x: firstRun.trainAccHistory.map((_, i) => i), series: { train: firstRun.trainAccHistory, validation: firstRun.valAccHistory }, title: 'Accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy' });
  const W1Images = tf.tidy(() => net.params.W1.transpose().reshape([-1, ...imageShape]));
  visGrid(W1Images, { title: 'First-layer weights' });
  W1Images.dispose();
}

// %% [markdown]
// ### The update-to-weight ratio
//
// One more number worth watching: how big one SGD step is compared with the weights themselves. Lecture 6's rule of thumb is a ratio of about **1e-3** per update. Much smaller (say 1e-6): the learning rate is too low. Much larger (1e-1): too high.

// %%
const ratios = firstRun && tryStep(() => {
  const lr = 1e-4 * 0.95 ** Math.floor(NUM_ITERS / (XTrain.shape[0] / 200));
  const [, grads] = net.loss(XTrain.slice(0, 200), yTrain.slice(0, 200), 0.25);
  const out = Object.fromEntries(PARAMS.filter((n) => n.startsWith('W')).map((name) => [
    name,
    tf.tidy(() => tf.norm(grads[name]).mul(lr).div(tf.norm(net.params[name])).dataSync()[0]),
  ]));
  tf.dispose(Object.values(grads));
  return out;
});
if (ratios) for (const [name, r] of Object.entries(ratios)) console.log(`${name}: update / weight ≈ ${r.toExponential(2)}`);

// %% [markdown]
// ## Tuning
//
// Our first network is a starting point. Use what the pictures told you and search over the hidden layer size, the learning rate, its decay, the regularisation strength and the number of iterations (coarse to fine, on log scales). Keep the network with the best validation accuracy in `bestNet` and the accuracy in `bestVal`.

// %%
interface NetTrial { hidden: number; lr: number; reg: number; iters: number; valAcc: number }
const trials: NetTrial[] = [];
let bestNet: TwoLayerNet | undefined;
let bestVal = -1;

/** Trains one network and keeps it if it beats the best validation accuracy so far. */
function tryNet(hidden: number, lr: number, reg: number, iters: number, decay = 0.95): void {
  const candidate = new TwoLayerNet(D, hidden, C, 1e-3);
  candidate.train(XTrain, yTrain, XVal, yVal, { learningRate: lr, learningRateDecay: decay, reg, numIters: iters, batchSize: 200 });
  const acc = accuracy(candidate.predict(XVal), yVal);
  trials.push({ hidden, lr, reg, iters, valAcc: acc });
  if (acc > bestVal) {
    bestNet?.dispose();
    bestNet = candidate;
    bestVal = acc;
  } else {
    candidate.dispose();
  }
}

seed(42);
// BEGIN SOLUTION: tune the hyper-parameters. For example: a coarse random search over learning
// rate (log-uniform), regularisation (log-uniform) and hidden size with few iterations, then
// longer training of the best settings, each through tryNet(hidden, lr, reg, iters).
// Wrap the loops in progress(...). Aim for a validation accuracy of at least 0.86 on Fashion-MNIST.
const coarse = QUICK ? 2 : 8;
for (const _ of progress(coarse, { label: 'coarse search' })) {
  tryNet(100, 10 ** randomUniformNumber(-4, -2.5), 10 ** randomUniformNumber(-3, 0), QUICK ? 80 : 600);
}
const bestCoarse = trials.reduce((a, b) => (b.valAcc > a.valAcc ? b : a));
for (const hidden of progress(QUICK ? [100] : [200, 300], { label: 'long runs' })) {
  tryNet(hidden, bestCoarse.lr, bestCoarse.reg, QUICK ? 200 : 4000);
}
// END SOLUTION

for (const t of [...trials].sort((a, b) => b.valAcc - a.valAcc).slice(0, 5)) {
  console.log(`hidden ${t.hidden}  lr ${t.lr.toExponential(2)}  reg ${t.reg.toExponential(2)}  iters ${t.iters}  val ${t.valAcc.toFixed(3)}`);
}
if (bestNet) {
  console.log(`best validation accuracy: ${bestVal.toFixed(3)}`);
  record('twolayer.best_val_accuracy', bestVal);
}
check('twolayer.best_val_accuracy');

// %%
if (trials.length) {
  plotScatter({
    points: trials.map((t) => ({ x: Math.log10(t.lr), y: Math.log10(t.reg), color: t.valAcc })),
    title: 'Tuning the two-layer net: validation accuracy',
    xLabel: 'log10 learning rate',
    yLabel: 'log10 regularisation strength',
    colorLabel: 'val accuracy',
  });
}
if (bestNet) {
  const W1Best = tf.tidy(() => bestNet!.params.W1.transpose().reshape([-1, ...imageShape]));
  visGrid(W1Best, { title: 'First-layer weights of the best network' });
  W1Best.dispose();
}

// %% [markdown]
// Finally, the test set — once:

// %%
const testAcc = bestNet && record('twolayer.test_accuracy', () => accuracy(bestNet!.predict(XTest), yTest));
if (testAcc !== undefined) console.log(`two-layer net test accuracy: ${testAcc.toFixed(3)}`);

// %% [markdown]
// **Inline question.** After training, the training accuracy is often clearly higher than the validation accuracy. Which of the following can shrink that gap? Explain each.
//
// 1. Train on a larger data set.
// 2. Add more hidden units.
// 3. Increase the regularisation strength.
// 4. None of the above.
//
// <!-- BEGIN SOLUTION -->
// *Answer:* 1 and 3.
//
// A large train–validation gap means overfitting: the network fits details of its training examples that do not generalise. More training data (1) makes those details harder to memorise and pulls the training accuracy towards what generalises. A stronger L2 penalty (3) prefers smaller, smoother weights, lowering the capacity the network actually uses. More hidden units (2) *increase* capacity, so they usually widen the gap (although together with enough regularisation a bigger network can still end up better on validation).
// <!-- END SOLUTION -->
