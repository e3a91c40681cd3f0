// %% [markdown]
// # Convolutional networks
//
// So far every layer we built was *fully connected*: each output looked at every input number. For images that is
// wasteful and blind to structure. A pixel's meaning depends on its neighbours, and a pattern (an edge, a corner, a
// texture) means the same thing wherever it appears in the picture. A **convolutional layer** builds both facts in:
//
// - **local connectivity**: each output looks only at a small window (the *receptive field*, e.g. 7×7 pixels) of
//   the input, through all of its channels;
// - **parameter sharing**: the same filter weights slide over every position, so one filter detects one pattern
//   everywhere, with a handful of parameters instead of millions.
//
// A filter bank of F filters of size C×HH×WW turns an input of C×H×W into F *activation maps*. With zero padding P
// on each side and stride S, each map has size
//
// $$H' = 1 + \frac{H + 2P - HH}{S}, \qquad W' = 1 + \frac{W + 2P - WW}{S},$$
//
// and the sizes must work out to integers: the windows have to tile the padded input exactly. A **max-pooling**
// layer then shrinks each map by keeping the largest value of every window, which makes the representation smaller
// and a little more tolerant to small shifts.
//
// In this notebook you will write the convolution and max-pooling layers with explicit loops
// (`cs231n/layers.ts`), check them against fixed values and numeric gradients, compare them with the fast
// versions we give you, build a three-layer ConvNet (`cs231n/classifiers/cnn.ts`), overfit a small data set,
// train it for one epoch on the whole training set, and finish with *spatial* batch normalization.

// %%
import { tf, quickMode, seed, randn, record, check, checkGradient, plotLines, showImages, visGrid, tryStep } from 'ts231n';
import { getData } from 'ts231n/datasets';
import {
  convForwardNaive,
  convBackwardNaive,
  maxPoolForwardNaive,
  maxPoolBackwardNaive,
  spatialBatchnormForward,
  spatialBatchnormBackward,
} from './cs231n/layers';
import { convForwardFast, convBackwardFast, maxPoolForwardFast, maxPoolBackwardFast } from './cs231n/fastLayers';
import { convReluForward, convReluBackward, convReluPoolForward, convReluPoolBackward } from './cs231n/layerUtils';
import { ThreeLayerConvNet } from './cs231n/classifiers/cnn';
import { Solver } from './cs231n/solver';
import type { BnParam } from './cs231n/layers';

// Quick mode (TS231N_QUICK=1) runs the same code on fewer images.
const QUICK = quickMode();
seed(231);

/** Evenly spaced numbers in [lo, hi] in a tensor of the given shape (numpy's linspace + reshape). */
function linspace(lo: number, hi: number, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.linspace(lo, hi, n).reshape(shape);
}

/** max|a − b| / max|b|: the largest difference relative to the largest value (float64 on the host). */
function scaledDifference(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return scale > 0 ? diff / scale : diff;
}

/** Milliseconds one call of fn takes (the best of `reps`), disposing what it returns. */
function timeMs(fn: () => tf.TensorContainer, reps = 3): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = fn();
    best = Math.min(best, performance.now() - t0);
    tf.dispose(out);
  }
  return best;
}

// %% [markdown]
// ## Convolution: naive forward pass
//
// Implement `convForwardNaive` in `cs231n/layers.ts`. Efficiency does not matter here: read the input with
// `dataSync()` and write the output with plain loops over its typed arrays, in whatever way is clearest to you.
// The function already checks the shapes (and rejects an output size that is not an integer).
//
// The check below uses the original assignment's fixed inputs (evenly spaced numbers) with stride 2 and pad 1; the
// expected output ships with the notebook, so a ✓ means your forward pass is right to float32 precision.

// %%
const convGiven = {
  x: linspace(-0.1, 0.5, [2, 3, 4, 4]),
  w: linspace(-0.2, 0.3, [3, 3, 4, 4]),
  b: linspace(-0.1, 0.2, [3]),
  convParam: { stride: 2, pad: 1 },
};
// The public self-check runs your code on these inputs and compares with the shipped values.
check('convnet.public_conv_forward_given', () => convForwardNaive(convGiven.x, convGiven.w, convGiven.b, convGiven.convParam)[0]);

// %% [markdown]
// The graded values come from seeded random inputs: one convolution with stride 1 and padding 1, and one with
// stride 2, no padding and a non-square filter. A stride of 2 is where indexing mistakes hide (a window that starts
// at `i` instead of `i·stride`, say).

// %%
seed(1);
const xS1 = randn([2, 3, 6, 5]);
const wS1 = randn([3, 3, 3, 3]);
const bS1 = randn([3]);
const outS1 = record('convnet.conv_forward', () => convForwardNaive(xS1, wS1, bS1, { stride: 1, pad: 1 })[0]);
if (outS1) console.log(`stride 1, pad 1: output shape [${outS1.shape.join(', ')}] (expected [2, 3, 6, 5])`);
const xS2 = randn([2, 3, 9, 7]);
const wS2 = randn([4, 3, 3, 5]);
const bS2 = randn([4]);
const outS2 = record('convnet.conv_forward_stride2', () => convForwardNaive(xS2, wS2, bS2, { stride: 2, pad: 0 })[0]);
if (outS2) console.log(`stride 2, pad 0: output shape [${outS2.shape.join(', ')}] (expected [2, 4, 4, 2])`);

// %% [markdown]
// ## Aside: image processing via convolutions
//
// A convolution with hand-picked filters is a classic image-processing tool. Below, two filters are applied to two
// images of the data set: a 3×3 box filter that averages each neighbourhood (blurring the image, and averaging the
// colour channels into grey), and a Sobel filter that responds to horizontal edges: it is positive where the image
// gets darker going down and negative where it gets brighter. Learned first-layer filters of a ConvNet often look
// like these.

// %%
const data = await getData({ channelsFirst: true, subtractMean: false, ...(QUICK ? { numTraining: 2000, numValidation: 200, numTest: 100, numDev: 50 } : {}) });
const [, C, H, W] = data.XTrain.shape;
const demoImages = data.XTest.slice([0, 0, 0, 0], [2, C, H, W]);
const demoFilters = tf.tidy(() => {
  const box = tf.fill([C, 3, 3], 1 / (9 * C));
  const sobel = tf.tensor2d([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]).div(C).expandDims(0).tile([C, 1, 1]);
  return tf.stack([box, sobel]);
});
const demoOut = tryStep(() => convForwardNaive(demoImages, demoFilters, tf.zeros([2]), { stride: 1, pad: 1 })[0]);
if (demoOut) {
  // one row per image: the original, the box filter's output, the edge filter's output (each scaled to 0–255)
  const grey = (t: tf.Tensor) => (C === 1 ? t : t.mean(1, true));
  const tiles = tf.concat([grey(demoImages.slice([0, 0, 0, 0], [1, C, H, W])), demoOut.slice([0, 0, 0, 0], [1, 1, H, W]), demoOut.slice([0, 1, 0, 0], [1, 1, H, W]),
    grey(demoImages.slice([1, 0, 0, 0], [1, C, H, W])), demoOut.slice([1, 0, 0, 0], [1, 1, H, W]), demoOut.slice([1, 1, 0, 0], [1, 1, H, W])]);
  showImages(tiles, { channelsFirst: true, cols: 3, labels: ['original', 'box (blur, grey)', 'horizontal edges', 'original', 'box (blur, grey)', 'horizontal edges'] });
}

// %% [markdown]
// ## Convolution: naive backward pass
//
// Implement `convBackwardNaive`. Every output number is a sum of products `w · x` plus a bias, so each one sends
// its upstream gradient back to the filter weights it used (times the inputs it saw), to the inputs it saw (times
// the weights), and to its bias. Loop over the outputs and add (`+=`) their contributions: windows overlap, so
// several outputs send gradient to the same input. We check the result with numeric gradients: the runtime's
// `checkGradient` uses centred differences with a step that suits float32 (see `docs/tensor-core.md`).

// %%
seed(2);
const cx = randn([4, 3, 5, 5]);
const cw = randn([2, 3, 3, 3]);
const cb = randn([2]);
const cdout = randn([4, 2, 5, 5]);
const cParam = { stride: 1, pad: 1 };

/** Checks the analytic gradients of a conv layer against numeric ones; true when all three pass. */
function convGradCheck(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, dout: tf.Tensor, convParam: { stride: number; pad: number }, prefix: string): boolean {
  const [, cache] = convForwardNaive(x, w, b, convParam);
  const [dx, dw, db] = convBackwardNaive(dout, cache);
  record(`${prefix}_dx`, dx);
  record(`${prefix}_dw`, dw);
  record(`${prefix}_db`, db);
  // The loss Σ out ⊙ dout has exactly dout as its upstream gradient.
  const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.tidy(() => convForwardNaive(xx, ww, bb, convParam)[0].mul(dout).sum());
  const verdicts = [
    ['dx', checkGradient((v) => loss(v, w, b), x, dx)],
    ['dw', checkGradient((v) => loss(x, v, b), w, dw)],
    ['db', checkGradient((v) => loss(x, w, v), b, db)],
  ] as const;
  for (const [name, v] of verdicts) console.log(`${name}: max relative error ${v.maxRelError.toExponential(2)} ${v.passed ? '✓' : '✗'}`);
  return verdicts.every(([, v]) => v.passed);
}

const convBackOk = tryStep(() => convGradCheck(cx, cw, cb, cdout, cParam, 'convnet.conv_backward'),
  ['convnet.conv_backward_dx', 'convnet.conv_backward_dw', 'convnet.conv_backward_db', 'convnet.conv_backward_gradcheck_passed']);
if (convBackOk !== undefined) record('convnet.conv_backward_gradcheck_passed', convBackOk);
check('convnet.conv_backward_gradcheck_passed');

// %% [markdown]
// And the same with stride 2 and padding 2 on a non-square input and filter:

// %%
seed(3);
const cx2 = randn([2, 2, 7, 9]);
const cw2 = randn([3, 2, 3, 5]);
const cb2 = randn([3]);
const cdout2 = randn([2, 3, 5, 5]);
const convBack2Ok = tryStep(() => convGradCheck(cx2, cw2, cb2, cdout2, { stride: 2, pad: 2 }, 'convnet.conv_backward_stride2'),
  ['convnet.conv_backward_stride2_dx', 'convnet.conv_backward_stride2_dw', 'convnet.conv_backward_stride2_db', 'convnet.conv_backward_stride2_gradcheck_passed']);
if (convBack2Ok !== undefined) record('convnet.conv_backward_stride2_gradcheck_passed', convBack2Ok);
check('convnet.conv_backward_stride2_gradcheck_passed');

// %% [markdown]
// ## Max pooling: naive forward and backward
//
// Implement `maxPoolForwardNaive` and `maxPoolBackwardNaive`. The backward pass routes each window's upstream
// gradient to the one input that was the maximum: the max gate of lecture 4. When several positions tie for the
// maximum, give the gradient to the first of them in row-major order (as `numpy.argmax` does).

// %%
const poolGivenX = linspace(-0.3, 0.4, [2, 3, 4, 4]);
check('convnet.public_pool_forward_given', () => maxPoolForwardNaive(poolGivenX, { poolHeight: 2, poolWidth: 2, stride: 2 })[0]);

seed(4);
const px = randn([3, 2, 8, 8]);
const pdout = randn([3, 2, 4, 4]);
const poolParam = { poolHeight: 2, poolWidth: 2, stride: 2 };
record('convnet.pool_forward', () => maxPoolForwardNaive(px, poolParam)[0]);
const poolBackOk = tryStep(() => {
  const [, cache] = maxPoolForwardNaive(px, poolParam);
  const dx = record('convnet.pool_backward_dx', maxPoolBackwardNaive(pdout, cache)) as tf.Tensor;
  const v = checkGradient((xx) => tf.tidy(() => maxPoolForwardNaive(xx, poolParam)[0].mul(pdout).sum()), px, dx);
  console.log(`dx: max relative error ${v.maxRelError.toExponential(2)} ${v.passed ? '✓' : '✗'}`);
  return v.passed;
}, ['convnet.pool_backward_dx', 'convnet.pool_backward_gradcheck_passed']);
if (poolBackOk !== undefined) record('convnet.pool_backward_gradcheck_passed', poolBackOk);
check('convnet.pool_backward_gradcheck_passed');

// %% [markdown]
// ## Fast layers
//
// Loops in JavaScript are far quicker than loops in Python, but still much slower than the tensor core's kernels,
// which are written in C++/WebAssembly with SIMD and cache blocking. `cs231n/fastLayers.ts` gives you
// `convForwardFast`, `convBackwardFast`, `maxPoolForwardFast` and `maxPoolBackwardFast`: the same functions, with the
// same arguments and caches, on the tensor core's native convolution and pooling (they transpose our N×C×H×W layout
// to the N×H×W×C layout the kernels use and back). Below we time both versions on the original assignment's shapes
// and check that they agree.

// %%
const speed = tryStep(() => {
  seed(5);
  const x = randn([100, 3, 31, 31]);
  const w = randn([25, 3, 3, 3]);
  const b = randn([25]);
  const cp = { stride: 2, pad: 1 };
  const [outNaive, cacheNaive] = convForwardNaive(x, w, b, cp);
  const [outFast, cacheFast] = convForwardFast(x, w, b, cp);
  const dout = randn(outNaive.shape);
  const gNaive = convBackwardNaive(dout, cacheNaive);
  const gFast = convBackwardFast(dout, cacheFast);
  const fwdNaive = timeMs(() => convForwardNaive(x, w, b, cp)[0]);
  const fwdFast = timeMs(() => convForwardFast(x, w, b, cp)[0]);
  const bwdNaive = timeMs(() => convBackwardNaive(dout, cacheNaive));
  const bwdFast = timeMs(() => convBackwardFast(dout, cacheFast));
  console.log(`conv forward:  naive ${fwdNaive.toFixed(1)} ms, fast ${fwdFast.toFixed(2)} ms, speed-up ${(fwdNaive / fwdFast).toFixed(1)}×`);
  console.log(`conv backward: naive ${bwdNaive.toFixed(1)} ms, fast ${bwdFast.toFixed(2)} ms, speed-up ${(bwdNaive / bwdFast).toFixed(1)}×`);
  const diffs = [scaledDifference(outFast, outNaive), ...gNaive.map((g, i) => scaledDifference(gFast[i], g))];
  console.log(`differences naive vs fast (relative to the largest value): out ${diffs[0].toExponential(2)}, dx ${diffs[1].toExponential(2)}, dw ${diffs[2].toExponential(2)}, db ${diffs[3].toExponential(2)}`);

  const xp = randn([100, 3, 32, 32]);
  const pp = { poolHeight: 2, poolWidth: 2, stride: 2 };
  const [poolNaive, poolCacheNaive] = maxPoolForwardNaive(xp, pp);
  const [poolFast, poolCacheFast] = maxPoolForwardFast(xp, pp);
  const pd = randn(poolNaive.shape);
  const pfNaive = timeMs(() => maxPoolForwardNaive(xp, pp)[0]);
  const pfFast = timeMs(() => maxPoolForwardFast(xp, pp)[0]);
  const pbNaive = timeMs(() => maxPoolBackwardNaive(pd, poolCacheNaive));
  const pbFast = timeMs(() => maxPoolBackwardFast(pd, poolCacheFast));
  console.log(`pool forward:  naive ${pfNaive.toFixed(1)} ms, fast ${pfFast.toFixed(2)} ms, speed-up ${(pfNaive / pfFast).toFixed(1)}×`);
  console.log(`pool backward: naive ${pbNaive.toFixed(1)} ms, fast ${pbFast.toFixed(2)} ms, speed-up ${(pbNaive / pbFast).toFixed(1)}×`);
  const poolDiffs = [scaledDifference(poolFast, poolNaive), scaledDifference(maxPoolBackwardFast(pd, poolCacheFast), maxPoolBackwardNaive(pd, poolCacheNaive))];
  console.log(`differences naive vs fast (relative to the largest value): out ${poolDiffs[0].toExponential(2)}, dx ${poolDiffs[1].toExponential(2)}`);
  return { convDiff: Math.max(...diffs), poolDiff: Math.max(...poolDiffs) };
}, ['convnet.fast_conv_difference', 'convnet.fast_pool_difference']);
if (speed) {
  record('convnet.fast_conv_difference', speed.convDiff);
  record('convnet.fast_pool_difference', speed.poolDiff);
}
check('convnet.fast_conv_difference');
check('convnet.fast_pool_difference');

// %% [markdown]
// How do these loops compare with the original assignment's Python loops? `bench/naiveLoops.py` in the repository
// times the course's loop implementation (four nested loops with a numpy product over each window) on the same
// shapes; `docs/assignment2.md` lists both timings. JavaScript's JIT compiles the innermost loops to machine code,
// which the Python interpreter does not.
//
// (The differences are measured against the largest value, not entry by entry: the fast kernels sum in float32 and
// in a different order, and an output that is a near-zero sum of large terms can have a large error relative to
// itself, up to 1e-2 here, while being as accurate as float32 allows.)

// %% [markdown]
// ## Sandwich layers
//
// `cs231n/layerUtils.ts` gives common sequences as one layer: `convReluForward/Backward`,
// `convReluPoolForward/Backward` and `convBnReluForward/Backward`, built on the fast layers. A quick numeric check
// that they fit together (this uses your ReLU from `layers.ts`):

// %%
tryStep(() => {
  seed(6);
  const x = randn([2, 3, 8, 8]);
  const w = randn([3, 3, 3, 3]);
  const b = randn([3]);
  const cp = { stride: 1, pad: 1 };
  const pp = { poolHeight: 2, poolWidth: 2, stride: 2 };
  const [out, cache] = convReluPoolForward(x, w, b, cp, pp);
  const dout = randn(out.shape);
  const [dx, dw, db] = convReluPoolBackward(dout, cache);
  const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.tidy(() => convReluPoolForward(xx, ww, bb, cp, pp)[0].mul(dout).sum());
  for (const [name, v] of [['dx', checkGradient((v) => f(v, w, b), x, dx)], ['dw', checkGradient((v) => f(x, v, b), w, dw)], ['db', checkGradient((v) => f(x, w, v), b, db)]] as const) {
    console.log(`conv-relu-pool ${name}: max relative error ${v.maxRelError.toExponential(2)} ${v.passed ? '✓' : '✗'}`);
  }
  const [out2, cache2] = convReluForward(x, w, b, cp);
  const dout2 = randn(out2.shape);
  const [dx2] = convReluBackward(dout2, cache2);
  const v2 = checkGradient((xx) => tf.tidy(() => convReluForward(xx, w, b, cp)[0].mul(dout2).sum()), x, dx2);
  console.log(`conv-relu dx: max relative error ${v2.maxRelError.toExponential(2)} ${v2.passed ? '✓' : '✗'}`);
});

// %% [markdown]
// ## A three-layer ConvNet
//
// Now put the layers together. Open `cs231n/classifiers/cnn.ts` and complete `ThreeLayerConvNet`:
//
// conv (F filters, stride 1, "same" padding) – ReLU – 2×2 max pool – affine – ReLU – affine – softmax
//
// Use the sandwich layers and the layers from `layers.ts`, and regularize the three weight matrices with
// ½·reg·ΣW², as the fully-connected nets do.
//
// ### Sanity check: the loss
//
// With small random weights every class gets about the same score, so the softmax loss should be close to
// ln 10 ≈ 2.303. Adding regularization must raise it.

// %%
seed(7);
const sanityX = randn([50, C, H, W]);
const sanityY = tf.tensor1d(Array.from({ length: 50 }, (_, i) => i % 10), 'int32');
const lossInit = tryStep(() => {
  const model = new ThreeLayerConvNet({ inputDim: [C, H, W] });
  const [loss0, g0] = model.loss(sanityX, sanityY);
  model.reg = 0.5;
  const [loss1, g1] = model.loss(sanityX, sanityY);
  tf.dispose([Object.values(g0), Object.values(g1)]);
  model.dispose();
  return [loss0, loss1];
}, ['convnet.cnn_loss_init', 'convnet.cnn_loss_init_reg']);
if (lossInit) {
  console.log(`initial loss (no regularization): ${lossInit[0].toFixed(6)} (ln 10 = ${Math.log(10).toFixed(6)})`);
  console.log(`initial loss (with regularization 0.5): ${lossInit[1].toFixed(6)}`);
  record('convnet.cnn_loss_init', lossInit[0]);
  record('convnet.cnn_loss_init_reg', lossInit[1]);
}
check('convnet.cnn_loss_init');
check('convnet.cnn_loss_init_reg');

// %% [markdown]
// ### Gradient check
//
// Check every parameter's gradient numerically on a tiny net with a small input. (In float32 the weights must not
// be too small for this: with weightScale 1e-3 every score would be ~1e-9 and the numeric differences pure noise,
// so this net uses 0.1.) To keep it quick, 200 seeded random entries of each parameter are checked.

// %%
const cnnGradOk = tryStep(() => {
  seed(8);
  const model = new ThreeLayerConvNet({ inputDim: [3, 16, 16], numFilters: 3, filterSize: 3, hiddenDim: 7, weightScale: 0.1, reg: 0.1 });
  const X = randn([2, 3, 16, 16]);
  const y = tf.tensor1d([3, 8], 'int32');
  const [, grads] = model.loss(X, y);
  const verdicts = Object.keys(model.params).map((name) => {
    const saved = model.params[name];
    const f = (p: tf.Tensor) => {
      model.params[name] = p;
      const [loss, g] = model.loss(X, y);
      tf.dispose(Object.values(g));
      model.params[name] = saved;
      return loss;
    };
    const v = checkGradient(f, saved, grads[name], { maxChecks: 200 });
    console.log(`${name}: max relative error ${v.maxRelError.toExponential(2)} ${v.passed ? '✓' : '✗'}`);
    return v.passed;
  });
  tf.dispose(Object.values(grads));
  model.dispose();
  return verdicts.every((v) => v);
}, ['convnet.cnn_gradcheck_passed']);
if (cnnGradOk !== undefined) record('convnet.cnn_gradcheck_passed', cnnGradOk);
check('convnet.cnn_gradcheck_passed');

// %% [markdown]
// ### Overfit a small data set
//
// A net that can learn must be able to memorise 100 training images. Train on just those for 15 epochs with Adam:
// the training accuracy should approach 100 % while the validation accuracy stays low. That gap is overfitting,
// and here it is what we want to see.

// %%
const small = {
  XTrain: data.XTrain.slice(0, 100),
  yTrain: data.yTrain.slice(0, 100),
  XVal: data.XVal,
  yVal: data.yVal,
};
// The images were loaded without preprocessing (for the demo above): centre them with the mean training image.
const meanImage = data.XTrain.mean(0);
for (const k of ['XTrain', 'XVal'] as const) small[k] = small[k].sub(meanImage);

const overfit = tryStep(() => {
  seed(9);
  const model = new ThreeLayerConvNet({ inputDim: [C, H, W], weightScale: 1e-2 });
  const solver = new Solver(model, small, {
    numEpochs: 15, batchSize: 50, updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, verbose: false, seed: 9,
  });
  solver.train();
  const result = { loss: solver.lossHistory, train: solver.trainAccHistory, val: solver.valAccHistory };
  solver.dispose();
  model.dispose();
  return result;
}, ['convnet.overfit_train_acc', 'convnet.overfit_val_acc']);
if (overfit) {
  const trainAcc = overfit.train[overfit.train.length - 1];
  const valAcc = overfit.val[overfit.val.length - 1];
  console.log(`after 15 epochs on 100 images: train accuracy ${trainAcc.toFixed(3)}, validation accuracy ${valAcc.toFixed(3)}`);
  record('convnet.overfit_train_acc', trainAcc);
  record('convnet.overfit_val_acc', valAcc);
  plotLines({ series: { loss: overfit.loss }, title: 'Training loss (100 images)', xLabel: 'iteration', yLabel: 'loss' });
  plotLines({ series: { train: overfit.train, val: overfit.val }, title: 'Accuracy (100 images)', xLabel: 'epoch', yLabel: 'accuracy' });
}
check('convnet.overfit_train_acc');

// %% [markdown]
// ### Train the net
//
// One epoch over the whole training set (59,000 Fashion-MNIST images, 49,000 on CIFAR-10) with Adam, a learning
// rate of 1e-3 and minibatches of 50, a hidden layer of 500 units and a little regularization. On Fashion-MNIST this
// reaches about 88–90 % validation accuracy; on CIFAR-10 the original assignment expects more than 40 % training
// accuracy after this one epoch. The progress bar shows the minibatch loss as it goes.

// %%
const full = { XTrain: data.XTrain.sub(meanImage), yTrain: data.yTrain, XVal: data.XVal.sub(meanImage), yVal: data.yVal };
const oneEpoch = tryStep(() => {
  seed(10);
  const model = new ThreeLayerConvNet({ inputDim: [C, H, W], weightScale: 1e-3, hiddenDim: 500, reg: 1e-3 });
  const solver = new Solver(model, full, {
    numEpochs: 1, batchSize: 50, updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, verbose: false, seed: 10,
  });
  const t0 = performance.now();
  solver.train();
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    trainAcc: solver.trainAccHistory[solver.trainAccHistory.length - 1],
    valAcc: solver.valAccHistory[solver.valAccHistory.length - 1],
    loss: solver.lossHistory,
    seconds,
    W1: tf.keep(model.params.W1.clone()),
  };
  solver.dispose();
  model.dispose();
  return result;
}, ['convnet.one_epoch_train_acc', 'convnet.one_epoch_val_acc']);
if (oneEpoch) {
  console.log(`one epoch on ${full.XTrain.shape[0]} images in ${oneEpoch.seconds.toFixed(0)} s: train accuracy ${oneEpoch.trainAcc.toFixed(3)}, validation accuracy ${oneEpoch.valAcc.toFixed(3)}`);
  record('convnet.one_epoch_train_acc', oneEpoch.trainAcc);
  record('convnet.one_epoch_val_acc', oneEpoch.valAcc);
  plotLines({ series: { loss: oneEpoch.loss }, title: 'Training loss, one epoch', xLabel: 'iteration', yLabel: 'loss' });
}
check('convnet.one_epoch_val_acc');

// %% [markdown]
// ### Visualize the filters
//
// The 32 first-layer filters of the trained net, each scaled to the full grey (or colour) range. After one epoch
// many of them already look like the oriented edge and blob detectors of the image-processing aside.

// %%
if (oneEpoch) visGrid(oneEpoch.W1, { channelsFirst: true, title: 'first-layer filters' });

// %% [markdown]
// ## Spatial batch normalization
//
// Batch normalization made deep fully-connected nets much easier to train; it helps ConvNets as much. For a conv
// layer we want a feature map to be normalized the same way at every position in the image, so *spatial* batch
// normalization computes one mean and one variance **per channel**, over the N examples and all H×W positions, and
// learns one scale γ and one shift β per channel.
//
// Implement `spatialBatchnormForward` in `cs231n/layers.ts` by reshaping the input so that you can call your
// vanilla `batchnormForward` from `layers.ts`: channels last, one row per (example, position).

// %%
seed(11);
const sbnX = randn([2, 3, 4, 5]).mul(4).add(10);

/** Per-channel means and standard deviations of an (N, C, H, W) tensor. */
function channelStats(t: tf.Tensor): { means: number[]; stds: number[] } {
  const { mean, variance } = tf.moments(t, [0, 2, 3]);
  return { means: Array.from(mean.dataSync()), stds: Array.from(variance.sqrt().dataSync()) };
}

const sbnTrain = tryStep(() => {
  const before = channelStats(sbnX);
  console.log(`before: means ${before.means.map((v) => v.toFixed(3))}, stds ${before.stds.map((v) => v.toFixed(3))}`);
  const [out1] = spatialBatchnormForward(sbnX, tf.ones([3]), tf.zeros([3]), { mode: 'train' });
  const after1 = channelStats(out1);
  console.log(`after (gamma = 1, beta = 0): means ${after1.means.map((v) => v.toExponential(1))}, stds ${after1.stds.map((v) => v.toFixed(4))}`);
  const [out2] = spatialBatchnormForward(sbnX, tf.tensor1d([3, 4, 5]), tf.tensor1d([6, 7, 8]), { mode: 'train' });
  const after2 = channelStats(out2);
  console.log(`after (gamma = [3, 4, 5], beta = [6, 7, 8]): means ${after2.means.map((v) => v.toFixed(4))}, stds ${after2.stds.map((v) => v.toFixed(4))}`);
  return { after1, after2 };
}, ['convnet.sbn_train_means', 'convnet.sbn_train_stds', 'convnet.sbn_scaled_means', 'convnet.sbn_scaled_stds']);
if (sbnTrain) {
  record('convnet.sbn_train_means', sbnTrain.after1.means);
  record('convnet.sbn_train_stds', sbnTrain.after1.stds);
  record('convnet.sbn_scaled_means', sbnTrain.after2.means);
  record('convnet.sbn_scaled_stds', sbnTrain.after2.stds);
}
check('convnet.sbn_train_means');
check('convnet.sbn_train_stds');

// %% [markdown]
// At test time the layer uses the running averages of the training batches' statistics instead. After 50 training
// batches drawn from the same distribution, a test batch should come out with means near 0 and standard deviations
// near 1 (not exactly: the running averages are estimates).

// %%
const sbnTest = tryStep(() => {
  seed(12);
  const bnParam: BnParam = { mode: 'train' };
  const gamma = tf.ones([3]);
  const beta = tf.zeros([3]);
  for (let t = 0; t < 50; t++) {
    tf.tidy(() => {
      spatialBatchnormForward(randn([10, 3, 4, 5]).mul(2.3).add(13), gamma, beta, bnParam);
    });
  }
  bnParam.mode = 'test';
  const [out] = spatialBatchnormForward(randn([10, 3, 4, 5]).mul(2.3).add(13), gamma, beta, bnParam);
  const stats = channelStats(out);
  console.log(`test mode: means ${stats.means.map((v) => v.toFixed(3))}, stds ${stats.stds.map((v) => v.toFixed(3))}`);
  return stats;
}, ['convnet.sbn_test_means', 'convnet.sbn_test_stds']);
if (sbnTest) {
  record('convnet.sbn_test_means', sbnTest.means);
  record('convnet.sbn_test_stds', sbnTest.stds);
}
check('convnet.sbn_test_means');

// %% [markdown]
// ### Spatial batch normalization: backward
//
// Implement `spatialBatchnormBackward` the same way, on top of your `batchnormBackward`, and check it numerically.

// %%
seed(13);
const sbx = randn([2, 3, 4, 5]).mul(5).add(12);
const sbGamma = randn([3]);
const sbBeta = randn([3]);
const sbDout = randn([2, 3, 4, 5]);
const sbnBackOk = tryStep(() => {
  const [, cache] = spatialBatchnormForward(sbx, sbGamma, sbBeta, { mode: 'train' });
  const [dx, dgamma, dbeta] = spatialBatchnormBackward(sbDout, cache);
  record('convnet.sbn_backward_dx', dx);
  record('convnet.sbn_backward_dgamma', dgamma);
  record('convnet.sbn_backward_dbeta', dbeta);
  const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.tidy(() => spatialBatchnormForward(x, g, b, { mode: 'train' })[0].mul(sbDout).sum());
  const verdicts = [
    ['dx', checkGradient((v) => f(v, sbGamma, sbBeta), sbx, dx)],
    ['dgamma', checkGradient((v) => f(sbx, v, sbBeta), sbGamma, dgamma)],
    ['dbeta', checkGradient((v) => f(sbx, sbGamma, v), sbBeta, dbeta)],
  ] as const;
  for (const [name, v] of verdicts) console.log(`${name}: max relative error ${v.maxRelError.toExponential(2)} ${v.passed ? '✓' : '✗'}`);
  return verdicts.every(([, v]) => v.passed);
}, ['convnet.sbn_backward_dx', 'convnet.sbn_backward_dgamma', 'convnet.sbn_backward_dbeta', 'convnet.sbn_backward_gradcheck_passed']);
if (sbnBackOk !== undefined) record('convnet.sbn_backward_gradcheck_passed', sbnBackOk);
check('convnet.sbn_backward_gradcheck_passed');
