// %% [markdown]
// # Fully-connected neural networks
//
// In assignment 1 you wrote a two-layer network as one function that computed the loss and all the gradients at once. That does not scale: a deeper network, or a different layer in the middle, would mean rewriting everything. Here we build networks from **modular layers** instead.
//
// Every layer has a **forward** function that takes inputs (and weights) and returns an output and a **cache**, the values the backward pass will need:
//
// ```ts
// function layerForward(x, w) {
//   // compute the output z
//   const cache = { x, w, z };  // whatever the backward pass needs
//   return [out, cache];
// }
// ```
//
// and a **backward** function that takes the upstream gradient $\partial L / \partial \text{out}$ and the cache, and returns the gradient with respect to every input and weight:
//
// ```ts
// function layerBackward(dout, cache) {
//   const { x, w, z } = cache;
//   // use the chain rule: dx = dout · ∂out/∂x, dw = dout · ∂out/∂w
//   return [dx, dw];
// }
// ```
//
// This is backpropagation on a computational graph, one node at a time: each node only knows its *local* gradient and multiplies it by the gradient that flows in from above. Once the layers exist, a network of any depth is a few lines, and the same layers serve every architecture.
//
// You will write the layers in `cs231n/layers.ts`, the two nets in `cs231n/classifiers/fcNet.ts` and the update rules in `cs231n/optim.ts`. The `Solver` in `cs231n/solver.ts` (given) trains any model that follows the same conventions.

// %%
import { tf, quickMode, seed, randn, randint, record, check, progress, plotLines, showTable, checkGradient, tryStep, checkLayer, checkNet, notImplemented } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { affineForward, affineBackward, reluForward, reluBackward, svmLoss, softmaxLoss } from './cs231n/layers';
import { affineReluForward, affineReluBackward } from './cs231n/layerUtils';
import { TwoLayerNet, FullyConnectedNet, Params } from './cs231n/classifiers/fcNet';
import { sgdMomentum, rmsprop, adam, OptimConfig } from './cs231n/optim';
import { Solver } from './cs231n/solver';

// Quick mode (TS231N_QUICK=1) runs the same code on less data and fewer epochs, and the gradient
// checks of whole nets look at 50 entries of each parameter (all of the smaller ones).
const QUICK = quickMode();
seed(231);

// %% [markdown]
// ## The data
//
// Images as `(N, C, H, W)` tensors with the mean training image subtracted, as in the original assignment. The affine layer flattens each image into a row itself.

// %%
const data = await getData({ channelsFirst: true, subtractMean: true, ...(QUICK ? { numTraining: 2000, numValidation: 500, numTest: 500 } : {}) });
const { XTrain, yTrain, XVal, yVal, XTest, yTest, classNames } = data;
const D = XTrain.size / XTrain.shape[0];
const C = classNames.length;
console.log(`train [${XTrain.shape.join(', ')}], val [${XVal.shape.join(', ')}], test [${XTest.shape.join(', ')}]; ${D} numbers per image, ${C} classes`);

// %% [markdown]
// ## Affine layer: forward
//
// Implement `affineForward`. An input of shape $(N, d_1, \dots, d_k)$ is reshaped into $N$ rows of $D = d_1 \cdots d_k$ numbers, then $\text{out} = x W + b$.
//
// The public check uses the original assignment's evenly spaced inputs, whose correct output is known.

// %%
check('fc.public_affine_forward', () => {
  const x = tf.linspace(-0.1, 0.5, 2 * 120).reshape([2, 4, 5, 6]);
  const w = tf.linspace(-0.2, 0.3, 120 * 3).reshape([120, 3]);
  const b = tf.linspace(-0.3, 0.1, 3);
  return affineForward(x, w, b)[0];
});
seed(1);
const affX = randn([3, 2, 4, 4]);
const affW = randn([32, 6]).mul(0.5);
const affB = randn([6]);
const affOut = record('fc.affine_forward', () => affineForward(affX, affW, affB)[0]);
if (affOut) affOut.print();

// %% [markdown]
// ## Affine layer: backward
//
// Implement `affineBackward`. With $\text{out} = x W + b$ and upstream gradient $d\text{out}$ of shape $(N, M)$:
// $dx = d\text{out}\, W^\top$ (reshaped back to $x$'s shape), $dW = x^\top d\text{out}$, $db = \sum_i d\text{out}_i$.
// The numerical gradient check compares your formulas with centred differences of the forward pass.

// %%
seed(2);
const affDout = randn([3, 6]);
const affGrads = tryStep(() => {
  const [, cache] = affineForward(affX, affW, affB);
  const [dx, dw, db] = affineBackward(affDout, cache);
  record('fc.affine_backward', { dx, dw, db });
  return [
    checkLayer('dx', (v) => affineForward(v, affW, affB)[0], affX, affDout, dx),
    checkLayer('dw', (v) => affineForward(affX, v, affB)[0], affW, affDout, dw),
    checkLayer('db', (v) => affineForward(affX, affW, v)[0], affB, affDout, db),
  ].every((p) => p);
}, ['fc.affine_backward', 'fc.affine_gradcheck_passed']);
if (affGrads !== undefined) record('fc.affine_gradcheck_passed', affGrads);
check('fc.affine_gradcheck_passed');

// %% [markdown]
// ## ReLU layer
//
// Implement `reluForward` ($\max(0, x)$, elementwise) and `reluBackward` (the gradient passes where $x > 0$ and is zero elsewhere).

// %%
check('fc.public_relu_forward', () => reluForward(tf.linspace(-0.5, 0.5, 12).reshape([3, 4]))[0]);
seed(3);
const reluX = randn([5, 7]);
const reluDout = randn([5, 7]);
record('fc.relu_forward', () => reluForward(reluX)[0]);
const reluOk = tryStep(() => {
  const [, cache] = reluForward(reluX);
  const dx = reluBackward(reluDout, cache);
  record('fc.relu_backward', dx);
  return checkLayer('dx', (v) => reluForward(v)[0], reluX, reluDout, dx);
}, ['fc.relu_backward', 'fc.relu_gradcheck_passed']);
if (reluOk !== undefined) record('fc.relu_gradcheck_passed', reluOk);
check('fc.relu_gradcheck_passed');

// %% [markdown]
// **Inline question 1.** We have only asked you to implement ReLU, but there are many activation functions one could use (the TrainingLabs notebook plots them). Which of sigmoid, ReLU and leaky ReLU can have a zero (or almost zero) gradient flowing backwards? What one-dimensional input would cause it for each?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* sigmoid and ReLU. The sigmoid saturates: for large $|x|$ (say $x = 10$ or $x = -10$) its local gradient $\sigma(x)(1-\sigma(x))$ is almost 0. ReLU has gradient exactly 0 for every negative input, e.g. $x = -1$; a unit that only ever sees negative inputs is "dead" and never learns again. Leaky ReLU keeps a small slope (e.g. 0.01) for negative inputs, so its gradient is never zero.
// <!-- END SOLUTION -->

// %% [markdown]
// ## "Sandwich" layers
//
// Some layers always come in the same order, so `cs231n/layerUtils.ts` (given) combines them: `affineReluForward` / `affineReluBackward` run an affine layer followed by a ReLU. Check that the pieces fit together:

// %%
seed(4);
const sandX = randn([2, 3, 4]);
const sandW = randn([12, 10]);
const sandB = randn([10]);
const sandDout = randn([2, 10]);
tryStep(() => {
  const [, cache] = affineReluForward(sandX, sandW, sandB);
  const [dx, dw, db] = affineReluBackward(sandDout, cache);
  checkLayer('dx', (v) => affineReluForward(v, sandW, sandB)[0], sandX, sandDout, dx);
  checkLayer('dw', (v) => affineReluForward(sandX, v, sandB)[0], sandW, sandDout, dw);
  checkLayer('db', (v) => affineReluForward(sandX, sandW, v)[0], sandB, sandDout, db);
});

// %% [markdown]
// ## Loss layers: softmax and SVM
//
// You wrote these losses in assignment 1. `svmLoss(x, y)` and `softmaxLoss(x, y)` take the scores directly (no weights) and return the loss and its gradient with respect to the scores. With tiny random scores the SVM loss is about $C - 1 = 9$ and the softmax loss about $\ln C \approx 2.3$.

// %%
seed(5);
const lossX = randn([50, 10]).mul(0.001);
const lossY = randint(0, 10, [50]);
for (const [name, fn] of [['svm', svmLoss], ['softmax', softmaxLoss]] as const) {
  const ok = tryStep(() => {
    const [loss, dx] = fn(lossX, lossY);
    record(`fc.${name}_loss`, { loss, dx });
    console.log(`${name} loss: ${loss.toFixed(4)}`);
    const result = checkGradient((v) => fn(v, lossY)[0], lossX, dx);
    console.log(`${name} dx: max relative error ${result.maxRelError.toExponential(2)} ${result.passed ? '✓' : '✗'}`);
    return result.passed;
  }, [`fc.${name}_loss`, `fc.${name}_gradcheck_passed`]);
  if (ok !== undefined) record(`fc.${name}_gradcheck_passed`, ok);
}
check('fc.svm_loss', () => svmLoss(lossX, lossY)[0]);
check('fc.softmax_loss', () => softmaxLoss(lossX, lossY)[0]);

// %% [markdown]
// ## A two-layer network
//
// Implement `TwoLayerNet` in `cs231n/classifiers/fcNet.ts` with the layers you have: affine – ReLU – affine – softmax. Its parameters live in `net.params` (`W1`, `b1`, `W2`, `b2`), `loss(X)` returns the scores and `loss(X, y)` the loss and the gradients. Unlike assignment 1, the regularisation is $\frac{1}{2}\lambda \sum W^2$, so its gradient is simply $\lambda W$.
//
// The public checks use the original assignment's hand-picked parameters.

// %%
/** The original's test net: 5 inputs, 50 hidden units, 7 classes, evenly spaced parameters. */
function linspaceNet(): [TwoLayerNet, tf.Tensor, tf.Tensor] {
  const net = new TwoLayerNet({ inputDim: 5, hiddenDim: 50, numClasses: 7, weightScale: 1e-2 });
  net.dispose();
  net.params = {
    W1: tf.linspace(-0.7, 0.3, 5 * 50).reshape([5, 50]),
    b1: tf.linspace(-0.1, 0.9, 50),
    W2: tf.linspace(-0.3, 0.4, 50 * 7).reshape([50, 7]),
    b2: tf.linspace(-0.9, 0.1, 7),
  };
  const X = tf.linspace(-5.5, 4.5, 3 * 5).reshape([5, 3]).transpose();
  return [net, X, tf.tensor1d([0, 5, 1], 'int32')];
}
check('fc.public_two_layer_scores', () => linspaceNet()[0].loss(linspaceNet()[1]));
check('fc.public_two_layer_loss', () => {
  const [net, X, y] = linspaceNet();
  return net.loss(X, y)[0];
});
check('fc.public_two_layer_loss_reg', () => {
  const [net, X, y] = linspaceNet();
  net.reg = 0.7;
  return net.loss(X, y)[0];
});

// %%
seed(6);
const twoX = randn([4, 8]);
const twoY = randint(0, 5, [4]);
const twoNet = tryStep(() => new TwoLayerNet({ inputDim: 8, hiddenDim: 10, numClasses: 5, weightScale: 0.1 }));
if (twoNet) {
  record('fc.two_layer_scores', () => twoNet.loss(twoX));
  for (const [reg, tag] of [[0, 'reg0'], [0.7, 'reg07']] as const) {
    twoNet.reg = reg;
    const ok = tryStep(() => {
      const [loss, grads] = twoNet.loss(twoX, twoY);
      record(`fc.two_layer_loss_${tag}`, { loss, ...grads });
      console.log(`reg = ${reg}: loss ${loss.toFixed(5)}`);
      return checkNet(twoNet, twoX, twoY, { maxChecks: QUICK ? 50 : undefined });
    }, [`fc.two_layer_loss_${tag}`, `fc.two_layer_gradcheck_${tag}`]);
    if (ok !== undefined) record(`fc.two_layer_gradcheck_${tag}`, ok);
  }
}
check('fc.two_layer_gradcheck_reg0');
check('fc.two_layer_gradcheck_reg07');

// %% [markdown]
// ## The Solver
//
// The `Solver` (given, in `cs231n/solver.ts`) separates *how to train* from *what to train*: it samples minibatches, calls the model's `loss`, applies an update rule to every parameter, decays the learning rate once per epoch, measures training and validation accuracy, and keeps the parameters with the best validation accuracy. It also owns the tensors it creates, so a long training loop does not leak memory, and it shows a progress bar with the latest loss.
//
// Read its options, then use it to train a `TwoLayerNet` to at least 50 % validation accuracy (more than 80 % is easy on Fashion-MNIST).

// %%
seed(7);
const solverNet = tryStep(() => new TwoLayerNet({ inputDim: D, hiddenDim: 100, numClasses: C, weightScale: 1e-3, reg: 0 }));
let twoSolver: Solver | undefined;
if (solverNet) {
  tryStep(() => {
    // BEGIN SOLUTION: train solverNet with a Solver on `data` (XTrain, yTrain, XVal, yVal) and keep
    // it in twoSolver. Choose the update rule, learning rate, decay, batch size and epochs so that
    // the validation accuracy is at least 0.5.
    twoSolver = new Solver(solverNet, data, {
      updateRule: 'sgd',
      optimConfig: { learningRate: 1e-3 },
      lrDecay: 0.95,
      numEpochs: QUICK ? 3 : 5,
      batchSize: 100,
      printEvery: 1e9,
      seed: 7,
    });
    twoSolver.train();
    // END SOLUTION
  }, ['fc.solver_val_accuracy']);
}
if (twoSolver) {
  record('fc.solver_val_accuracy', twoSolver.bestValAcc);
  plotLines({ series: { loss: twoSolver.lossHistory }, title: 'Training loss', xLabel: 'iteration', yLabel: 'loss' });
  plotLines({ series: { train: twoSolver.trainAccHistory, val: twoSolver.valAccHistory }, title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
}
check('fc.solver_val_accuracy');

// %% [markdown]
// ## A multilayer network
//
// Now implement `FullyConnectedNet`: any number of hidden layers, each affine – ReLU, then a final affine layer and the softmax loss. (Batch normalization and dropout come in their own notebooks; leave them for now.)
//
// Two sanity checks first. With small weights every score is about 0, so the loss at initialisation should be close to $\ln C$. And the gradients must pass the numerical check, with and without regularisation.

// %%
seed(231);
const mlX = randn([2, 15]);
const mlY = randint(0, 10, [2]);
for (const [reg, tag] of [[0, 'reg0'], [3.14, 'reg314']] as const) {
  const ok = tryStep(() => {
    seed(8);
    const net = new FullyConnectedNet([20, 30], { inputDim: 15, numClasses: 10, reg, weightScale: 5e-2 });
    const [loss, grads] = net.loss(mlX, mlY);
    tf.dispose(Object.values(grads));
    console.log(`reg = ${reg}: initial loss ${loss.toFixed(4)}`);
    if (reg === 0) record('fc.fcnet_initial_loss', loss);
    return checkNet(net, mlX, mlY, { maxChecks: QUICK ? 50 : undefined });
  }, reg === 0 ? ['fc.fcnet_initial_loss', 'fc.fcnet_gradcheck_reg0'] : ['fc.fcnet_gradcheck_reg314']);
  if (ok !== undefined) record(`fc.fcnet_gradcheck_${tag}`, ok);
}
check('fc.fcnet_initial_loss');
check('fc.fcnet_gradcheck_reg0');
check('fc.fcnet_gradcheck_reg314');

// %% [markdown]
// ### Overfitting 50 examples
//
// A network that cannot overfit a tiny data set has a bug (lecture 6). Train a three-layer net with 100 units per hidden layer on 50 images: tweak the learning rate and the initialisation scale until it reaches 100 % training accuracy within 20 epochs.

// %%
const small = { XTrain: XTrain.slice(0, 50), yTrain: yTrain.slice(0, 50), XVal: XVal.slice(0, 100), yVal: yVal.slice(0, 100) };

/** Trains a net on the 50 examples with SGD and returns its Solver. */
function overfit(hiddenDims: number[], weightScale: number, learningRate: number, verbose = false): Solver {
  seed(9);
  const net = new FullyConnectedNet(hiddenDims, { inputDim: D, numClasses: C, weightScale });
  const solver = new Solver(net, small, { updateRule: 'sgd', optimConfig: { learningRate }, numEpochs: 20, batchSize: 25, printEvery: 10, verbose, progress: verbose, seed: 9 });
  solver.train();
  return solver;
}

const overfit3 = tryStep(() => {
  let weightScale = 1e-2;
  let learningRate = 1e-3;
  // BEGIN SOLUTION: find a weight scale and learning rate for which the three-layer net overfits
  // the 50 examples (training accuracy 1.0 within 20 epochs); set weightScale and learningRate.
  weightScale = 1e-2;
  learningRate = 1e-2;
  // END SOLUTION
  return overfit([100, 100], weightScale, learningRate, true);
}, ['fc.overfit_three_layer']);
if (overfit3) {
  record('fc.overfit_three_layer', Math.max(...overfit3.trainAccHistory));
  plotLines({ series: { loss: overfit3.lossHistory }, title: 'Three-layer net on 50 examples', xLabel: 'iteration', yLabel: 'training loss' });
}
check('fc.overfit_three_layer');

// %% [markdown]
// Now a five-layer net with 100 units per layer. Find a weight scale and learning rate for it too. The grid below shows how narrow the window is: too small a scale and the signal vanishes on the way through four layers, too large and the scores explode.

// %%
const overfit5 = tryStep(() => {
  let weightScale = 1e-2;
  let learningRate = 1e-3;
  // BEGIN SOLUTION: find a weight scale and learning rate for which the five-layer net overfits
  // the 50 examples (training accuracy 1.0 within 20 epochs); set weightScale and learningRate.
  weightScale = 5e-2;
  learningRate = 3e-3;
  // END SOLUTION
  return overfit([100, 100, 100, 100], weightScale, learningRate, true);
}, ['fc.overfit_five_layer']);
if (overfit5) {
  record('fc.overfit_five_layer', Math.max(...overfit5.trainAccHistory));
  plotLines({ series: { loss: overfit5.lossHistory.map((l) => (Number.isFinite(l) ? Math.min(l, 50) : 50)) }, title: 'Five-layer net on 50 examples (loss capped at 50)', xLabel: 'iteration', yLabel: 'training loss' });
}
check('fc.overfit_five_layer');

// %%
const sensitivity: Record<string, unknown>[] = [];
if (overfit5) {
  const scales = QUICK ? [1e-2, 5e-2] : [1e-2, 3e-2, 5e-2, 1e-1];
  const rates = QUICK ? [3e-3, 1e-2] : [1e-3, 3e-3, 1e-2];
  for (const ws of progress(scales, { label: 'weight scales' })) {
    const row: Record<string, unknown> = { weightScale: ws };
    for (const lr of rates) {
      const s = overfit([100, 100, 100, 100], ws, lr);
      row[`lr ${lr}`] = Math.max(...s.trainAccHistory);
      s.dispose();
    }
    sensitivity.push(row);
  }
  showTable(sensitivity, { title: 'Five-layer net: best training accuracy on 50 examples after 20 epochs' });
}

// %% [markdown]
// **Inline question 2.** Did you notice anything about the difficulty of training the three-layer net vs the five-layer net? Which one seemed more sensitive to the initialisation scale, and why?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* the five-layer net is much more sensitive. The scale of the activations (and of the gradients on the way back) is multiplied by roughly $\text{weightScale} \cdot \sqrt{\text{fan-in}}$ at every layer, so with four hidden layers a slightly too small scale makes the scores, and the gradients reaching the first layers, vanish, while a slightly too large one makes them explode. Only a narrow band of scales (and of learning rates for each scale) trains well. With two hidden layers the effect compounds only twice, so the band is much wider.
// <!-- END SOLUTION -->

// %% [markdown]
// ## Update rules
//
// Plain SGD moves against the gradient at a fixed rate. It crawls along shallow directions and zig-zags across steep ones. Lecture 7's better update rules help:
//
// * **SGD with momentum** keeps a velocity $v \leftarrow \mu v - \alpha\, dw$ and moves by it, $w \leftarrow w + v$: steps build up along consistent directions and oscillations cancel.
// * **RMSProp** divides each step by a running root-mean-square of that parameter's gradients, $c \leftarrow \rho c + (1-\rho)\, dw^2$, $w \leftarrow w - \alpha\, dw / (\sqrt{c} + \epsilon)$, so every parameter gets its own effective learning rate.
// * **Adam** combines both, with bias correction for the first steps: $m \leftarrow \beta_1 m + (1-\beta_1) dw$, $v \leftarrow \beta_2 v + (1-\beta_2) dw^2$, then with $t \leftarrow t + 1$: $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1-\beta_2^t)$ and $w \leftarrow w - \alpha\, \hat m / (\sqrt{\hat v} + \epsilon)$.
//
// Implement `sgdMomentum`, `rmsprop` and `adam` in `cs231n/optim.ts`. The public checks use the original's evenly spaced inputs.

// %%
/** The original's test inputs: w, dw and a state tensor, each 4 × 5 and evenly spaced. */
const optW = tf.linspace(-0.4, 0.6, 20).reshape([4, 5]);
const optDw = tf.linspace(-0.6, 0.4, 20).reshape([4, 5]);
const optState = tf.linspace(0.6, 0.9, 20).reshape([4, 5]);
check('fc.public_sgd_momentum', () => sgdMomentum(optW, optDw, { learningRate: 1e-3, velocity: optState })[0]);
check('fc.public_rmsprop', () => rmsprop(optW, optDw, { learningRate: 1e-2, cache: optState })[0]);
check('fc.public_adam', () => adam(optW, optDw, { learningRate: 1e-2, m: optState, v: tf.linspace(0.7, 0.5, 20).reshape([4, 5]), t: 5 })[0]);

seed(10);
const stepW = randn([6, 4]);
const stepDw = randn([6, 4]);
const stepState = randn([6, 4]).abs();
const oneStep = (name: string, run: () => [tf.Tensor, OptimConfig], stateKey: keyof OptimConfig) =>
  record(`fc.${name}_step`, () => {
    const [next, config] = run();
    return { nextW: next, state: config[stateKey] as tf.Tensor };
  });
oneStep('sgd_momentum', () => sgdMomentum(stepW, stepDw, { learningRate: 0.1, velocity: stepState }), 'velocity');
oneStep('rmsprop', () => rmsprop(stepW, stepDw, { learningRate: 0.1, cache: stepState }), 'cache');
oneStep('adam', () => adam(stepW, stepDw, { learningRate: 0.1, m: stepDw, v: stepState, t: 3 }), 'v');
// Adam from zero state: the first step must use t = 1 in the bias correction.
record('fc.adam_first_step', () => adam(stepW, stepDw, { learningRate: 0.1 })[0]);

// %% [markdown]
// ### Comparing the update rules
//
// Train the same five-layer net on 4,000 images for 5 epochs with each rule and compare the loss and the accuracies.

// %%
const rulesData = { XTrain: XTrain.slice(0, QUICK ? 1000 : 4000), yTrain: yTrain.slice(0, QUICK ? 1000 : 4000), XVal: XVal, yVal: yVal };
const learningRates: Record<string, number> = { sgd: 1e-2, sgdMomentum: 1e-2, rmsprop: 1e-4, adam: 1e-3 };
const ruleSolvers: Record<string, Solver> = {};
for (const rule of ['sgd', 'sgdMomentum', 'rmsprop', 'adam'] as const) {
  const solver = tryStep(() => {
    seed(11);
    const net = new FullyConnectedNet([100, 100, 100, 100, 100], { inputDim: D, numClasses: C, weightScale: 5e-2 });
    const s = new Solver(net, rulesData, { updateRule: rule, optimConfig: { learningRate: learningRates[rule] }, numEpochs: QUICK ? 2 : 5, batchSize: 100, verbose: false, seed: 11 });
    console.log(`running with ${rule}`);
    s.train();
    return s;
  });
  if (solver) ruleSolvers[rule] = solver;
}
const ruleNames = Object.keys(ruleSolvers);
if (ruleNames.length) {
  /** The loss smoothed over 10 iterations, so the curves can be told apart. */
  const smooth = (h: number[]) => h.map((_, i) => { const w = h.slice(Math.max(0, i - 9), i + 1); return Math.min(w.reduce((a, b) => a + b, 0) / w.length, 10); });
  plotLines({ series: Object.fromEntries(ruleNames.map((r) => [r, smooth(ruleSolvers[r].lossHistory)])), title: 'Training loss (mean of 10 iterations, capped at 10)', xLabel: 'iteration', yLabel: 'loss' });
  plotLines({ series: Object.fromEntries(ruleNames.map((r) => [r, ruleSolvers[r].trainAccHistory])), title: 'Training accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
  plotLines({ series: Object.fromEntries(ruleNames.map((r) => [r, ruleSolvers[r].valAccHistory])), title: 'Validation accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
  showTable(ruleNames.map((r) => ({ rule: r, 'final train acc': ruleSolvers[r].trainAccHistory.at(-1), 'best val acc': ruleSolvers[r].bestValAcc })));
}
if (ruleSolvers.adam) record('fc.adam_val_accuracy', ruleSolvers.adam.bestValAcc);
if (ruleSolvers.adam && ruleSolvers.sgd) {
  const tail = (h: number[]) => h.slice(-20).reduce((a, b) => a + b, 0) / 20;
  record('fc.adam_beats_sgd', tail(ruleSolvers.adam.lossHistory) < tail(ruleSolvers.sgd.lossHistory));
}
check('fc.adam_val_accuracy');
check('fc.adam_beats_sgd');

// %% [markdown]
// **Inline question 3.** AdaGrad, like Adam, is a per-parameter method: it adds every squared gradient to a cache, `cache += dw**2`, and updates `w -= learningRate * dw / (sqrt(cache) + eps)`. John notices that when he trains a network with AdaGrad the updates become very small, and his network learns slowly. Using your knowledge of the AdaGrad update rule, why do you think the updates would become very small? Would Adam have the same issue?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* AdaGrad's cache only grows (it sums squared gradients over all of training), so the effective learning rate $\alpha / \sqrt{\text{cache}}$ decreases monotonically and the steps shrink towards zero. Adam (like RMSProp) keeps an exponentially decaying *average* of squared gradients instead of a sum, so its denominator tracks the recent gradient size and does not grow without bound; it does not have this problem.
// <!-- END SOLUTION -->

// %% [markdown]
// ## Train a good model!
//
// Train the best fully-connected model you can and keep it in `bestModel`. Aim for at least 50 % validation accuracy on CIFAR-10, and at least 89 % on Fashion-MNIST at full size. Batch normalization and dropout (next notebooks) may help; you can come back here once they work. Useful: a few quick runs on a subset to find a learning rate, then a longer run.

// %%
let bestModel: FullyConnectedNet | undefined;
let bestSolver: Solver | undefined;
tryStep(() => {
  // BEGIN SOLUTION: train your best fully-connected model on `data` with a Solver; store the model
  // in bestModel and the Solver in bestSolver.
  // Two hidden layers with batchnorm and dropout (keep 0.8), Adam with the learning rate decayed by
  // 0.9 per epoch. At full size this reaches 0.90 validation accuracy on Fashion-MNIST after about
  // ten of its fifteen epochs (bench/fcBestModel.ts runs this cell alone).
  seed(12);
  bestModel = new FullyConnectedNet([512, 256], { inputDim: D, numClasses: C, weightScale: 1e-2, normalization: 'batchnorm', dropout: 0.8, reg: 1e-4 });
  bestSolver = new Solver(bestModel, data, {
    updateRule: 'adam',
    optimConfig: { learningRate: 1e-3 },
    lrDecay: 0.9,
    numEpochs: QUICK ? 2 : 15,
    batchSize: 200,
    printEvery: 1e9,
    seed: 12,
  });
  bestSolver.train();
  // END SOLUTION
}, ['fc.best_val_accuracy', 'fc.test_accuracy']);

// %% [markdown]
// Run your best model on the validation and test sets. The test set is used once, at the very end.

// %%
/** Fraction of correct predictions of a model on (X, y), in batches of 500. */
function evaluate(model: { loss(X: tf.Tensor): tf.Tensor }, X: tf.Tensor, y: tf.Tensor): number {
  let correct = 0;
  for (let i = 0; i < X.shape[0]; i += 500) {
    const n = Math.min(500, X.shape[0] - i);
    correct += tf.tidy(() => model.loss(X.slice(i, n)).argMax(1).equal(y.slice(i, n)).sum().dataSync()[0]);
  }
  return correct / X.shape[0];
}
if (bestModel) {
  const valAcc = record('fc.best_val_accuracy', evaluate(bestModel, XVal, yVal));
  const testAcc = record('fc.test_accuracy', evaluate(bestModel, XTest, yTest));
  console.log(`validation accuracy ${valAcc?.toFixed(4)}, test accuracy ${testAcc?.toFixed(4)}`);
  if (bestSolver) plotLines({ series: { train: bestSolver.trainAccHistory, val: bestSolver.valAccHistory }, title: 'Best model: accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
}
check('fc.best_val_accuracy');
