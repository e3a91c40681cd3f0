// %% [markdown]
// # Image features
//
// So far every classifier looked at raw pixels. Before deep networks took over, a classifier was usually the *second* stage of a pipeline: first compute a few hand-designed **feature representations** of the image — numbers that describe its colours, its edges, its textures — concatenate them into one feature vector, and only then train a linear classifier on those vectors.
//
// Why would that help? A good feature transform can turn a problem that is hard for a linear classifier into an easy one. Picture red points in a disc surrounded by blue points: no straight line separates them, but after switching to polar coordinates (radius, angle) a single threshold on the radius does. Image features play the same role: pixels of the same garment shifted by two pixels look very different to a linear classifier, while a description of "which edge directions occur where" barely changes.
//
// In this notebook you will
//
// 1. compute two classic features with the functions given in `cs231n/features.ts`: a **histogram of oriented gradients (HOG)** and a **colour histogram** (hue in HSV space), and look at what they capture;
// 2. train the linear SVM from the SVM notebook on the feature vectors, tuning it on the validation set;
// 3. train the two-layer network from the previous notebook on the same features and compare.
//
// The feature code is given; what you write here are the two hyper-parameter searches (the blocks marked *TODO*). Your `LinearSVM` and `TwoLayerNet` from earlier notebooks do the training.

// %%
import { tf, quickMode, seed, record, check, progress, plotBars, plotLines, plotScatter, showImages, tryStep, accuracy, logUniform, notImplemented } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { hogFeature, colorHistogramHsv, intensityHistogram, extractFeatures, FeatureFn } from './cs231n/features';
import { LinearSVM } from './cs231n/classifiers/linearClassifier';
import { TwoLayerNet } from './cs231n/classifiers/neuralNet';

// Quick mode (TS231N_QUICK=1) runs the same code on fewer examples (1,000 training images) and iterations.
const QUICK = quickMode();
seed(231);

// %% [markdown]
// ## The data
//
// Features are computed from the original images, so this time we ask `getData` for images of shape $N \times H \times W \times C$ with pixel values 0–255: no mean subtraction, no flattening, no bias column. (We normalise the *features* later instead.)

// %%
const data = await getData({ subtractMean: false, ...(QUICK ? { numTraining: 1000, numValidation: 200, numTest: 200 } : {}) });
const { XTrain, yTrain, XVal, yVal, XTest, yTest, classNames } = data;
console.log(`data set: ${data.name}`);
console.log(`train [${XTrain.shape.join(', ')}], val [${XVal.shape.join(', ')}], test [${XTest.shape.join(', ')}]`);
const [H, W, CH] = XTrain.shape.slice(1) as number[];
const C = classNames.length;

// %% [markdown]
// ## Histogram of oriented gradients
//
// HOG describes the *shape* of what is in the image through its edges, while ignoring colour and exact position:
//
// 1. compute the image gradient at every pixel — how fast the brightness changes horizontally ($g_x$) and vertically ($g_y$) — and from it the edge strength $\sqrt{g_x^2 + g_y^2}$ and the edge direction $\operatorname{atan2}(g_y, g_x)$;
// 2. cut the image into small cells of 8 × 8 pixels;
// 3. in every cell, build a histogram of the edge directions over 9 bins of 20° each, where each pixel votes with its edge strength.
//
// The feature vector lists the 9 bin values of every cell. A small shift of the image moves an edge by a pixel or two, but mostly keeps it inside the same cell with the same direction, so the HOG vector barely changes — unlike the pixels.
//
// `hogFeature` works on cells of 8 × 8 pixels, as in the original course code, and ignores rows and columns beyond the last whole cell. CIFAR-10's 32 × 32 images give a 4 × 4 grid of cells. Fashion-MNIST's 28 × 28 images would give only 3 × 3 cells covering the top-left 24 × 24 pixels, cutting off the bottom and the right of every garment, so for 28 × 28 images we first **pad two black pixels on every side**: 32 × 32 again, a 4 × 4 grid that covers the whole garment (the background is black anyway).

// %%
/** Images as the feature functions see them: Fashion-MNIST is padded to 32×32 so that 8×8 cells tile the whole picture. */
function forFeatures(X: tf.Tensor): tf.Tensor {
  if (H % 8 === 0 && W % 8 === 0) return X.clone();
  const padH = 8 * Math.ceil(H / 8) - H;
  const padW = 8 * Math.ceil(W / 8) - W;
  return tf.pad(X, [[0, 0], [Math.floor(padH / 2), Math.ceil(padH / 2)], [Math.floor(padW / 2), Math.ceil(padW / 2)], [0, 0]]);
}

const sample = tf.tidy(() => forFeatures(XTrain.slice([0, 0, 0, 0], [1, -1, -1, -1])).squeeze([0]));
const sampleHog = hogFeature(sample);
const hogLength = sampleHog.length;
record('features.hog_shape', [hogLength]);
console.log(`HOG of one ${sample.shape.join('×')} image: ${hogLength} numbers = ${hogLength / 9} cells × 9 orientations`);

// %% [markdown]
// What does HOG see? Below, the first image is the (padded) training image; the next nine show, for each orientation bin, the strength of edges with that direction in each of the 4 × 4 cells (bright = strong). Vertical edges of a trouser leg or a sleeve light up a different bin than the horizontal edge of a shoe's sole.

// %%
{
  const side = Math.round(Math.sqrt(hogLength / 9));
  // hogFeature orders values (cell column, cell row, orientation); rebuild one side×side map per orientation.
  const maps = new Float32Array(9 * side * side);
  for (let j = 0; j < side; j++) for (let i = 0; i < side; i++) for (let o = 0; o < 9; o++) maps[o * side * side + i * side + j] = sampleHog[(j * side + i) * 9 + o];
  const upscale = sample.shape[0]! / side;
  const hogImages = tf.tidy(() => {
    const cells = tf.tensor4d(maps, [9, side, side, 1]);
    const big = tf.image.resizeNearestNeighbor(cells, [side * upscale, side * upscale]);
    const scaled = big.div(cells.max().add(1e-12)).mul(255);
    const gray = sample.shape[2] === 3 ? sample.mean(2, true) : sample;
    return tf.concat([gray.expandDims(0), scaled]);
  });
  showImages(hogImages, { labels: ['image', ...[...Array(9).keys()].map((o) => `${o * 20}°–${o * 20 + 20}°`)], normalize: false, scale: 3 });
  hogImages.dispose();
}

// %% [markdown]
// ## Colour histogram
//
// The second feature ignores shape altogether and describes the image's colours: convert every pixel from RGB to HSV (hue, saturation, value) and count how many pixels fall into each of 10 bins of **hue** — red, orange, yellow, green and so on around the colour wheel. A frog is mostly green, a fire engine mostly red, wherever they are in the image.
//
// On Fashion-MNIST this feature is useless, and it is worth seeing why: the images are grey, so red = green = blue at every pixel, the hue is undefined and set to 0, and every image gets the same histogram, all its mass in the first bin. A feature that is identical for every example carries no information. For grey images we use the closest analogue instead, a histogram of the pixel **intensities** (how much of the image is dark, mid-grey, bright).

// %%
const hueHist = colorHistogramHsv(sample, 10);
const grayHist = intensityHistogram(sample, 10);
record('features.color_hist_shape', [hueHist.length]);
const binLabels = [...Array(10).keys()].map((b) => `${b * 25.5}`);
plotBars({ labels: binLabels, values: Array.from(hueHist), title: 'Hue histogram of the sample image', xLabel: 'hue bin (start, 0–255)', yLabel: 'fraction of pixels' });
if (CH === 1) plotBars({ labels: binLabels, values: Array.from(grayHist), title: 'Intensity histogram of the sample image', xLabel: 'intensity bin (start, 0–255)', yLabel: 'fraction of pixels' });

// %% [markdown]
// ## Extracting the features
//
// `extractFeatures(images, [f1, f2, …])` applies every feature function to every image and concatenates the results into one row per image: HOG plus the hue histogram for colour images, HOG plus the intensity histogram for grey ones. It takes a little while for tens of thousands of images; the progress bars follow it.

// %%
const featureFns: FeatureFn[] = CH === 3 ? [(im) => hogFeature(im), (im) => colorHistogramHsv(im, 10)] : [(im) => hogFeature(im), (im) => intensityHistogram(im, 10)];

/** Feature rows of a set of images, with a progress bar. */
function featuresOf(X: tf.Tensor, label: string): tf.Tensor2D {
  const images = forFeatures(X);
  const bar = progress(X.shape[0], { label });
  const feats = extractFeatures(images, featureFns, { every: 500, onProgress: (done) => bar.update(done) });
  bar.done();
  images.dispose();
  return feats;
}
const rawTrain = featuresOf(XTrain, 'train features');
const rawVal = featuresOf(XVal, 'val features');
const rawTest = featuresOf(XTest, 'test features');
console.log(`feature vectors: train [${rawTrain.shape.join(', ')}], val [${rawVal.shape.join(', ')}], test [${rawTest.shape.join(', ')}]`);

// %% [markdown]
// ### Normalising the features
//
// HOG values and histogram fractions live on very different scales. As with pixels, we centre each feature on its training mean and divide by its training standard deviation, so that every dimension has a comparable range — statistics from the **training** split only, applied to all three. For the linear SVM we then append the bias column of ones, exactly as with pixels; the network has biases of its own and gets the features without it.

// %%
const { mean: featMean, variance: featVar } = tf.moments(rawTrain, 0, true);
const featStd = tf.tidy(() => featVar.sqrt().add(1e-8)); // + 1e-8: a constant feature (e.g. an empty histogram bin) stays 0, not NaN
const normalise = (F: tf.Tensor) => tf.tidy(() => F.sub(featMean).div(featStd)) as tf.Tensor2D;
const [FTrain, FVal, FTest] = [rawTrain, rawVal, rawTest].map(normalise);
const withBias = (F: tf.Tensor) => tf.tidy(() => tf.concat([F, tf.ones([F.shape[0], 1])], 1));
const [FTrainB, FValB, FTestB] = [FTrain, FVal, FTest].map(withBias);
tf.dispose([rawTrain, rawVal, rawTest, featVar]);
console.log(`normalised: train [${FTrain.shape.join(', ')}]; with bias column [${FTrainB.shape.join(', ')}]`);

// %% [markdown]
// ## A linear SVM on features
//
// Tune the learning rate and the regularisation strength of a `LinearSVM` on the feature vectors, exactly as you did on pixels: random search on log scales, coarse then fine, keeping the best model in `bestSvm` and its validation accuracy in `bestSvmVal`. The ranges that work are very different from the pixel ones — the features are normalised, so the scores are much larger per unit of weight. You should reach a validation accuracy above 0.80 on Fashion-MNIST (on CIFAR-10, about 0.44).

// %%
interface SvmTrial { lr: number; reg: number; valAcc: number }
const svmTrials: SvmTrial[] = [];
let bestSvm: LinearSVM | undefined;
let bestSvmVal = -1;
const SVM_ITERS = QUICK ? 150 : 1500;

/** Trains a LinearSVM on the features and keeps it if it has the best validation accuracy so far. */
function runSvm(lr: number, reg: number, numIters: number): void {
  const model = new LinearSVM();
  model.train(FTrainB, yTrain, { learningRate: lr, reg, numIters, batchSize: 200 });
  const valAcc = tf.tidy(() => accuracy(model.predict(FValB), yVal));
  svmTrials.push({ lr, reg, valAcc });
  if (valAcc > bestSvmVal) {
    bestSvmVal = valAcc;
    bestSvm?.W?.dispose();
    bestSvm = model;
  } else {
    model.W?.dispose();
  }
}

seed(42);
tryStep(() => {
  // BEGIN SOLUTION: random search for the SVM on features. Coarse: sample lr log-uniformly in
  // 1e-5..1e-1 and reg in 1e-5..1e0 and call runSvm(lr, reg, iters) with about SVM_ITERS / 3
  // iterations; fine: sample around the best coarse trial with SVM_ITERS iterations.
  // Wrap both loops in progress(...).
  for (const _ of progress(QUICK ? 3 : 10, { label: 'coarse search' })) runSvm(logUniform(-5, -1), logUniform(-5, 0), Math.round(SVM_ITERS / 3));
  const best = svmTrials.reduce((a, b) => (b.valAcc > a.valAcc ? b : a));
  const [lrC, regC] = [Math.log10(best.lr), Math.log10(best.reg)];
  for (const _ of progress(QUICK ? 2 : 5, { label: 'fine search' })) runSvm(logUniform(lrC - 0.5, lrC + 0.5), logUniform(regC - 1, regC + 1), SVM_ITERS);
  // END SOLUTION
}, ['features.svm_best_val_accuracy']);

for (const t of [...svmTrials].sort((a, b) => b.valAcc - a.valAcc).slice(0, 5)) {
  console.log(`lr ${t.lr.toExponential(2)}  reg ${t.reg.toExponential(2)}  val ${t.valAcc.toFixed(3)}`);
}
if (bestSvm) {
  console.log(`best validation accuracy of the SVM on features: ${bestSvmVal.toFixed(3)}`);
  record('features.svm_best_val_accuracy', bestSvmVal);
}
check('features.svm_best_val_accuracy');

// %%
if (svmTrials.length) {
  plotScatter({
    points: svmTrials.map((t) => ({ x: Math.log10(t.lr), y: Math.log10(t.reg), color: t.valAcc })),
    title: 'SVM on features: validation accuracy',
    xLabel: 'log10 learning rate',
    yLabel: 'log10 regularisation strength',
    colorLabel: 'val accuracy',
  });
}
const svmTestAcc = bestSvm && record('features.svm_test_accuracy', () => tf.tidy(() => accuracy(bestSvm!.predict(FTestB), yTest)));
if (svmTestAcc !== undefined) console.log(`SVM on features, test accuracy: ${svmTestAcc.toFixed(3)}`);

// %% [markdown]
// ### Where does it go wrong?
//
// Numbers hide *how* a classifier fails. Below, for every class, are a few test images that the SVM assigned to that class although they belong to another one; each row holds the mistakes of one predicted class, and the label reads *true class → predicted class*. Do the mistakes make sense?

// %%
if (bestSvm) {
  const pred = tf.tidy(() => bestSvm!.predict(FTestB));
  const [p, t] = [pred.dataSync(), yTest.dataSync()];
  pred.dispose();
  const perClass = 6;
  const short = (name: string) => name.split(/[\/ ]/)[0];
  const picks: number[] = [];
  const labels: string[] = [];
  for (let c = 0; c < C; c++) {
    let found = 0;
    for (let i = 0; i < p.length && found < perClass; i++) {
      if (p[i] === c && t[i] !== c) {
        picks.push(i);
        labels.push(`${short(classNames[t[i]])}→${short(classNames[c])}`);
        found++;
      }
    }
  }
  if (picks.length) {
    const wrong = tf.tidy(() => tf.gather(XTest, picks));
    showImages(wrong, { labels, cols: perClass, title: 'Mistakes (true → predicted)', normalize: false, scale: 4 });
    wrong.dispose();
  }
}

// %% [markdown]
// **Inline question 1.** Describe the mistakes above. Which classes get confused with each other, and why would HOG and intensity features (or, on CIFAR-10, HOG and colour features) make exactly those confusions?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* Most mistakes are between classes with similar outlines: shirts, T-shirts, pullovers and coats are all a torso with sleeves; sandals, sneakers and ankle boots are all low shapes with a sole. HOG describes edge directions per 8×8 cell, which is exactly the coarse outline, so garments with the same silhouette get very similar HOG vectors; the fine details that separate them (a collar, buttons, a pattern, the laces) are smaller than a cell and are averaged away. The intensity histogram only says how bright the garment is overall, which does not help between such classes either. On CIFAR-10 the same happens with animals that share a shape or a background colour: a deer on grass and a horse on grass have similar colour histograms, and a cat and a dog have similar coarse edges.
// <!-- END SOLUTION -->

// %% [markdown]
// ## A two-layer network on features
//
// The network from the previous notebook can combine features non-linearly, so it should do better than the SVM on the same vectors. Tune it on the normalised features (without the bias column): hidden size, learning rate, regularisation and number of iterations. Keep the best network in `bestNet` and its validation accuracy in `bestNetVal`. Aim for at least 0.84 on Fashion-MNIST (on CIFAR-10, above 0.55). With normalised features, much larger learning rates than on pixels work well (try around 1e-1).

// %%
interface NetTrial { hidden: number; lr: number; reg: number; iters: number; valAcc: number; lossHistory: number[] }
const netTrials: NetTrial[] = [];
let bestNet: TwoLayerNet | undefined;
let bestNetVal = -1;
const FD = FTrain.shape[1];
// The learning rate decays once per epoch; quick mode's epochs are only 5 iterations long, so it decays more gently there.
const DECAY = QUICK ? 0.99 : 0.95;

/** Trains a TwoLayerNet on the features (with a progress bar) and keeps it if it is the best so far. */
function runNet(hidden: number, lr: number, reg: number, iters: number, decay = DECAY): void {
  const net = new TwoLayerNet(FD, hidden, C);
  const bar = progress(iters, { label: `hidden ${hidden}, lr ${lr.toExponential(1)}, reg ${reg.toExponential(1)}` });
  const stats = net.train(FTrain, yTrain, FVal, yVal, {
    learningRate: lr, learningRateDecay: decay, reg, numIters: iters, batchSize: 200,
    onIteration: (it) => { if ((it + 1) % 50 === 0 || it + 1 === iters) bar.update(it + 1); },
  });
  bar.done();
  const valAcc = tf.tidy(() => accuracy(net.predict(FVal), yVal));
  netTrials.push({ hidden, lr, reg, iters, valAcc, lossHistory: stats.lossHistory });
  if (valAcc > bestNetVal) {
    bestNet?.dispose();
    bestNet = net;
    bestNetVal = valAcc;
  } else {
    net.dispose();
  }
}

seed(7);
tryStep(() => {
  // BEGIN SOLUTION: tune the network on features with runNet(hidden, lr, reg, iters).
  // For example: a few short runs with lr log-uniform in 1e-1.5..1e0 and reg in 1e-5..1e-2,
  // then a longer run of the best setting with a larger hidden layer.
  for (let t = 0; t < (QUICK ? 1 : 3); t++) runNet(200, logUniform(-1.3, -0.3), logUniform(-5, -3), QUICK ? 150 : 1500);
  const best = netTrials.reduce((a, b) => (b.valAcc > a.valAcc ? b : a));
  runNet(500, best.lr, best.reg, QUICK ? 250 : 6000);
  // END SOLUTION
}, ['features.net_best_val_accuracy']);

for (const t of [...netTrials].sort((a, b) => b.valAcc - a.valAcc)) {
  console.log(`hidden ${t.hidden}  lr ${t.lr.toExponential(2)}  reg ${t.reg.toExponential(2)}  iters ${t.iters}  val ${t.valAcc.toFixed(3)}`);
}
if (bestNet) {
  console.log(`best validation accuracy of the network on features: ${bestNetVal.toFixed(3)}`);
  record('features.net_best_val_accuracy', bestNetVal);
}
check('features.net_best_val_accuracy');

// %%
if (netTrials.length) {
  const longest = Math.max(...netTrials.map((t) => t.lossHistory.length));
  // Every trial's loss curve, smoothed over 50 iterations so that the trends are visible.
  const smooth = (h: number[]) => h.map((_, i) => { const w = h.slice(Math.max(0, i - 49), i + 1); return w.reduce((s, v) => s + v, 0) / w.length; });
  const series = Object.fromEntries(netTrials.map((t) => [`h ${t.hidden}, lr ${t.lr.toExponential(1)}, reg ${t.reg.toExponential(1)}`, [...smooth(t.lossHistory), ...Array(longest - t.lossHistory.length).fill(null)]]));
  plotLines({ x: [...Array(longest).keys()], series, title: 'Training loss on features (moving average of 50)', xLabel: 'iteration', yLabel: 'loss' });
}
const netTestAcc = bestNet && record('features.net_test_accuracy', () => tf.tidy(() => accuracy(bestNet!.predict(FTest), yTest)));
if (netTestAcc !== undefined) console.log(`two-layer net on features, test accuracy: ${netTestAcc.toFixed(3)}`);

// %% [markdown]
// ## Pixels or features?
//
// A comparison of the test accuracies of the two classifiers you trained here. Compare them with what the same classifiers reached on raw pixels in the SVM and two-layer-net notebooks.

// %%
{
  const labels: string[] = [];
  const values: number[] = [];
  if (svmTestAcc !== undefined) { labels.push('SVM on features'); values.push(svmTestAcc); }
  if (netTestAcc !== undefined) { labels.push('two-layer net on features'); values.push(netTestAcc); }
  if (values.length) plotBars({ labels, values, title: 'Test accuracy', yLabel: 'accuracy' });
}

// %% [markdown]
// **Inline question 2.** Hand-designed features helped the linear classifier. Why did the field move from designing features to learning them (as the convolutional networks of assignment 2 do)? Name one thing a learned representation can do that HOG plus a histogram cannot.
//
// <!-- BEGIN SOLUTION -->
// *Answer:* A hand-designed feature captures only what its designer thought of, at the scale the designer chose: HOG sees edge directions in fixed 8×8 cells and nothing finer or coarser, a histogram sees colours but not where they are. Everything the features throw away is lost for the classifier, and tuning the feature design is slow human work that must be redone for every new kind of data. A network trained end to end adjusts every stage — from the first edge detectors to the final classifier — to the task using the training data, so it can learn detectors for exactly the parts that separate the classes (a collar, a heel, laces), combine them hierarchically at several scales, and keep information that a fixed pipeline would have discarded. With enough data, learned features beat hand-designed ones on almost every vision benchmark.
// <!-- END SOLUTION -->
