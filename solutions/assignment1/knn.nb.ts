// %% [markdown]
// # k-Nearest Neighbour classifier
//
// Welcome to assignment 1! In this notebook you build the simplest image classifier there is and use it to meet the habits that the rest of the course relies on.
//
// The **k-nearest-neighbour (kNN)** classifier has two phases:
//
// * **train**: remember every training image and its label. That is all — training costs nothing.
// * **predict**: for a new image, find the `k` training images that are closest to it and let them vote on the label.
//
// So the interesting work happens at prediction time, and it is expensive: every test image is compared with every training image. You will write that comparison three times — with two loops, one loop and no loops — and see why vectorised code matters. Then you will choose `k` the honest way, with **cross-validation** on the training data, and finish by asking whether distances between raw pixels are a good idea at all.
//
// The cells import three things: the notebook runtime (`ts231n`: tensors, plots, progress bars, `record`/`check`), the data sets (`ts231n/datasets`) and your own code in `cs231n/`. Your code goes in `cs231n/classifiers/kNearestNeighbor.ts`, plus the blocks marked *TODO* in this notebook.
//
// Two helpers appear everywhere:
//
// * `check(id)` compares a value with a public sanity check and prints ✓ or ✗ with a reason. Use it freely.
// * `record(id, ...)` stores a value in the notebook for the grader. Don't remove those calls.

// %%
import { tf, quickMode, seed, record, check, progress, plotBars, plotErrorBars, plotLines, showImages, rand, notImplemented, tryStep, accuracy, timeIt } from 'ts231n';
import { loadDataset, showExamples } from 'ts231n/datasets';
import { KNearestNeighbor } from './cs231n/classifiers/kNearestNeighbor';

// Quick mode (TS231N_QUICK=1) runs the same code on fewer examples so that tests stay fast.
const QUICK = quickMode();
const NUM_TRAIN = QUICK ? 500 : 5000;
const NUM_TEST = QUICK ? 50 : 500;
seed(231);

/** The two-loop distance matrix; while computeDistancesTwoLoops is a TODO, says so again. */
function need(d: tf.Tensor | undefined): tf.Tensor {
  if (d === undefined) notImplemented('KNearestNeighbor.computeDistancesTwoLoops', 'cs231n/classifiers/kNearestNeighbor.ts');
  return d;
}

// %% [markdown]
// ## The data
//
// The kit loads CIFAR-10 when you have downloaded it (`npm run datasets -- cifar10`) and otherwise **Fashion-MNIST**, which is installed offline: 28×28 grey-scale photos of clothes in 10 classes, 60,000 for training and 10,000 for testing. Pixels are numbers from 0 to 255.
//
// Always look at your data before you model it. Each row below shows a few random training examples of one class.

// %%
const data = await loadDataset();
console.log(`data set: ${data.name}`);
console.log(`training images: [${data.XTrain.shape.join(', ')}], labels: [${data.yTrain.shape.join(', ')}]`);
console.log(`test images:     [${data.XTest.shape.join(', ')}], labels: [${data.yTest.shape.join(', ')}]`);
seed(231);
showExamples(data.XTrain, data.yTrain, data.classNames, 7);

// %% [markdown]
// kNN is slow at prediction time, so we work with a subset: the first 5,000 training images and the first 500 test images. Each image becomes one row of numbers (28·28·1 = 784 for Fashion-MNIST, 32·32·3 = 3,072 for CIFAR-10).

// %%
const XTrain = data.XTrain.slice(0, NUM_TRAIN).reshape([NUM_TRAIN, -1]);
const yTrain = data.yTrain.slice(0, NUM_TRAIN);
const XTest = data.XTest.slice(0, NUM_TEST).reshape([NUM_TEST, -1]);
const yTest = data.yTest.slice(0, NUM_TEST);
console.log(`train rows: [${XTrain.shape.join(', ')}], test rows: [${XTest.shape.join(', ')}]`);

// %% [markdown]
// ## Distances with two loops
//
// We measure how different two images are with the **L2 (Euclidean) distance** between their pixel vectors:
//
// $$d_2(I_1, I_2) = \sqrt{\sum_p \left(I_1^p - I_2^p\right)^2}$$
//
// (The L1 distance, $\sum_p |I_1^p - I_2^p|$, is the other common choice; it depends on how the axes are oriented, L2 does not.)
//
// Open `cs231n/classifiers/kNearestNeighbor.ts` and implement `computeDistancesTwoLoops`: a loop over test rows, a loop over training rows, and the distance of the pair written out over plain typed arrays. The result is a `numTest × numTrain` matrix whose entry `(i, j)` is the distance between test image `i` and training image `j`.

// %%
const classifier = new KNearestNeighbor();
classifier.train(XTrain, yTrain);

// This may take a few seconds: it really loops over every pair.
const dists = record('knn.dists_two_loops', () => classifier.computeDistancesTwoLoops(XTest));
if (dists) {
  console.log(`distance matrix: [${dists.shape.join(', ')}]`);
  // A picture of the first 100 test rows against the first 400 training columns: dark = close.
  showImages(dists.slice([0, 0], [Math.min(100, NUM_TEST), 400]).reshape([1, Math.min(100, NUM_TEST), 400, 1]), {
    normalize: true,
    labels: ['distances: test rows × train columns'],
  });
}

// %% [markdown]
// **Inline question 1.** In the picture of the distance matrix some *rows* are bright all the way across, and some *columns* are bright all the way down. What kind of test image makes a bright row, and what kind of training image makes a bright column? (Think about what a large L2 distance to almost everything means for Fashion-MNIST pictures.)
//
// <!-- BEGIN SOLUTION -->
// *Answer:* A bright row is a test image that is far from *every* training image: typically one with a lot of ink (a large, bright garment such as a coat or a bag filling the frame) or an unusual shape, so that its pixel vector has a large norm and overlaps badly with everything. A bright column is the same thing on the training side: a training image that is far from every test image, e.g. an unusually large, bright or oddly placed item. Because L2 grows with the total amount of differing brightness, images with many bright pixels dominate the distances.
// <!-- END SOLUTION -->

// %% [markdown]
// ## Predicting labels
//
// Now implement `predictLabels(dists, k)`: for each test row take the labels of the `k` nearest training images and return the most common one. **When two labels get the same number of votes, choose the smaller label** — the grader expects exactly this rule.
//
// With `k = 1` each test image simply gets the label of its nearest neighbour.

// %%
const accK1 = record('knn.accuracy_k1', () => accuracy(classifier.predictLabels(need(dists), 1), yTest));
if (accK1 !== undefined) console.log(`k = 1: ${Math.round(accK1 * NUM_TEST)} / ${NUM_TEST} correct, accuracy ${accK1.toFixed(3)}`);
check('knn.accuracy_k1');

// %% [markdown]
// With `k = 5` the five nearest neighbours vote. You should see slightly better accuracy: a single odd neighbour can no longer decide alone.

// %%
const accK5 = record('knn.accuracy_k5', () => accuracy(classifier.predictLabels(need(dists), 5), yTest));
if (accK5 !== undefined) console.log(`k = 5: ${Math.round(accK5 * NUM_TEST)} / ${NUM_TEST} correct, accuracy ${accK5.toFixed(3)}`);
check('knn.accuracy_k5');

// %% [markdown]
// **Inline question 2.** Suppose we pre-process every image (training and test alike) before using the L1 distance. Which of the following leave the predictions of a 1-NN classifier unchanged? Explain each briefly.
//
// 1. subtracting the mean over all pixels of all images, $\mu$;
// 2. subtracting the per-pixel mean $\mu_{ij}$ (the mean image);
// 3. subtracting $\mu$ and dividing by the standard deviation over all pixels, $\sigma$;
// 4. subtracting $\mu_{ij}$ and dividing by the per-pixel standard deviation $\sigma_{ij}$;
// 5. rotating the coordinate axes of the data.
//
// <!-- BEGIN SOLUTION -->
// *Answer:* 1, 2 and 3 leave the predictions unchanged; 4 and 5 may change them.
//
// Subtracting the same value (1) or the same image (2) from both images cancels in every difference $|I_1^p - I_2^p|$, so all distances stay the same. Dividing every pixel by one positive number (3) scales every distance by the same factor, so the order of neighbours is kept. Dividing by a *per-pixel* $\sigma_{ij}$ (4) weights pixels differently, which can change which neighbour is nearest. Rotating the axes (5) keeps L2 distances but not L1 distances: L1 depends on the coordinate system (a unit step along a diagonal has L1 length √2, along an axis 1).
// <!-- END SOLUTION -->

// %% [markdown]
// ## Fewer loops
//
// Loops over pixels in JavaScript are slow. Implement `computeDistancesOneLoop` (one loop over test rows, tensor operations inside) and `computeDistancesNoLoops` (tensor operations only, no loop at all).
//
// *Hint for no loops:* expand the square, $\|x - y\|^2 = \|x\|^2 - 2\,x\cdot y + \|y\|^2$. One matrix product gives every $x\cdot y$, and broadcasting adds the norms. Rounding can make the result slightly negative: clamp it at 0 before the square root.
//
// We compare the matrices with the Frobenius norm of their difference. In float64 the original course expects less than 1e-3; in float32 (what TensorFlow.js uses) a distance of a few thousand carries a rounding error of up to about 1e-3, and over the 2.5 million entries of a 500 × 5,000 matrix the norm of the difference reaches a few units (the no-loop expansion ‖x‖² − 2x·y + ‖y‖² loses the most). The public check allows 5 for one loop and 50 for no loops; a wrong formula is off by the size of the distances themselves, hundreds per entry.

// %%
const oneLoopDiff = record('knn.one_loop_difference', () => {
  const ref = need(dists);
  const d1 = classifier.computeDistancesOneLoop(XTest);
  const diff = tf.tidy(() => tf.norm(tf.sub(d1, ref)).dataSync()[0]);
  d1.dispose();
  return diff;
});
if (oneLoopDiff !== undefined) console.log(`one loop vs two loops, Frobenius norm of the difference: ${oneLoopDiff.toExponential(3)}`);
check('knn.one_loop_difference');

// %%
const noLoopDiff = record('knn.no_loop_difference', () => {
  const ref = need(dists);
  const d0 = classifier.computeDistancesNoLoops(XTest);
  const diff = tf.tidy(() => tf.norm(tf.sub(d0, ref)).dataSync()[0]);
  d0.dispose();
  return diff;
});
if (noLoopDiff !== undefined) console.log(`no loops vs two loops, Frobenius norm of the difference: ${noLoopDiff.toExponential(3)}`);
check('knn.no_loop_difference');

// %% [markdown]
// ### How much faster?
//
// Let's time all three versions on the same data. The bar chart speaks for itself: whenever you can, let the tensor library do the looping.

// %%
const timings: { labels: string[]; values: number[] } = { labels: [], values: [] };
for (const [name, fn] of [
  ['two loops', () => classifier.computeDistancesTwoLoops(XTest)],
  ['one loop', () => classifier.computeDistancesOneLoop(XTest)],
  ['no loops', () => classifier.computeDistancesNoLoops(XTest)],
] as Array<[string, () => tf.Tensor]>) {
  const ms = tryStep(() => timeIt(() => tf.tidy(() => { fn().dataSync(); })));
  if (ms === undefined) continue;
  console.log(`${name.padEnd(10)} ${ms.toFixed(0).padStart(7)} ms`);
  timings.labels.push(name);
  timings.values.push(ms);
}
if (timings.values.length) plotBars({ labels: timings.labels, values: timings.values, title: 'Distance matrix', yLabel: 'time (ms)' });

// %% [markdown]
// ## Choosing k by cross-validation
//
// `k` is a **hyper-parameter**: a choice we make, not something training learns. We must not choose it by looking at test accuracy — then the test set would no longer tell us how well we do on new data. Instead we split the *training* data into 5 folds, train on 4 of them, measure accuracy on the 5th, and repeat so that each fold is held out once. The mean over the folds tells us how good each `k` is; the spread tells us how much to trust that number.

// %%
const NUM_FOLDS = 5;
const kChoices = [1, 3, 5, 8, 10, 12, 15, 20, 50, 100];

/** Row ranges of `numFolds` nearly equal consecutive folds, like numpy's array_split. */
function foldRanges(n: number, numFolds: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let f = 0; f < numFolds; f++) {
    const size = Math.floor(n / numFolds) + (f < n % numFolds ? 1 : 0);
    ranges.push([start, start + size]);
    start += size;
  }
  return ranges;
}
const folds = foldRanges(NUM_TRAIN, NUM_FOLDS);
const XTrainFolds = folds.map(([a, b]) => XTrain.slice([a, 0], [b - a, -1]));
const yTrainFolds = folds.map(([a, b]) => yTrain.slice([a], [b - a]));

// kToAccuracies[k] will hold NUM_FOLDS accuracies, one per held-out fold.
const kToAccuracies: Record<number, number[]> = {};

// BEGIN SOLUTION: 5-fold cross-validation. For every k in kChoices and every fold f:
// train a KNearestNeighbor on the other four folds (tf.concat of XTrainFolds / yTrainFolds),
// predict fold f with that k, and push the accuracy on fold f to kToAccuracies[k].
// Hint: compute each fold's distance matrix once (computeDistancesNoLoops) and call
// predictLabels for every k with it. Dispose the tensors you create.
for (const k of kChoices) kToAccuracies[k] = [];
for (const f of progress(NUM_FOLDS, { label: 'cross-validation folds' })) {
  const others = [...Array(NUM_FOLDS).keys()].filter((g) => g !== f);
  const knn = new KNearestNeighbor();
  const Xtr = tf.concat(others.map((g) => XTrainFolds[g]));
  const ytr = tf.concat(others.map((g) => yTrainFolds[g]));
  knn.train(Xtr, ytr);
  const foldDists = knn.computeDistancesNoLoops(XTrainFolds[f]);
  for (const k of kChoices) {
    const pred = knn.predictLabels(foldDists, k);
    kToAccuracies[k].push(accuracy(pred, yTrainFolds[f]));
    pred.dispose();
  }
  tf.dispose([Xtr, ytr, foldDists]);
}
// END SOLUTION

for (const k of kChoices) {
  if (kToAccuracies[k]?.length) console.log(`k = ${String(k).padStart(3)}: ${kToAccuracies[k].map((a) => a.toFixed(3)).join('  ')}`);
}
record('knn.cv_accuracies', kToAccuracies);

// %% [markdown]
// Each dot below is one fold's accuracy; the bars show mean ± standard deviation over the folds.

// %%
const cvKs = kChoices.filter((k) => kToAccuracies[k]?.length === NUM_FOLDS);
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));
if (cvKs.length) {
  plotErrorBars({
    x: cvKs,
    mean: cvKs.map((k) => mean(kToAccuracies[k])),
    std: cvKs.map((k) => std(kToAccuracies[k])),
    points: cvKs.flatMap((k) => kToAccuracies[k].map((a) => ({ x: k, y: a }))),
    title: 'Cross-validation on k',
    xLabel: 'k',
    yLabel: 'cross-validation accuracy',
  });
}

// %% [markdown]
// Pick the best `k` from the cross-validation results, retrain on all 5,000 training images, and measure accuracy on the test images — once, at the very end.

// %%
let bestK = 1;
// BEGIN SOLUTION: set bestK to the k in cvKs with the highest mean cross-validation accuracy
// (on a tie, keep the smaller k).
let bestMean = -Infinity;
for (const k of cvKs) {
  const m = mean(kToAccuracies[k]);
  if (m > bestMean) {
    bestMean = m;
    bestK = k;
  }
}
// END SOLUTION
record('knn.best_k', bestK);
console.log(`best k: ${bestK}`);

const finalKnn = new KNearestNeighbor();
finalKnn.train(XTrain, yTrain);
const testAcc = record('knn.test_accuracy_best_k', () => {
  const pred = finalKnn.predict(XTest, bestK);
  const acc = accuracy(pred, yTest);
  pred.dispose();
  return acc;
});
if (testAcc !== undefined) console.log(`k = ${bestK}: ${Math.round(testAcc * NUM_TEST)} / ${NUM_TEST} correct, test accuracy ${testAcc.toFixed(3)}`);
check('knn.test_accuracy_best_k');

// %% [markdown]
// ## Is L2 on pixels a good distance?
//
// kNN works surprisingly well on Fashion-MNIST because the garments are centred, upright and on a black background. On real photographs it fails, and the reason is the distance itself: **pixel distances do not match what we perceive**.
//
// Below, the original image is changed in three ways that a person would call "the same thing": shifted by a few pixels, made darker, and partly covered. Each change is scaled so that all three are *exactly the same L2 distance* from the original. To kNN the three look equally different; to you they don't.

// %%
const original = data.XTest.slice([0, 0, 0, 0], [1, -1, -1, -1]);
const variants = tf.tidy(() => {
  const [h, w] = [original.shape[1]!, original.shape[2]!];
  const shifted = tf.concat([original.slice([0, 0, w - 3, 0], [1, h, 3, -1]), original.slice([0, 0, 0, 0], [1, h, w - 3, -1])], 2);
  const darker = original.mul(0.5);
  const mask = tf.buffer([1, h, w, 1], 'float32');
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) mask.set(i >= h / 4 && i < h / 2 && j >= w / 4 && j < (3 * w) / 4 ? 0 : 1, 0, i, j, 0);
  const covered = original.mul(mask.toTensor());
  // Move each variant towards the original until its distance equals the shift's distance.
  const target = tf.norm(shifted.sub(original));
  const scaled = [darker, covered].map((v) => original.add(v.sub(original).mul(target.div(tf.norm(v.sub(original))))));
  return [shifted, ...scaled];
});
const variantDists = variants.map((v) => tf.tidy(() => tf.norm(v.sub(original)).dataSync()[0]));
showImages(tf.concat([original, ...variants]), {
  labels: ['original', ...['shifted', 'darker', 'covered'].map((n, i) => `${n}: d = ${variantDists[i].toFixed(0)}`)],
  normalize: false,
  scale: 4,
});

// %% [markdown]
// ### The curse of dimensionality
//
// There is a second problem. kNN needs training examples *near* every test point, and the number of examples needed to cover a space grows exponentially with its dimension: 10 points cover a line segment well, 10² a square, 10³ a cube — and an image has hundreds or thousands of dimensions.
//
// Worse, in high dimensions all distances look alike. The experiment below draws 1,000 random points in the unit cube of dimension $d$ and measures, for a random query, how much farther the farthest point is than the nearest. As $d$ grows, the ratio tends to 1: "nearest" stops meaning much.

// %%
seed(0);
const dims = [1, 2, 5, 10, 20, 50, 100, 200, 784];
const contrast = dims.map((d) =>
  tf.tidy(() => {
    const points = rand([1000, d]);
    const query = rand([1, d]);
    const dd = tf.norm(points.sub(query), 'euclidean', 1);
    return dd.max().div(dd.min().add(1e-12)).dataSync()[0];
  }),
);
plotLines({ x: dims, series: { 'farthest / nearest distance': contrast }, title: 'Distances concentrate as the dimension grows', xLabel: 'dimension d', yLabel: 'farthest / nearest', logX: true, logY: true });

// %% [markdown]
// **Inline question 3.** Which of these statements about kNN are true in general, for every k? Explain each.
//
// 1. The decision boundary of a kNN classifier is linear.
// 2. The training error of 1-NN is always lower than or equal to that of 5-NN.
// 3. The test error of 1-NN is always lower than that of 5-NN.
// 4. The time to classify a test example grows with the size of the training set.
//
// <!-- BEGIN SOLUTION -->
// *Answer:* 2 and 4 are true.
//
// 1 is false: the boundary is made of pieces of the perpendicular bisectors between neighbouring training points of different classes, so it is piecewise linear and can bend arbitrarily. 2 is true: with 1-NN every training point is its own nearest neighbour (distance 0), so the training error is 0 (barring duplicate images with different labels), which 5-NN cannot beat. 3 is false: larger k smooths away noisy neighbours and often generalises better — the cross-validation plot above shows it. 4 is true: prediction compares the test example with every stored training example, so its cost is proportional to the training set size — the opposite of what we want from a deployed classifier.
// <!-- END SOLUTION -->
