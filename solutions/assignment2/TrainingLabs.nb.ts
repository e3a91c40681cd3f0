// %% [markdown]
// # Training neural networks: labs
//
// Lecture 6 is about the decisions you make before and during training: which activation function, how to preprocess the data, how to initialise the weights, how to tell whether learning is working (babysitting), and how to search for hyperparameters. This notebook turns each of those into an experiment you can run and look at. Most of the code is given; you write the pieces that carry the lesson (activation gradients, initialisation scales, a log-scale search). Every experiment records values that are graded.

// %%
import { tf, quickMode, seed, randn, randomUniformNumber, record, check, progress, plotLines, plotScatter, showTable, showImages, tryStep, notImplemented } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { TwoLayerNet, FullyConnectedNet } from './cs231n/classifiers/fcNet';
import { Solver } from './cs231n/solver';

// Quick mode (TS231N_QUICK=1) runs the same code on less data, smaller nets and fewer trials.
const QUICK = quickMode();
seed(231);

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

// %% [markdown]
// ## 1. Activation functions
//
// A neuron computes $f(w^\top x + b)$. The choice of $f$ decides how gradients flow back through it:
//
// * **sigmoid** $\sigma(x) = 1/(1+e^{-x})$: squashes to $(0, 1)$. Saturated units ($|x|$ large) have a gradient close to zero and *kill* the gradient flowing back; its outputs are not zero-centred, so all gradients on a neuron's weights have the same sign (zig-zag updates); $\exp$ is relatively expensive.
// * **tanh**: squashes to $(-1, 1)$, zero-centred, but still saturates.
// * **ReLU** $\max(0, x)$: does not saturate for $x > 0$, is cheap, and converges much faster in practice (about 6× in AlexNet). Not zero-centred, and a unit whose input is always negative is **dead**: it never gets a gradient again.
// * **Leaky ReLU** $\max(0.01x, x)$: never dies.
// * **ELU** $x$ for $x > 0$, $\alpha(e^x - 1)$ otherwise: close to zero-mean outputs, saturates softly for negative inputs (robust to noise).
// * **Maxout** $\max(w_1^\top x + b_1, w_2^\top x + b_2)$: generalises ReLU and leaky ReLU, never saturates or dies, but doubles the parameters per neuron.
//
// Write the **gradient** of each function (by hand, from its formula) below. They are compared with TensorFlow.js's automatic differentiation.

// %%
const xs = tf.linspace(-6, 6, 241);
const alpha = 1;  // ELU's α
const leak = 0.01;  // leaky ReLU's slope for x < 0
/** The activation functions, written with tensor ops. */
const activations: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  leakyRelu: (x) => tf.leakyRelu(x, leak),
  elu: (x) => tf.elu(x),  // α = 1
};

/** Your gradients f'(x) of each activation, elementwise. */
function activationGradients(x: tf.Tensor): Record<string, tf.Tensor> {
  let grads: Record<string, tf.Tensor>;
  // BEGIN SOLUTION: return the derivative of each activation at every x, with tensor ops:
  // sigmoid' = σ(x)(1 − σ(x)); tanh' = 1 − tanh(x)²; relu' = 1 where x > 0, else 0;
  // leakyRelu' = 1 where x > 0, else `leak`; elu' = 1 where x > 0, else α·eˣ.
  const s = tf.sigmoid(x);
  const positive = x.greater(0);
  grads = {
    sigmoid: s.mul(tf.scalar(1).sub(s)),
    tanh: tf.scalar(1).sub(tf.tanh(x).square()),
    relu: positive.cast('float32'),
    leakyRelu: tf.where(positive, tf.onesLike(x), tf.fill(x.shape, leak)),
    elu: tf.where(positive, tf.onesLike(x), x.exp().mul(alpha)),
  };
  // END SOLUTION
  return grads;
}

const mine = tryStep(() => activationGradients(xs), ['labs.activation_grad_error', 'labs.activation_grads']);
const xv = Array.from(xs.dataSync());
plotLines({ x: xv, series: Object.fromEntries(Object.entries(activations).map(([k, f]) => [k, Array.from(f(xs).dataSync())])), title: 'Activation functions', xLabel: 'x', yLabel: 'f(x)' });
if (mine) {
  plotLines({ x: xv, series: Object.fromEntries(Object.entries(mine).map(([k, g]) => [k, Array.from(g.dataSync())])), title: 'Their gradients (yours)', xLabel: 'x', yLabel: "f'(x)" });
  // Compare with autodiff (away from the kink at 0, where the derivative is not defined).
  const errors = Object.entries(activations).map(([k, f]) => {
    const auto = tf.grad((x: tf.Tensor) => f(x).sum())(xs);
    return tf.tidy(() => mine[k].sub(auto).abs().mul(xs.abs().greater(1e-3)).max().dataSync()[0]);
  });
  record('labs.activation_grad_error', Math.max(...errors));
  const at = tf.tensor1d([-5, -1, -0.5, 0.5, 1, 5]);
  record('labs.activation_grads', () => activationGradients(at));
}
check('labs.activation_grad_error');

// %% [markdown]
// **Saturation.** Where the gradient is (almost) zero, nothing flows back. The table shows, for inputs drawn from $\mathcal N(0, s^2)$, the fraction of units whose local gradient is below 1 % of its maximum: for sigmoid and tanh the fraction grows with the input scale; ReLU kills half the inputs at every scale; leaky ReLU none.

// %%
seed(1);
const z = randn([100000]);
const satRows: Record<string, number | string>[] = [];
for (const scale of [1, 5, 20]) {
  const grads = tryStep(() => activationGradients(z.mul(scale)));
  if (!grads) break;
  const row: Record<string, number | string> = { 'input std': scale };
  for (const [k, g] of Object.entries(grads)) row[k] = tf.tidy(() => g.less(0.01 * g.max().dataSync()[0]).cast('float32').mean().dataSync()[0]);
  satRows.push(row);
}
if (satRows.length) {
  showTable(satRows, { title: 'Fraction of saturated units (gradient < 1 % of the maximum)' });
  record('labs.saturation', satRows);
}

// %% [markdown]
// **Maxout.** With two linear pieces, maxout can represent ReLU ($w_1 = 1, w_2 = 0$), leaky ReLU, the absolute value, or any convex piecewise-linear function with two pieces. Its gradient with respect to $x$ is the slope of whichever piece is larger — never zero unless that slope is.

// %%
const pieces = [{ w: 1, b: 0 }, { w: -0.5, b: -1 }];
const maxout = (x: tf.Tensor) => tf.maximum(x.mul(pieces[0].w).add(pieces[0].b), x.mul(pieces[1].w).add(pieces[1].b));
const maxoutGrad = tf.grad((x: tf.Tensor) => maxout(x).sum())(xs);
plotLines({ x: xv, series: { 'maxout(x)': Array.from(maxout(xs).dataSync()), "maxout'(x)": Array.from(maxoutGrad.dataSync()) }, title: 'Maxout with pieces x and −0.5x − 1', xLabel: 'x' });

// %% [markdown]
// ## 2. Weight initialisation
//
// What happens to the activations in a deep net depends on the scale of the initial weights. Lecture 6's experiment: a 10-layer net with 500 tanh units per layer on random Gaussian data, weights $W = s \cdot \text{randn}$, and the distribution of every layer's activations.
//
// * $s = 0.01$: each layer multiplies the activations' scale by about $0.01 \sqrt{500} \approx 0.22$: they collapse to zero, and so do the gradients on the weights (which are proportional to the inputs): no learning.
// * $s = 1$: the scores are huge and every tanh saturates at $\pm 1$: the local gradients are zero, again no learning.
// * **Xavier** (Glorot and Bengio, 2010), $s = 1/\sqrt{\text{fan-in}}$: the variance of each layer's input equals that of its output, and the activations stay well spread over all ten layers.
// * With **ReLU**, half of the units are zero, which halves the variance at every layer; Xavier then shrinks the activations layer after layer. **He** initialisation (He et al., 2015), $s = 1/\sqrt{\text{fan-in}/2}$, corrects for that.
//
// Write the scale of each initialisation as a function of the fan-in.

// %%
const LAYERS = 10;
const UNITS = QUICK ? 200 : 500;
/** The weight scale s of each initialisation (W = s · randn), for a layer with `fanIn` inputs. */
function initScale(kind: 'small' | 'large' | 'xavier' | 'he', fanIn: number): number {
  let s = 0;
  // BEGIN SOLUTION: return the weight scale: 0.01 for 'small', 1 for 'large', 1/√fanIn for
  // 'xavier' and 1/√(fanIn / 2) for 'he'.
  s = { small: 0.01, large: 1, xavier: 1 / Math.sqrt(fanIn), he: 1 / Math.sqrt(fanIn / 2) }[kind];
  // END SOLUTION
  return s;
}

/** Forward random data through the deep net; returns every layer's activations as host arrays. */
function deepActivations(kind: 'small' | 'large' | 'xavier' | 'he'): Float32Array[] {
  seed(2);
  const nonlinearity = kind === 'he' ? tf.relu : tf.tanh;
  let h = randn([1000, UNITS]);
  const out: Float32Array[] = [];
  for (let l = 0; l < LAYERS; l++) {
    const W = randn([UNITS, UNITS]).mul(initScale(kind, UNITS));
    const next = tf.tidy(() => nonlinearity(h.matMul(W)));
    h.dispose();
    W.dispose();
    h = next;
    out.push(h.dataSync() as Float32Array);
  }
  h.dispose();
  return out;
}

/** Mean and standard deviation of a host array. */
function meanStd(a: Float32Array): [number, number] {
  let s = 0, s2 = 0;
  for (const v of a) { s += v; s2 += v * v; }
  const m = s / a.length;
  return [m, Math.sqrt(Math.max(0, s2 / a.length - m * m))];
}

/** Histogram of each layer's activations over [lo, hi] in `bins` bins, as fractions. */
function histograms(layers: Float32Array[], lo: number, hi: number, bins = 40): { centres: number[]; series: Record<string, number[]> } {
  const width = (hi - lo) / bins;
  const centres = Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width);
  const series: Record<string, number[]> = {};
  layers.forEach((a, l) => {
    const counts = new Array(bins).fill(0);
    for (const v of a) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
    series[`layer ${l + 1}`] = counts.map((c) => c / a.length);
  });
  return { centres, series };
}

const layerStds: Record<string, number[]> = {};
for (const kind of ['small', 'large', 'xavier', 'he'] as const) {
  const layers = tryStep(() => deepActivations(kind), ['labs.init_layer_stds']);
  if (!layers) break;
  const ms = layers.map(meanStd);
  layerStds[kind] = ms.map((m) => m[1]);
  const title = { small: 'W = 0.01·randn, tanh', large: 'W = 1.0·randn, tanh', xavier: 'Xavier, tanh', he: 'He, ReLU' }[kind];
  plotLines({ x: ms.map((_, l) => l + 1), series: { mean: ms.map((m) => m[0]), std: ms.map((m) => m[1]) }, title: `${title}: mean and std per layer`, xLabel: 'layer', yLabel: 'activation' });
  const maxAbs = Math.max(...ms.map((m) => Math.abs(m[0]) + 3 * m[1]), 1e-6);
  const { centres, series } = histograms(layers, kind === 'he' ? 0 : -maxAbs, maxAbs);
  plotLines({ x: centres, series, title: `${title}: distribution of the activations per layer`, xLabel: 'activation', yLabel: 'fraction' });
}
if (Object.keys(layerStds).length === 4) {
  record('labs.init_layer_stds', layerStds);
  // Public checks on the shape of the curves, not on their exact values.
  record('labs.small_init_last_std', layerStds.small[LAYERS - 1]);
  record('labs.xavier_last_std', layerStds.xavier[LAYERS - 1]);
  record('labs.he_std_ratio', layerStds.he[LAYERS - 1] / layerStds.he[0]);
}
check('labs.small_init_last_std');
check('labs.xavier_last_std');
check('labs.he_std_ratio');

// %% [markdown]
// ## 3. Data preprocessing
//
// For images, the usual preprocessing is only **zero-centring**: subtract the mean image (computed on the training set only, then applied to every split). Normalising each pixel's variance matters less because pixels already share a scale, and PCA or whitening are rarely used for images. Why centre? With all-positive inputs, the gradients on a neuron's weights all have the same sign, so the weights can only move in zig-zags; centred data also makes the loss less sensitive to small changes in the weights.

// %%
const raw = await getData({ channelsFirst: true, subtractMean: false, ...(QUICK ? { numTraining: 1000, numValidation: 500, numTest: 100 } : { numTraining: 10000, numValidation: 1000, numTest: 100 }) });
const meanImage = raw.XTrain.mean(0);
showImages(meanImage.expandDims(0), { channelsFirst: true, title: 'The mean training image' });
const centred = raw.XTrain.sub(meanImage);
const pixelMeans = (x: tf.Tensor) => x.mean(0).reshape([-1]);
plotLines({
  x: Array.from({ length: 100 }, (_, i) => i),
  series: { 'raw pixel means': Array.from(pixelMeans(raw.XTrain).slice(300, 100).dataSync()), 'after centring': Array.from(pixelMeans(centred).slice(300, 100).dataSync()) },
  title: 'Mean of 100 pixels over the training set',
  xLabel: 'pixel',
  yLabel: 'mean value',
});
record('labs.centred_max_mean', tf.tidy(() => pixelMeans(centred).abs().max().dataSync()[0]));
check('labs.centred_max_mean');

// %% [markdown]
// ## 4. Babysitting the learning process
//
// Before a long run, a few cheap checks catch most bugs:
//
// 1. **Loss at initialisation.** With small weights and no regularisation the softmax loss must be about $\ln C$.
// 2. **Regularisation raises it.** Turning on the regularisation must increase the loss.
// 3. **Overfit a tiny subset.** 20 examples, no regularisation: the training accuracy must reach 100 %.
// 4. **Find a learning rate.** Too small and the loss barely moves; too large and it explodes to `NaN`. Rough ranges to try are $10^{-5}$ to $10^{-3}$.
// 5. **Watch the ratio of the update to the weights**, about $10^{-3}$ per step.

// %%
const data = await getData({ channelsFirst: true, subtractMean: true, ...(QUICK ? { numTraining: 2000, numValidation: 500, numTest: 100 } : { numTraining: 20000, numValidation: 1000, numTest: 100 }) });
const D = data.XTrain.size / data.XTrain.shape[0];
const C = data.classNames.length;
const batchX = data.XTrain.slice(0, 200);
const batchY = data.yTrain.slice(0, 200);
const babysit = tryStep(() => {
  seed(3);
  const net = new TwoLayerNet({ inputDim: D, hiddenDim: 50, numClasses: C, weightScale: 1e-4 });
  const initLoss = net.loss(batchX, batchY)[0];
  net.reg = 1e3;
  const regLoss = net.loss(batchX, batchY)[0];
  console.log(`loss at init ${initLoss.toFixed(4)} (ln ${C} = ${Math.log(C).toFixed(4)}); with reg = 1e3: ${regLoss.toFixed(4)}`);
  return { initLoss, regLoss };
}, ['labs.init_loss', 'labs.reg_raises_loss']);
if (babysit) {
  record('labs.init_loss', babysit.initLoss);
  record('labs.reg_raises_loss', babysit.regLoss > babysit.initLoss);
}
check('labs.init_loss');
check('labs.reg_raises_loss');

// %%
const tiny = { XTrain: data.XTrain.slice(0, 20), yTrain: data.yTrain.slice(0, 20), XVal: data.XVal.slice(0, 100), yVal: data.yVal.slice(0, 100) };
/** Trains a two-layer net with SGD; returns the Solver. */
function sgdRun(d: typeof tiny, learningRate: number, numEpochs: number, batchSize: number, reg = 0): Solver {
  seed(4);
  const net = new TwoLayerNet({ inputDim: D, hiddenDim: 50, numClasses: C, weightScale: 1e-3, reg });
  const solver = new Solver(net, d, { updateRule: 'sgd', optimConfig: { learningRate }, numEpochs, batchSize, verbose: false, progress: false, seed: 4 });
  solver.train();
  return solver;
}
const overfitRun = tryStep(() => sgdRun(tiny, 1e-3, 100, 20), ['labs.overfit_train_acc']);
if (overfitRun) {
  record('labs.overfit_train_acc', Math.max(...overfitRun.trainAccHistory));
  console.log(`training accuracy on 20 examples: ${Math.max(...overfitRun.trainAccHistory)}`);
  plotLines({ series: { loss: overfitRun.lossHistory }, title: 'Overfitting 20 examples', xLabel: 'iteration', yLabel: 'loss' });
}
check('labs.overfit_train_acc');

// %%
const lrData = { XTrain: data.XTrain, yTrain: data.yTrain, XVal: data.XVal, yVal: data.yVal };
const lrCurves: Record<string, number[]> = {};
const lrRuns: Record<string, Solver> = {};
for (const lr of [1e-7, 1e-3, 1e2]) {
  const run = tryStep(() => sgdRun(lrData, lr, 1, 100, 1e-3), ['labs.small_lr_loss_change', 'labs.large_lr_diverged']);
  if (!run) break;
  lrRuns[String(lr)] = run;
  lrCurves[`lr = ${lr}`] = run.lossHistory.map((l) => (Number.isFinite(l) ? Math.min(l, 10) : 10));
}
if (Object.keys(lrRuns).length === 3) {
  plotLines({ series: lrCurves, title: 'Loss for three learning rates (capped at 10)', xLabel: 'iteration', yLabel: 'loss' });
  const small = lrRuns['1e-7'].lossHistory;
  const change = Math.abs(mean(small.slice(-5)) - mean(small.slice(0, 5))) / mean(small.slice(0, 5));
  console.log(`lr = 1e-7: the loss changed by ${(100 * change).toFixed(3)} % over an epoch; lr = 100: ${lrRuns['100'].lossHistory.some((l) => !Number.isFinite(l)) ? 'NaN/Infinity' : 'finite'}`);
  record('labs.small_lr_loss_change', change);
  record('labs.large_lr_diverged', lrRuns['100'].lossHistory.some((l) => !Number.isFinite(l)));
}
check('labs.small_lr_loss_change');
check('labs.large_lr_diverged');

// %% [markdown]
// The **update-to-weight ratio**: for every weight matrix, $\lVert \alpha\, dW \rVert / \lVert W \rVert$ at one step. Around $10^{-3}$ is healthy; much smaller means the learning rate is too low, much larger too high.

// %%
const ratios = tryStep(() => {
  const net = lrRuns['0.001']?.model;
  if (!net) return undefined;
  const [, grads] = net.loss(batchX, batchY);
  const out: Record<string, number> = {};
  for (const name of ['W1', 'W2']) out[name] = tf.tidy(() => tf.norm(grads[name]).mul(1e-3).div(tf.norm(net.params[name])).dataSync()[0]);
  tf.dispose(Object.values(grads));
  return out;
}, ['labs.update_ratio']);
if (ratios) {
  for (const [k, r] of Object.entries(ratios)) console.log(`${k}: update / weight ≈ ${r.toExponential(2)}`);
  record('labs.update_ratio', ratios.W1);
}
check('labs.update_ratio');

// %% [markdown]
// ## 5. Hyperparameter search
//
// Search **coarse to fine**: first a few epochs over wide ranges to find where the good values are, then longer runs in the narrower region. Sample on a **log scale** (learning rate and regularisation act multiplicatively), and sample **at random** rather than on a grid: when only one of the two hyperparameters matters much, a $3 \times 3$ grid tries just 3 distinct values of it, while 9 random trials try 9 (Bergstra and Bengio, 2012).
//
// Write the sampling: a learning rate and a regularisation strength drawn log-uniformly from the given ranges (`randomUniformNumber(lo, hi)` gives a uniform number).

// %%
type Trial = { lr: number; reg: number; valAcc: number; stage: string };
const trials: Trial[] = [];
const searchData = { XTrain: data.XTrain, yTrain: data.yTrain, XVal: data.XVal, yVal: data.yVal };

/** One trial: a two-layer net trained with Adam for `epochs` epochs; returns the best validation accuracy. */
function trial(lr: number, reg: number, epochs: number): number {
  seed(5);
  const net = new FullyConnectedNet([100], { inputDim: D, numClasses: C, weightScale: 1e-3, reg });
  const solver = new Solver(net, searchData, { updateRule: 'adam', optimConfig: { learningRate: lr }, numEpochs: epochs, batchSize: 200, verbose: false, progress: false, seed: 5 });
  solver.train();
  const acc = solver.bestValAcc;
  solver.dispose();
  net.dispose();
  return acc;
}

/** A log-uniform sample of (learning rate, regularisation) with log10 lr in lrRange and log10 reg in regRange. */
function sampleHyperparameters(lrRange: [number, number], regRange: [number, number]): [number, number] {
  let lr = 0;
  let reg = 0;
  // BEGIN SOLUTION: draw log10(lr) uniformly from lrRange and log10(reg) uniformly from regRange
  // (randomUniformNumber(lo, hi)), and set lr and reg to 10 to those powers.
  lr = 10 ** randomUniformNumber(lrRange[0], lrRange[1]);
  reg = 10 ** randomUniformNumber(regRange[0], regRange[1]);
  // END SOLUTION
  return [lr, reg];
}

seed(6);
const coarseDone = tryStep(() => {
  for (const _ of progress(QUICK ? 6 : 20, { label: 'coarse search' })) {
    const [lr, reg] = sampleHyperparameters([-6, -1], [-5, 1]);
    trials.push({ lr, reg, valAcc: trial(lr, reg, 1), stage: 'coarse' });
  }
  return true;
}, ['labs.coarse_best_val', 'labs.fine_best_val']);
if (coarseDone) {
  // Fine: ±0.5 decades around the best coarse trial, longer runs.
  const best = trials.reduce((a, b) => (b.valAcc > a.valAcc ? b : a));
  record('labs.coarse_best_val', best.valAcc);
  const lrC = Math.log10(best.lr);
  const regC = Math.log10(best.reg);
  for (const _ of progress(QUICK ? 3 : 10, { label: 'fine search' })) {
    const [lr, reg] = sampleHyperparameters([lrC - 0.5, lrC + 0.5], [regC - 0.5, regC + 0.5]);
    trials.push({ lr, reg, valAcc: trial(lr, reg, QUICK ? 3 : 5), stage: 'fine' });
  }
  const bestFine = Math.max(...trials.filter((t) => t.stage === 'fine').map((t) => t.valAcc));
  record('labs.fine_best_val', bestFine);
  plotScatter({
    points: trials.map((t) => ({ x: Math.log10(t.lr), y: Math.log10(t.reg), color: t.valAcc })),
    title: 'Validation accuracy over (learning rate, regularisation)',
    xLabel: 'log10 learning rate',
    yLabel: 'log10 regularisation',
    colorLabel: 'val accuracy',
  });
  showTable([...trials].sort((a, b) => b.valAcc - a.valAcc).slice(0, 8), { title: 'Best trials' });
}
check('labs.coarse_best_val');
check('labs.fine_best_val');

// %% [markdown]
// **Random vs grid.** Nine trials, either on a $3 \times 3$ grid or at random over the same square. The accuracy depends strongly on the learning rate and only weakly on the regularisation (see the plot above), so what matters is how many *distinct learning rates* each layout tries.

// %%
const gridPoints: [number, number][] = [];
for (const a of [-5, -3.5, -2]) for (const b of [-4, -2, 0]) gridPoints.push([a, b]);
seed(7);
const randomPoints: [number, number][] = Array.from({ length: 9 }, () => [randomUniformNumber(-5, -2), randomUniformNumber(-4, 0)]);
plotScatter({
  points: [...gridPoints.map(([x, y]) => ({ x, y, group: 'grid' })), ...randomPoints.map(([x, y]) => ({ x, y, group: 'random' }))],
  title: 'Nine trials: grid vs random layout',
  xLabel: 'log10 learning rate (important)',
  yLabel: 'log10 regularisation (unimportant)',
});
const distinct = (pts: [number, number][]) => new Set(pts.map((p) => p[0].toFixed(6))).size;
console.log(`distinct learning rates tried: grid ${distinct(gridPoints)}, random ${distinct(randomPoints)}`);
