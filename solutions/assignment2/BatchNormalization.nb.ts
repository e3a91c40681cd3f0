// %% [markdown]
// # Batch normalization
//
// Deep networks are hard to train partly because of initialisation: the scale of the activations changes from layer to layer (the TrainingLabs notebook shows how badly), and the right weight scale for one depth is wrong for another. **Batch normalization** (Ioffe and Szegedy, 2015) attacks the problem directly. If we want unit-Gaussian activations, we can *make* them so: before the nonlinearity, normalise every feature with the mean and variance of the current minibatch,
//
// $$\hat x = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta.$$
//
// The normalisation is differentiable, so it is just another layer that we backpropagate through. The learnable scale $\gamma$ and shift $\beta$ let the network undo the normalisation if that is what it needs ($\gamma = \sigma$, $\beta = \mu$ recovers the identity).
//
// At test time there is no minibatch to average over (and the output for one image should not depend on the others), so the layer uses running averages of the means and variances collected during training.
//
// In practice, batch normalization improves gradient flow, allows higher learning rates, makes training much less dependent on the initialisation, and acts as a mild regulariser. You will implement it in `cs231n/layers.ts` and add it to `FullyConnectedNet`.

// %%
import { tf, quickMode, seed, randn, randint, record, check, plotLines, showTable, tryStep, checkLayer, checkNet } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { batchnormForward, batchnormBackward, batchnormBackwardAlt, BnParam } from './cs231n/layers';
import { FullyConnectedNet } from './cs231n/classifiers/fcNet';
import { Solver } from './cs231n/solver';

// Quick mode (TS231N_QUICK=1) runs the same code on less data and fewer epochs, and the gradient
// checks of whole nets look at 50 entries of each parameter (all of the smaller ones).
const QUICK = quickMode();
seed(231);

/** Per-feature mean and standard deviation (over axis 0), as plain numbers. */
function stats(x: tf.Tensor): { means: number[]; stds: number[] } {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0);
    return { means: Array.from(mean.dataSync()), stds: Array.from(variance.sqrt().dataSync()) };
  });
}
const fmt = (v: number[]) => v.map((x) => x.toFixed(4)).join(', ');

// %% [markdown]
// ## Forward pass in training mode
//
// Implement `batchnormForward`, training mode first. We feed it the (very non-normalised) outputs of a random two-layer network. After the layer, the per-feature means must be $\approx \beta$ and the standard deviations $\approx \gamma$.

// %%
seed(1);
const N = 200;
const bnX = tf.tidy(() => randn([N, 50]).matMul(randn([50, 60])).relu().matMul(randn([60, 3])));
const before = stats(bnX);
console.log(`before batch normalization: means ${fmt(before.means)}; stds ${fmt(before.stds)}`);

const unitOut = tryStep(() => batchnormForward(bnX, tf.ones([3]), tf.zeros([3]), { mode: 'train' })[0], ['bn.train_forward']);
if (unitOut) {
  const s = stats(unitOut);
  console.log(`after (gamma = 1, beta = 0): means ${fmt(s.means)}; stds ${fmt(s.stds)}`);
}
const gamma = tf.tensor1d([1, 2, 3]);
const beta = tf.tensor1d([11, 12, 13]);
const scaledOut = tryStep(() => batchnormForward(bnX, gamma, beta, { mode: 'train' })[0]);
if (scaledOut) {
  record('bn.train_forward', scaledOut);
  const s = stats(scaledOut);
  console.log(`after (gamma = [1, 2, 3], beta = [11, 12, 13]): means ${fmt(s.means)}; stds ${fmt(s.stds)}`);
  record('bn.means_minus_beta', Math.max(...s.means.map((m, i) => Math.abs(m - [11, 12, 13][i]))));
  record('bn.stds_minus_gamma', Math.max(...s.stds.map((v, i) => Math.abs(v - [1, 2, 3][i]))));
}
check('bn.means_minus_beta');
check('bn.stds_minus_gamma');

// %% [markdown]
// ## Forward pass in test mode
//
// In training mode the layer also updates `bnParam.runningMean` and `bnParam.runningVar` in place: $\text{running} \leftarrow m \cdot \text{running} + (1 - m) \cdot \text{batch}$ with momentum $m = 0.9$. Implement test mode, which normalises with these running averages. After 50 training batches from the same distribution, a fresh batch in test mode should come out with means close to 0 and standard deviations close to 1 (not exactly: the running averages are estimates).

// %%
seed(2);
const W1 = randn([50, 60]);
const W2 = randn([60, 3]);
const bnParam: BnParam = { mode: 'train' };
const testOut = tryStep(() => {
  for (let t = 0; t < 50; t++) {
    tf.tidy(() => {
      const x = randn([N, 50]).matMul(W1).relu().matMul(W2);
      batchnormForward(x, tf.ones([3]), tf.zeros([3]), bnParam);
    });
  }
  record('bn.running_stats', { runningMean: bnParam.runningMean, runningVar: bnParam.runningVar });
  bnParam.mode = 'test';
  const x = tf.tidy(() => randn([N, 50]).matMul(W1).relu().matMul(W2));
  return batchnormForward(x, tf.ones([3]), tf.zeros([3]), bnParam)[0];
}, ['bn.running_stats', 'bn.test_forward']);
if (testOut) {
  record('bn.test_forward', testOut);
  const s = stats(testOut);
  console.log(`test mode: means ${fmt(s.means)}; stds ${fmt(s.stds)}`);
  record('bn.test_stats_error', Math.max(...s.means.map(Math.abs), ...s.stds.map((v) => Math.abs(v - 1))));
}
check('bn.test_stats_error');

// %% [markdown]
// ## Backward pass
//
// Implement `batchnormBackward` by drawing the forward pass as a computation graph of small steps — the mean, the centring, the variance, the square root, the division, the scale and the shift — and backpropagating through each node in turn. Note the branches: $x$ reaches the output directly *and* through $\mu$ and $\sigma^2$, so the gradients of the branches add up.

// %%
seed(3);
const bx = randn([4, 5]).mul(5).add(12);
const bGamma = randn([5]);
const bBeta = randn([5]);
const bDout = randn([4, 5]);
const fwd = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchnormForward(x, g, b, { mode: 'train' })[0];
const bnBackOk = tryStep(() => {
  const [, cache] = batchnormForward(bx, bGamma, bBeta, { mode: 'train' });
  const [dx, dgamma, dbeta] = batchnormBackward(bDout, cache);
  record('bn.backward', { dx, dgamma, dbeta });
  return [
    checkLayer('dx', (v) => fwd(v, bGamma, bBeta), bx, bDout, dx),
    checkLayer('dgamma', (v) => fwd(bx, v, bBeta), bGamma, bDout, dgamma),
    checkLayer('dbeta', (v) => fwd(bx, bGamma, v), bBeta, bDout, dbeta),
  ].every((p) => p);
}, ['bn.backward', 'bn.backward_gradcheck_passed']);
if (bnBackOk !== undefined) record('bn.backward_gradcheck_passed', bnBackOk);
check('bn.backward_gradcheck_passed');

// %% [markdown]
// ## A simpler backward pass
//
// Now work out the gradient on paper instead. Write $\hat x_i = (x_i - \mu)/\sigma$ with $\sigma = \sqrt{\sigma^2_B + \epsilon}$ and $d\hat x_i = \gamma\, d\text{out}_i$. Differentiating through $\mu$ and $\sigma$ and simplifying gives one expression per feature:
//
// $$dx_i = \frac{\gamma}{N \sigma}\Big(N\, d\text{out}_i - \sum_j d\text{out}_j - \hat x_i \sum_j d\text{out}_j\, \hat x_j\Big).$$
//
// Implement it in `batchnormBackwardAlt`. It must give the same numbers as the graph version, and it is faster: fewer intermediate tensors, fewer passes over the data.

// %%
seed(4);
const tX = randn([100, 500]).mul(3).add(2);
const tGamma = randn([500]);
const tDout = randn([100, 500]);
const altDiff = tryStep(() => {
  const [, cache] = batchnormForward(tX, tGamma, tf.zeros([500]), { mode: 'train' });
  const time = (backward: typeof batchnormBackward) => {
    tf.dispose(backward(tDout, cache)); // warm-up
    const start = performance.now();
    for (let i = 0; i < 20; i++) tf.dispose(backward(tDout, cache));
    return (performance.now() - start) / 20;
  };
  const [dx1, dg1, db1] = batchnormBackward(tDout, cache);
  const [dx2, dg2, db2] = batchnormBackwardAlt(tDout, cache);
  const relDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().div(b.abs().max()).dataSync()[0]);
  const diff = Math.max(relDiff(dx2, dx1), relDiff(dg2, dg1), relDiff(db2, db1));
  const tGraph = time(batchnormBackward);
  const tAlt = time(batchnormBackwardAlt);
  console.log(`largest difference (relative to the gradient's scale): ${diff.toExponential(2)}`);
  console.log(`graph version ${tGraph.toFixed(2)} ms, simplified ${tAlt.toFixed(2)} ms: ${(tGraph / tAlt).toFixed(2)}× faster`);
  return diff;
}, ['bn.alt_difference']);
if (altDiff !== undefined) record('bn.alt_difference', altDiff);
check('bn.alt_difference');

// %% [markdown]
// ## A fully-connected net with batch normalization
//
// Add batch normalization to `FullyConnectedNet`: when `normalization` is `'batchnorm'`, every hidden layer is affine – batchnorm – ReLU, with its own $\gamma_l$ (ones) and $\beta_l$ (zeros) in `params` (`gamma1`, `beta1`, …) and its own entry in `net.bnParams`. The sandwich `affineBnReluForward/Backward` in `cs231n/layerUtils.ts` is given. The gradient check must pass with and without regularisation.

// %%
seed(231);
const gX = randn([5, 15]);
const gY = randint(0, 10, [5]);
for (const [reg, tag] of [[0, 'reg0'], [3.14, 'reg314']] as const) {
  const ok = tryStep(() => {
    seed(5);
    const net = new FullyConnectedNet([20, 30], { inputDim: 15, numClasses: 10, reg, weightScale: 0.2, normalization: 'batchnorm' });
    console.log(`reg = ${reg}`);
    return checkNet(net, gX, gY, { maxChecks: QUICK ? 50 : undefined });
  }, [`bn.fcnet_gradcheck_${tag}`]);
  if (ok !== undefined) record(`bn.fcnet_gradcheck_${tag}`, ok);
}
check('bn.fcnet_gradcheck_reg0');
check('bn.fcnet_gradcheck_reg314');

// %% [markdown]
// ## Does it help? A six-layer net with and without batch normalization
//
// Train two six-layer nets (five hidden layers of 100 units, weight scale 0.02) on 1,000 images with SGD with momentum at the same learning rate, one with batch normalization and one without. (Adam rescales every parameter's step by its own gradient history, which partly hides badly scaled gradients; plain momentum shows the difference more clearly.)

// %%
const data = await getData({ channelsFirst: true, subtractMean: true, ...(QUICK ? { numTraining: 1000, numValidation: 500, numTest: 500 } : {}) });
const D = data.XTrain.size / data.XTrain.shape[0];
const C = data.classNames.length;
const numTrain = QUICK ? 500 : 1000;
const smallData = { XTrain: data.XTrain.slice(0, numTrain), yTrain: data.yTrain.slice(0, numTrain), XVal: data.XVal, yVal: data.yVal };
const EPOCHS = QUICK ? 6 : 10;

/** Trains a net on smallData and returns its Solver. */
function trainSmall(hiddenDims: number[], weightScale: number, normalization: 'batchnorm' | null, numEpochs: number, updateRule: 'sgdMomentum' | 'adam', learningRate: number, showProgress = true): Solver {
  seed(6);
  const net = new FullyConnectedNet(hiddenDims, { inputDim: D, numClasses: C, weightScale, normalization });
  const solver = new Solver(net, smallData, { updateRule, optimConfig: { learningRate }, numEpochs, batchSize: 50, verbose: false, progress: showProgress, seed: 6 });
  solver.train();
  return solver;
}

const withBn = tryStep(() => trainSmall([100, 100, 100, 100, 100], 2e-2, 'batchnorm', EPOCHS, 'sgdMomentum', 1e-2), ['bn.epochs_to_baseline_loss']);
const withoutBn = tryStep(() => trainSmall([100, 100, 100, 100, 100], 2e-2, null, EPOCHS, 'sgdMomentum', 1e-2));

// %%
/** The mean training loss of every epoch. */
function epochLosses(s: Solver): number[] {
  const perEpoch = s.lossHistory.length / s.numEpochs;
  return Array.from({ length: s.numEpochs }, (_, e) => {
    const slice = s.lossHistory.slice(e * perEpoch, (e + 1) * perEpoch);
    return slice.reduce((a, b) => a + b, 0) / slice.length;
  });
}
const solvers: Record<string, Solver> = { ...(withoutBn ? { baseline: withoutBn } : {}), ...(withBn ? { batchnorm: withBn } : {}) };
const epochs = Array.from({ length: EPOCHS }, (_, e) => e + 1);
if (withoutBn) plotLines({ x: epochs, series: Object.fromEntries(Object.entries(solvers).map(([k, s]) => [k, epochLosses(s)])), title: 'Training loss (mean per epoch)', xLabel: 'epoch', yLabel: 'loss' });
if (withoutBn) plotLines({ series: Object.fromEntries(Object.entries(solvers).map(([k, s]) => [k, s.trainAccHistory])), title: 'Training accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
if (withoutBn) plotLines({ series: Object.fromEntries(Object.entries(solvers).map(([k, s]) => [k, s.valAccHistory])), title: 'Validation accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
if (withBn && withoutBn) {
  // How many epochs the BN net needs to reach the baseline's final training loss, as a fraction of the epochs.
  const target = epochLosses(withoutBn).at(-1) as number;
  const reached = epochLosses(withBn).findIndex((l) => l <= target);
  const fraction = reached < 0 ? Infinity : (reached + 1) / EPOCHS;
  console.log(`baseline final loss ${target.toFixed(4)}; the batchnorm net is below it after ${reached + 1} of ${EPOCHS} epochs`);
  record('bn.epochs_to_baseline_loss', fraction);
}
check('bn.epochs_to_baseline_loss');

// %% [markdown]
// ## Batch normalization and the weight initialisation scale
//
// Now the experiment that shows why batch normalization matters for deep nets: train an eight-layer net (seven hidden layers of 50 units) with Adam and weight scales from $10^{-4}$ to $1$, with and without batch normalization, and compare the best validation accuracy and the final training loss.

// %%
const scales = QUICK ? [1e-4, 1e-2, 1] : [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1];
const deep = [50, 50, 50, 50, 50, 50, 50];
const rows: Record<string, number>[] = [];
const scaleRun = tryStep(() => {
  for (const ws of scales) {
    const bn = trainSmall(deep, ws, 'batchnorm', QUICK ? 3 : 10, 'adam', 1e-3, false);
    const base = trainSmall(deep, ws, null, QUICK ? 3 : 10, 'adam', 1e-3, false);
    const lastLoss = (s: Solver) => Math.min(epochLosses(s).at(-1) as number, 10);
    rows.push({ weightScale: ws, 'val acc (bn)': bn.bestValAcc, 'val acc (baseline)': base.bestValAcc, 'final loss (bn)': lastLoss(bn), 'final loss (baseline)': lastLoss(base) });
    for (const s of [bn, base]) s.dispose();
  }
  return rows;
}, ['bn.init_scales_won']);
if (scaleRun) {
  showTable(rows);
  plotLines({ x: scales, logX: true, series: { batchnorm: rows.map((r) => r['val acc (bn)']), baseline: rows.map((r) => r['val acc (baseline)']) }, title: 'Best validation accuracy vs weight initialisation scale', xLabel: 'weight scale', yLabel: 'accuracy' });
  plotLines({ x: scales, logX: true, series: { batchnorm: rows.map((r) => r['final loss (bn)']), baseline: rows.map((r) => r['final loss (baseline)']) }, title: 'Final training loss vs weight initialisation scale (capped at 10)', xLabel: 'weight scale', yLabel: 'loss' });
  // The fraction of scales at which the batchnorm net is at least as good on validation.
  record('bn.init_scales_won', rows.filter((r) => r['val acc (bn)'] >= r['val acc (baseline)']).length / rows.length);
}
check('bn.init_scales_won');

// %% [markdown]
// **Inline question 1.** Describe the results of this experiment. How does the scale of the weight initialisation affect models with and without batch normalization differently, and why?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* without batch normalization only a narrow band of scales trains: too small and the activations (and the gradients) shrink layer after layer until the net outputs the same scores for every input and learns nothing; too large and they explode (huge losses, dead or saturated units). With batch normalization every hidden layer's pre-activations are renormalised to zero mean and unit variance whatever the scale of the weights, so the signal reaches the last layers intact and the net trains well over a wide range of scales. (At the extremes the scale still shows through the last affine layer, which is not normalised, and through the effective learning rate, which shrinks relative to large weights.)
// <!-- END SOLUTION -->
//
// **Inline question 2.** Batch normalization computes its statistics over the minibatch. What happens with very small batches (say 2 or 4 examples)? What does that say about using it when memory only allows small batches?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* the batch mean and variance of a few examples are very noisy estimates, so in training mode each example is normalised differently depending on which others share its batch, and the running averages used at test time differ from what the net saw during training. Training becomes noisy and test accuracy drops; with a batch of one, training-mode batch normalization would output β for every feature. Layer normalization (statistics over the features of each example) avoids the dependence on the batch.
// <!-- END SOLUTION -->
