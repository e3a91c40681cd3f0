// %% [markdown]
// # Dropout
//
// Dropout (Srivastava et al., 2014) is a regulariser: during training, every forward pass keeps each hidden unit with probability $p$ and sets the others to zero. A unit can no longer rely on particular other units being present, so the network learns redundant representations; another view is that training samples one of exponentially many "thinned" networks that share parameters, and test time approximates their average.
//
// At test time every unit is kept, so the expected input of the next layer would be larger than during training by a factor $1/p$. Instead of scaling the activations down at test time, **inverted dropout** divides the kept units by $p$ during training: then test time is the identity and needs no change.
//
// In this notebook, as in the lecture notes, $p$ is the probability of **keeping** a unit (some years' starter code used $p$ as the probability of dropping one). You will implement `dropoutForward` and `dropoutBackward` in `cs231n/layers.ts` and add dropout to `FullyConnectedNet`.

// %%
import { tf, quickMode, seed, randn, randint, record, check, plotLines, showTable, checkGradient, tryStep, checkNet } from 'ts231n';
import { getData } from 'ts231n/datasets';
import { dropoutForward, dropoutBackward } from './cs231n/layers';
import { FullyConnectedNet } from './cs231n/classifiers/fcNet';
import { Solver } from './cs231n/solver';

// Quick mode (TS231N_QUICK=1) runs the same code on less data and fewer epochs, and the gradient
// checks of whole nets look at 50 entries of each parameter (all of the smaller ones).
const QUICK = quickMode();
seed(231);

// %% [markdown]
// ## Forward pass
//
// Implement `dropoutForward`. In training mode, draw $u$ uniformly in $[0, 1)$ for every unit (`gen.rand(x.shape)`; the generator is seeded when `dropoutParam.seed` is given), keep the units where $u < p$ and multiply them by $1/p$. In test mode return the input unchanged.
//
// With inputs of mean 10, the mean of the output should be about 10 in both modes (that is what the $1/p$ is for), and the fraction of units set to zero should be about $1 - p$.

// %%
seed(1);
const x = randn([500, 500]).add(10);
const rows: Record<string, number>[] = [];
for (const p of [0.25, 0.4, 0.7]) {
  tryStep(() => {
    const [outTrain] = dropoutForward(x, { p, mode: 'train', seed: 123 });
    const [outTest] = dropoutForward(x, { p, mode: 'test', seed: 123 });
    const [trainMean, testMean, zeros] = tf.tidy(() => [outTrain.mean(), outTest.mean(), outTrain.equal(0).cast('float32').mean()].map((t) => t.dataSync()[0]));
    rows.push({ p, 'mean of input': 10, 'train-mode mean': trainMean, 'test-mode mean': testMean, 'fraction set to 0': zeros });
    tf.dispose([outTrain, outTest]);
  }, ['dropout.forward_stats']);
}
if (rows.length) {
  showTable(rows, { title: 'Inverted dropout keeps the mean' });
  record('dropout.forward_stats', rows);
  // Largest deviation of a train-mode mean from 10 (relative) and of the zero fraction from 1 − p.
  record('dropout.mean_error', Math.max(...rows.map((r) => Math.abs(r['train-mode mean'] / 10 - 1))));
  record('dropout.zero_fraction_error', Math.max(...rows.map((r) => Math.abs(r['fraction set to 0'] - (1 - r.p)))));
}
check('dropout.mean_error');
check('dropout.zero_fraction_error');

seed(2);
const smallX = randn([4, 6]);
record('dropout.forward', () => dropoutForward(smallX, { p: 0.6, mode: 'train', seed: 42 })[0]);

// %% [markdown]
// ## Backward pass
//
// Implement `dropoutBackward`: the gradient flows only through the units that were kept, scaled like them by $1/p$. With a fixed seed the mask is the same on every call, so the numerical gradient check works.

// %%
seed(3);
const gx = randn([10, 10]).add(10);
const gDout = randn([10, 10]);
const param = { p: 0.2, mode: 'train' as const, seed: 123 };
const backOk = tryStep(() => {
  const [, cache] = dropoutForward(gx, param);
  const dx = dropoutBackward(gDout, cache);
  record('dropout.backward', dx);
  const loss = (v: tf.Tensor) => tf.tidy(() => dropoutForward(v, param)[0].mul(gDout).sum().dataSync()[0]);
  const result = checkGradient(loss, gx, dx);
  console.log(`dx: max relative error ${result.maxRelError.toExponential(2)} ${result.passed ? '✓' : '✗'}`);
  return result.passed;
}, ['dropout.backward', 'dropout.backward_gradcheck_passed']);
if (backOk !== undefined) record('dropout.backward_gradcheck_passed', backOk);
check('dropout.backward_gradcheck_passed');

// %% [markdown]
// **Inline question 1.** What happens if we do not divide the values being passed through inverse dropout by $p$ in the dropout layer? Why does that happen?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* the expected output of a unit in training would be $p\,x$ but $x$ at test time, so the next layer would see inputs about $1/p$ times larger at test time than anything it saw during training, and the predictions would be off. We would then have to multiply by $p$ at test time instead (plain dropout). Dividing by $p$ during training keeps the expectation equal in both modes, so test time needs no change.
// <!-- END SOLUTION -->

// %% [markdown]
// ## A fully-connected net with dropout
//
// Add dropout to `FullyConnectedNet`: when `dropout` (the keep probability) is less than 1, every hidden layer is followed by a dropout layer that shares `net.dropoutParam`. `loss(X, y)` trains (dropout on); `loss(X)` predicts (dropout off). The `seed` option fixes the masks so that we can check the gradients.

// %%
seed(231);
const nX = randn([2, 15]);
const nY = randint(0, 10, [2]);
const netRows: boolean[] = [];
for (const keep of [1, 0.75, 0.5]) {
  const ok = tryStep(() => {
    seed(4);
    const net = new FullyConnectedNet([20, 30], { inputDim: 15, numClasses: 10, weightScale: 5e-2, dropout: keep, seed: 123 });
    const [loss, grads] = net.loss(nX, nY);
    tf.dispose(Object.values(grads));
    console.log(`keep probability ${keep}: initial loss ${loss.toFixed(4)}`);
    return checkNet(net, nX, nY, { maxChecks: QUICK ? 50 : undefined });
  }, ['dropout.fcnet_gradcheck_passed']);
  if (ok !== undefined) netRows.push(ok);
}
if (netRows.length === 3) record('dropout.fcnet_gradcheck_passed', netRows.every((v) => v));
check('dropout.fcnet_gradcheck_passed');

// %% [markdown]
// ## Regularisation experiment
//
// Train two identical two-layer nets (500 hidden units) on only 500 training images, one without dropout and one keeping each hidden unit with probability 0.25. A net this large memorises 500 images; dropout should narrow the gap between training and validation accuracy.

// %%
const data = await getData({ channelsFirst: true, subtractMean: true, ...(QUICK ? { numTraining: 500, numValidation: 500, numTest: 100 } : {}) });
const D = data.XTrain.size / data.XTrain.shape[0];
const C = data.classNames.length;
const smallData = { XTrain: data.XTrain.slice(0, 500), yTrain: data.yTrain.slice(0, 500), XVal: data.XVal, yVal: data.yVal };
const EPOCHS = QUICK ? 8 : 25;
const solvers: Record<string, Solver> = {};
for (const keep of [1, 0.25]) {
  const solver = tryStep(() => {
    seed(5);
    const net = new FullyConnectedNet([500], { inputDim: D, numClasses: C, weightScale: 1e-2, dropout: keep });
    const s = new Solver(net, smallData, { updateRule: 'adam', optimConfig: { learningRate: 5e-4 }, numEpochs: EPOCHS, batchSize: 100, verbose: false, seed: 5 });
    console.log(`keep probability ${keep}`);
    s.train();
    return s;
  }, ['dropout.gap_narrowed']);
  if (solver) solvers[keep === 1 ? 'no dropout' : 'dropout (p = 0.25)'] = solver;
}

// %%
const names = Object.keys(solvers);
if (names.length === 2) {
  plotLines({ series: Object.fromEntries(names.map((n) => [n, solvers[n].trainAccHistory])), title: 'Training accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
  plotLines({ series: Object.fromEntries(names.map((n) => [n, solvers[n].valAccHistory])), title: 'Validation accuracy', xLabel: 'epoch', yLabel: 'accuracy' });
  /** Train minus validation accuracy, averaged over the last 3 epochs. */
  const gap = (s: Solver) => {
    const k = 3;
    const tr = s.trainAccHistory.slice(-k).reduce((a, b) => a + b, 0) / k;
    const va = s.valAccHistory.slice(-k).reduce((a, b) => a + b, 0) / k;
    return tr - va;
  };
  const gaps = names.map((n) => ({ model: n, 'train − val accuracy': gap(solvers[n]), 'best val acc': solvers[n].bestValAcc }));
  showTable(gaps);
  record('dropout.gaps', { without: gaps[0]['train − val accuracy'], with: gaps[1]['train − val accuracy'] });
  record('dropout.gap_narrowed', gaps[1]['train − val accuracy'] < gaps[0]['train − val accuracy']);
}
check('dropout.gap_narrowed');

// %% [markdown]
// **Inline question 2.** Compare the validation and training accuracies with and without dropout. What do your results suggest about dropout as a regulariser?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* without dropout the net reaches (nearly) 100 % training accuracy quickly while validation accuracy stalls far below: it memorises the 500 images. With dropout the training accuracy rises more slowly and stays lower, and the gap to validation accuracy is smaller, with a validation accuracy that is as good or better. Dropout makes memorising harder, which is what a regulariser should do.
// <!-- END SOLUTION -->
//
// **Inline question 3.** Suppose we are training a deep fully-connected network for image classification, with dropout after its hidden layers. If we decrease the size of the hidden layers (the number of units), how should we change the keep probability $p$, if at all?
//
// <!-- BEGIN SOLUTION -->
// *Answer:* increase $p$ (drop fewer units). The expected number of units that survive is $p$ times the layer size; a smaller layer with the same $p$ would leave too few active units to represent the data, so the net would underfit. Keeping the expected number of active units roughly constant means raising $p$ as the layers shrink.
// <!-- END SOLUTION -->
