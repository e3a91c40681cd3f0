/**
 * Assignment 1's reference code: kNN, the linear losses and classifiers, the two-layer net and the
 * image features. Every expected value comes from an independent computation in this file (float64
 * loops on the host, or tf.grad of a loss written here with tensor ops), never from the code under
 * test.
 *
 * Float32 tolerances (how they were derived; measured with this file's seeded inputs on wasm):
 * - kNN distances: the two-loop version sums in float64 and rounds once, so it is within half an
 *   ulp (2⁻²⁴ relative) of the exact distance. The no-loop version cancels ‖x‖² + ‖t‖² − 2x·t,
 *   terms of size S ≈ 2·D·E[p²] ≈ 3.4e7 for 784 pixels in 0–255, so its d² carries an absolute
 *   error of a few ε·S ≈ 2–8 and d (≈ 3000) one of ~1e-3. Over the matrix that is a relative
 *   Frobenius error ‖A − B‖/‖B‖ of ~1e-7 (measured 1.3e-7 .. 2e-7); we require < 1e-5. The absolute
 *   Frobenius norm grows with √(entries): 1.4 for 50×5000 and ~4.5 for the course's 500×5000, so the
 *   original's absolute threshold (1e-3, float64) cannot hold in float32.
 * - Naive vs vectorized losses: the naive versions accumulate in float64, the vectorized ones in
 *   float32 over D terms: measured relative differences 1e-7 (loss) and 4e-7 (‖ΔdW‖/‖dW‖); we
 *   require 1e-5.
 * - Analytic vs tf.grad gradients (both float32): measured ≤ 1e-6 relative; we require 1e-4.
 */
import { tf, ready, seed, randn, randint, checkGradient } from '../../../kernel/runtime';
import { KNearestNeighbor } from '../../../solutions/assignment1/cs231n/classifiers/kNearestNeighbor';
import { svmLossNaive, svmLossVectorized } from '../../../solutions/assignment1/cs231n/classifiers/linearSvm';
import { softmaxLossNaive, softmaxLossVectorized } from '../../../solutions/assignment1/cs231n/classifiers/softmax';
import { LinearSVM, Softmax } from '../../../solutions/assignment1/cs231n/classifiers/linearClassifier';
import { TwoLayerNet } from '../../../solutions/assignment1/cs231n/classifiers/neuralNet';
import {
  colorHistogramHsv,
  extractFeatures,
  hogFeature,
  intensityHistogram,
} from '../../../solutions/assignment1/cs231n/features';

beforeAll(async () => {
  await ready();
});

/** ‖a − b‖_F / ‖b‖_F computed in float64 on the host. */
function relFrobenius(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

function pixels(shape: number[]): tf.Tensor {
  return tf.tidy(() => randint(0, 256, shape).cast('float32'));
}

describe('k-nearest neighbour', () => {
  it('kNN one-loop and no-loop distances equal two-loop distances, which equal exact L2', () => {
    seed(1);
    const XTrain = pixels([200, 784]);
    const yTrain = randint(0, 10, [200]);
    const XTest = pixels([30, 784]);
    const knn = new KNearestNeighbor();
    knn.train(XTrain, yTrain);

    const d2 = knn.computeDistancesTwoLoops(XTest);
    const d1 = knn.computeDistancesOneLoop(XTest);
    const d0 = knn.computeDistancesNoLoops(XTest);
    expect(d2.shape).toEqual([30, 200]);
    expect(d1.shape).toEqual([30, 200]);
    expect(d0.shape).toEqual([30, 200]);

    // Independent float64 reference.
    const a = XTest.dataSync();
    const b = XTrain.dataSync();
    const exact = new Float64Array(30 * 200);
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 200; j++) {
        let s = 0;
        for (let d = 0; d < 784; d++) s += (a[i * 784 + d] - b[j * 784 + d]) ** 2;
        exact[i * 200 + j] = Math.sqrt(s);
      }
    }
    expect(relFrobenius(d2.dataSync(), exact)).toBeLessThan(1e-7);
    expect(relFrobenius(d1.dataSync(), d2.dataSync())).toBeLessThan(1e-5);
    expect(relFrobenius(d0.dataSync(), d2.dataSync())).toBeLessThan(1e-5);
    // No negative or NaN distances from the cancellation in the no-loop version.
    expect(d0.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(d0.sum().dataSync()[0])).toBe(true);
    tf.dispose([XTrain, yTrain, XTest, d0, d1, d2]);
    knn.dispose();
  });

  it('no-loop distance from a point to itself is 0, not NaN (clamped before sqrt)', () => {
    seed(2);
    const X = pixels([20, 100]);
    const knn = new KNearestNeighbor();
    knn.train(X, tf.zeros([20], 'int32'));
    const d = knn.computeDistancesNoLoops(X);
    const diag = tf.tidy(() => d.mul(tf.eye(20)).sum(1));
    const values = Array.from(diag.dataSync());
    for (const v of values) {
      expect(Number.isNaN(v)).toBe(false);
      expect(v).toBeLessThan(1); // distances between distinct rows are ~1000
    }
    tf.dispose([X, d, diag]);
    knn.dispose();
  });

  it('predictLabels breaks vote ties in favour of the smaller label', () => {
    const knn = new KNearestNeighbor();
    // Training labels: 3, 1, 2, 1, 3.
    knn.train(tf.zeros([5, 2]), tf.tensor1d([3, 1, 2, 1, 3], 'int32'));
    const dists = tf.tensor2d([
      [0, 1, 5, 6, 7], // k=2: labels {3, 1} tie → 1
      [1, 6, 5, 7, 0], // k=2: labels {3, 3} → 3; k=4: 3,3,2,1 → 3
      [4, 3, 9, 2, 1], // k=2: labels {3, 1} tie → 1; k=4: labels 3,1,1,3 → tie 1 vs 3 → 1
    ]);
    expect(Array.from(knn.predictLabels(dists, 1).dataSync())).toEqual([3, 3, 3]);
    expect(Array.from(knn.predictLabels(dists, 2).dataSync())).toEqual([1, 3, 1]);
    expect(Array.from(knn.predictLabels(dists, 4).dataSync())).toEqual([1, 3, 1]);
    // k = 5 > number of distinct labels (3): all points vote, 1 and 3 tie with 2 votes → 1.
    expect(Array.from(knn.predictLabels(dists, 5).dataSync())).toEqual([1, 1, 1]);
    expect(knn.predictLabels(dists, 1).dtype).toBe('int32');
    expect(() => knn.predictLabels(dists, 6)).toThrow(/k must be an integer in \[1, 5\]/);
    knn.dispose();
  });

  it('predict with k larger than the number of labels takes the majority of k neighbours', () => {
    // 1-D points: labels 0 at 0..5, label 1 at 10..12; a query at 7 with k = 7 sees five 0s and two 1s.
    const xs = [0, 1, 2, 3, 4, 5, 10, 11, 12];
    const ys = [0, 0, 0, 0, 0, 0, 1, 1, 1];
    const knn = new KNearestNeighbor();
    knn.train(tf.tensor2d(xs, [9, 1]), tf.tensor1d(ys, 'int32'));
    const q = tf.tensor2d([7, 9.5], [2, 1]);
    for (const loops of [0, 1, 2]) {
      expect(Array.from(knn.predict(q, 1, loops).dataSync())).toEqual([0, 1]);
      expect(Array.from(knn.predict(q, 7, loops).dataSync())).toEqual([0, 0]);
    }
    expect(() => knn.predict(q, 1, 3)).toThrow(/numLoops must be 0, 1 or 2/);
    knn.dispose();
  });
});

/** Independent references for the linear losses: float64 loops for the loss, tf.grad for dW. */
function svmLossReference(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number): tf.Scalar {
  const C = W.shape[1] as number;
  const oneHot = tf.oneHot(y as tf.Tensor1D, C);
  const scores = tf.matMul(X as tf.Tensor2D, W as tf.Tensor2D);
  const correct = tf.sum(tf.mul(scores, oneHot), 1, true);
  const margins = tf.mul(tf.relu(tf.add(tf.sub(scores, correct), 1)), tf.sub(1, oneHot));
  return tf.add(tf.div(tf.sum(margins), X.shape[0]), tf.mul(reg, tf.sum(tf.square(W)))) as tf.Scalar;
}
function softmaxLossReference(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number): tf.Scalar {
  const C = W.shape[1] as number;
  const scores = tf.matMul(X as tf.Tensor2D, W as tf.Tensor2D);
  const logp = tf.logSoftmax(scores);
  const data = tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(y as tf.Tensor1D, C)), 1)));
  return tf.add(data, tf.mul(reg, tf.sum(tf.square(W)))) as tf.Scalar;
}

describe.each([
  ['SVM', svmLossNaive, svmLossVectorized, svmLossReference, 9],
  ['softmax', softmaxLossNaive, softmaxLossVectorized, softmaxLossReference, Math.log(10)],
] as const)('%s loss', (name, naive, vectorized, reference, initLoss) => {
  const D = 400;
  const C = 10;
  const N = 100;

  it(`${name} naive and vectorized losses and gradients agree on seeded inputs`, () => {
    seed(7);
    const W = randn([D, C], { std: 1e-2 });
    const X = randn([N, D]);
    const y = randint(0, C, [N]);
    for (const reg of [0, 0.1]) {
      const [l1, g1] = naive(W, X, y, reg);
      const [l2, g2] = vectorized(W, X, y, reg);
      expect(typeof l1).toBe('number');
      expect(g1.shape).toEqual([D, C]);
      expect(g2.shape).toEqual([D, C]);
      expect(Math.abs(l1 - l2) / Math.abs(l1)).toBeLessThan(1e-5);
      expect(relFrobenius(g2.dataSync(), g1.dataSync())).toBeLessThan(1e-5);
      // Both equal an independent tf computation of the same loss and its tf.grad.
      const lref = tf.tidy(() => reference(W, X, y, reg).dataSync()[0]);
      expect(Math.abs(l2 - lref) / Math.abs(lref)).toBeLessThan(1e-5);
      const gref = tf.grad((w: tf.Tensor) => reference(w, X, y, reg))(W);
      expect(relFrobenius(g1.dataSync(), gref.dataSync())).toBeLessThan(1e-4);
      tf.dispose([g1, g2, gref]);
    }
    tf.dispose([W, X, y]);
  });

  it(`${name} loss at W = 1e-4·randn is close to ${initLoss.toFixed(3)}`, () => {
    seed(3);
    const W = randn([3073, C], { std: 1e-4 });
    const X = randn([N, 3073]);
    const y = randint(0, C, [N]);
    const [loss, dW] = vectorized(W, X, y, 0);
    // With scores ≈ 0 every margin is ≈ Δ = 1 (SVM: C − 1 of them) and every probability ≈ 1/C.
    expect(Math.abs(loss - initLoss)).toBeLessThan(name === 'SVM' ? 0.1 : 0.01);
    const [lossNaive, dWNaive] = naive(W, X, y, 0);
    expect(Math.abs(lossNaive - loss)).toBeLessThan(1e-4);
    tf.dispose([W, X, y, dW, dWNaive]);
  });

  it(`${name} gradients pass checkGradient, with and without regularization; a wrong one fails`, () => {
    seed(11);
    const W = randn([30, C], { std: 1e-2 });
    const X = randn([20, 30]);
    const y = randint(0, C, [20]);
    for (const reg of [0, 5]) {
      for (const fn of [naive, vectorized]) {
        const [, dW] = fn(W, X, y, reg);
        const verdict = checkGradient((w) => vectorized(w, X, y, reg)[0], W, dW);
        expect(verdict.passed).toBe(true);
        // The same gradient without 1/N (a classic bug) must fail.
        const wrong = dW.mul(20);
        expect(checkGradient((w) => vectorized(w, X, y, reg)[0], W, wrong).passed).toBe(false);
        tf.dispose([dW, wrong]);
      }
    }
    tf.dispose([W, X, y]);
  });
});

/** Data with a linear structure: class c has mean 3·e_c in a 20-D space. */
function blobs(n: number, C: number, D: number): { X: tf.Tensor2D; y: tf.Tensor1D } {
  const y = randint(0, C, [n]) as tf.Tensor1D;
  const X = tf.tidy(() => randn([n, D]).add(tf.oneHot(y, D).mul(3))) as tf.Tensor2D;
  return { X, y };
}

function accuracyOf(pred: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => pred.equal(y).cast('float32').mean().dataSync()[0]);
}

describe('linear classifiers', () => {
  it.each([
    ['LinearSVM', () => new LinearSVM()],
    ['Softmax', () => new Softmax()],
  ] as const)(
    '%s trains with SGD (loss goes down, seeded runs repeat exactly) and does not leak tensors',
    (_, make) => {
      seed(5);
      const { X, y } = blobs(600, 5, 20);
      const before = tf.memory().numTensors;
      seed(42);
      const clf = make();
      const history = clf.train(X, y, { learningRate: 1e-1, reg: 1e-4, numIters: 150, batchSize: 50 });
      // Only W was added.
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(history).toHaveLength(150);
      expect(clf.W?.shape).toEqual([20, 5]);
      const early = history.slice(0, 10).reduce((s, v) => s + v, 0) / 10;
      const late = history.slice(-10).reduce((s, v) => s + v, 0) / 10;
      expect(late).toBeLessThan(early * 0.5);
      const pred = clf.predict(X);
      expect(pred.dtype).toBe('int32');
      expect(pred.shape).toEqual([600]);
      expect(accuracyOf(pred, y)).toBeGreaterThan(0.9);
      pred.dispose();
      // Continuing training keeps one W.
      clf.train(X, y, { numIters: 5 });
      expect(tf.memory().numTensors).toBe(before + 1);

      seed(42);
      const again = make();
      expect(again.train(X, y, { learningRate: 1e-1, reg: 1e-4, numIters: 150, batchSize: 50 })).toEqual(history);
      clf.dispose();
      again.dispose();
      tf.dispose([X, y]);
    },
  );

  it('W starts as 0.001·randn(D, C) from the seeded generator', () => {
    seed(9);
    const X = tf.zeros([4, 6]);
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    const clf = new LinearSVM();
    clf.train(X, y, { numIters: 1, reg: 0, batchSize: 2 });
    // With X = 0 and reg = 0 the gradient is 0, so W is still its initial value.
    seed(9);
    const expected = randn([6, 3]).mul(0.001);
    expect(Array.from(clf.W!.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([X, y, expected]);
    clf.dispose();
  });
});

describe('two-layer net', () => {
  // The toy problem of the original notebook (inputSize 4, hiddenSize 10, 3 classes, 5 inputs),
  // with our seeded generator instead of numpy's: seed(0), then the net's W1, W2, then X = 10·randn.
  // How far 100 toy iterations get depends on the init, because with 5 examples and batch 200
  // every iteration is an epoch and the learning rate decays 0.95× per iteration: over seeds 0–11
  // the final loss ranged 0.017–0.27 (seed 0: 0.0171, like the original's ~0.017).
  const inputSize = 4;
  const hiddenSize = 10;
  const numClasses = 3;
  const numInputs = 5;

  function toy(): { net: TwoLayerNet; X: tf.Tensor2D; y: tf.Tensor1D } {
    seed(0);
    const net = new TwoLayerNet(inputSize, hiddenSize, numClasses, 1e-1);
    const X = randn([numInputs, inputSize]).mul(10) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 2, 2, 1], 'int32');
    return { net, X, y };
  }

  /** Float64 forward pass and loss from the raw parameter values. */
  function reference(net: TwoLayerNet, X: tf.Tensor, y: number[], reg: number): { scores: number[][]; loss: number } {
    const [W1, b1, W2, b2] = [net.params.W1, net.params.b1, net.params.W2, net.params.b2].map((t) => t.dataSync());
    const x = X.dataSync();
    const scores: number[][] = [];
    let loss = 0;
    for (let n = 0; n < numInputs; n++) {
      const h = new Array(hiddenSize).fill(0).map((_, j) => {
        let s = b1[j];
        for (let d = 0; d < inputSize; d++) s += x[n * inputSize + d] * W1[d * hiddenSize + j];
        return Math.max(0, s);
      });
      const row = new Array(numClasses).fill(0).map((_, c) => {
        let s = b2[c];
        for (let j = 0; j < hiddenSize; j++) s += h[j] * W2[j * numClasses + c];
        return s;
      });
      scores.push(row);
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      loss += lse - row[y[n]];
    }
    loss /= numInputs;
    let sq = 0;
    for (const v of W1) sq += v * v;
    for (const v of W2) sq += v * v;
    return { scores, loss: loss + reg * sq };
  }

  it('TwoLayerNet initialises W ~ std·randn (W1 first) and zero biases', () => {
    seed(0);
    const net = new TwoLayerNet(4, 10, 3, 1e-1);
    seed(0);
    const W1 = randn([4, 10]).mul(1e-1);
    const W2 = randn([10, 3]).mul(1e-1);
    expect(Array.from(net.params.W1.dataSync())).toEqual(Array.from(W1.dataSync()));
    expect(Array.from(net.params.W2.dataSync())).toEqual(Array.from(W2.dataSync()));
    expect(Array.from(net.params.b1.dataSync())).toEqual(new Array(10).fill(0));
    expect(net.params.b2.shape).toEqual([3]);
    tf.dispose([W1, W2]);
    net.dispose();
  });

  it('toy TwoLayerNet scores and loss match an independent float64 computation', () => {
    const { net, X, y } = toy();
    const scores = net.loss(X);
    expect(scores.shape).toEqual([numInputs, numClasses]);
    const ref = reference(net, X, [0, 1, 2, 2, 1], 0.05);
    expect(relFrobenius(scores.dataSync(), ref.scores.flat())).toBeLessThan(1e-6);
    const [loss, grads] = net.loss(X, y, 0.05);
    expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
    tf.dispose([scores, X, y]);
    tf.dispose(grads);
    net.dispose();
  });

  it('toy TwoLayerNet gradients match tf.grad and pass checkGradient for every parameter', () => {
    const { net, X, y } = toy();
    const reg = 0.05;
    const [, grads] = net.loss(X, y, reg);
    const names = ['W1', 'b1', 'W2', 'b2'] as const;
    // tf.grad of the same loss written independently with tensor ops.
    const lossOf = (W1: tf.Tensor, b1: tf.Tensor, W2: tf.Tensor, b2: tf.Tensor): tf.Scalar => {
      const h = tf.relu(tf.add(tf.matMul(X, W1 as tf.Tensor2D), b1));
      const s = tf.add(tf.matMul(h, W2 as tf.Tensor2D), b2);
      const data = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(s), tf.oneHot(y, numClasses)), 1)));
      return tf.add(data, tf.mul(reg, tf.add(tf.sum(tf.square(W1)), tf.sum(tf.square(W2))))) as tf.Scalar;
    };
    const auto = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => lossOf(a, b, c, d))(
      names.map((n) => net.params[n]),
    );
    names.forEach((n, i) => {
      expect(grads[n].shape).toEqual(net.params[n].shape);
      expect(relFrobenius(grads[n].dataSync(), auto[i].dataSync())).toBeLessThan(1e-4);
      const verdict = checkGradient(
        (p) => {
          const saved = net.params[n];
          net.params = { ...net.params, [n]: p };
          try {
            return net.loss(X, y, reg)[0];
          } finally {
            net.params = { ...net.params, [n]: saved };
          }
        },
        net.params[n],
        grads[n],
      );
      expect({ name: n, passed: verdict.passed }).toEqual({ name: n, passed: true });
    });
    // A wrong gradient (regularization term missing in dW1) must fail the check.
    const [, gradsNoReg] = net.loss(X, y, 0);
    const wrong = checkGradient(
      (p) => {
        const saved = net.params.W1;
        net.params = { ...net.params, W1: p };
        try {
          return net.loss(X, y, reg)[0];
        } finally {
          net.params = { ...net.params, W1: saved };
        }
      },
      net.params.W1,
      gradsNoReg.W1,
    );
    expect(wrong.passed).toBe(false);
    tf.dispose([X, y, ...auto]);
    tf.dispose(grads);
    tf.dispose(gradsNoReg);
    net.dispose();
  });

  it('training on the toy data drives the loss below 0.05 without leaking tensors', () => {
    const { net, X, y } = toy();
    const before = tf.memory().numTensors;
    seed(0);
    const stats = net.train(X, y, X, y, { learningRate: 1e-1, reg: 5e-6, numIters: 100 });
    expect(tf.memory().numTensors).toBe(before);
    expect(stats.lossHistory).toHaveLength(100);
    expect(stats.lossHistory[99]).toBeLessThan(0.05);
    // 5 examples, batch 200: every iteration is an epoch, so accuracy is recorded 100 times.
    expect(stats.valAccHistory).toHaveLength(100);
    expect(stats.valAccHistory[99]).toBe(1);
    const pred = net.predict(X);
    expect(Array.from(pred.dataSync())).toEqual([0, 1, 2, 2, 1]);
    tf.dispose([pred, X, y]);
    net.dispose();
  });

  it('the learning rate decays once per epoch (N / batchSize iterations, fractional like the original)', () => {
    seed(4);
    const { X, y } = blobs(100, 3, 20);
    const net = new TwoLayerNet(20, 8, 3);
    const calls: number[] = [];
    // 100 examples, batch 40: an epoch is 2.5 iterations, so only iterations 0, 5, 10, … start one.
    const stats = net.train(X, y, X, y, { numIters: 12, batchSize: 40, onIteration: (it) => calls.push(it) });
    expect(stats.trainAccHistory).toHaveLength(3);
    expect(stats.valAccHistory).toHaveLength(3);
    expect(calls).toEqual([...Array(12).keys()]);
    tf.dispose([X, y]);
    net.dispose();
  });
});

describe('features', () => {
  /** A direct port of the original numpy HOG (per-orientation masks, 8×8 uniform filter). */
  function hogReference(gray: number[][]): number[] {
    const sx = gray.length;
    const sy = gray[0].length;
    const gx = gray.map((row) => row.map((v, c) => (c < sy - 1 ? row[c + 1] - v : 0)));
    const gy = gray.map((row, r) => row.map((v, c) => (r < sx - 1 ? gray[r + 1][c] - v : 0)));
    const mag = gx.map((row, r) => row.map((v, c) => Math.sqrt(v * v + gy[r][c] ** 2)));
    const ori = gx.map((row, r) => row.map((v, c) => (Math.atan2(gy[r][c], v + 1e-15) * 180) / Math.PI + 90));
    const ncx = Math.floor(sx / 8);
    const ncy = Math.floor(sy / 8);
    const hist: number[][][] = [];
    for (let i = 0; i < 9; i++) {
      const temp = ori
        .map((row) => row.map((o) => (o < 20 * (i + 1) ? o : 0)))
        .map((row, r) => row.map((o, c) => (ori[r][c] >= 20 * i ? o : 0)));
      const tmag = temp.map((row, r) => row.map((o, c) => (o > 0 ? mag[r][c] : 0)));
      // uniform_filter(size 8) sampled at [4::8, 4::8] = mean of each whole 8×8 cell; then .T
      for (let a = 0; a < ncx; a++) {
        for (let b = 0; b < ncy; b++) {
          let s = 0;
          for (let r = a * 8; r < a * 8 + 8; r++) for (let c = b * 8; c < b * 8 + 8; c++) s += tmag[r][c];
          hist[b] ??= [];
          hist[b][a] ??= [];
          hist[b][a][i] = s / 64;
        }
      }
    }
    return hist.flat(2);
  }

  it('hogFeature matches a direct port of the original on RGB and gray images', () => {
    seed(6);
    const rgb = pixels([32, 32, 3]);
    const d = rgb.dataSync();
    const gray = [...Array(32)].map((_, r) =>
      [...Array(32)].map(
        (__, c) => 0.299 * d[(r * 32 + c) * 3] + 0.587 * d[(r * 32 + c) * 3 + 1] + 0.144 * d[(r * 32 + c) * 3 + 2],
      ),
    );
    const f = hogFeature(rgb);
    expect(f).toHaveLength(4 * 4 * 9);
    expect(relFrobenius(f, hogReference(gray))).toBeLessThan(1e-6);

    // 28×28×1 (Fashion-MNIST): 3×3 cells over the top-left 24×24 pixels, 81 values.
    const im = pixels([28, 28, 1]);
    const g = im.dataSync();
    const gray28 = [...Array(28)].map((_, r) => [...Array(28)].map((__, c) => g[r * 28 + c]));
    const f28 = hogFeature(im);
    expect(f28).toHaveLength(81);
    expect(relFrobenius(f28, hogReference(gray28))).toBeLessThan(1e-6);
    tf.dispose([rgb, im]);
  });

  it('colorHistogramHsv bins hue like matplotlib + np.histogram; gray images have constant hue', () => {
    // Pure red (hue 0 → bin 0), green (1/3·255 = 85 → bin 3), blue (170 → bin 6), yellow (42.5 → bin 1).
    const im = tf.tensor3d([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0], [2, 2, 3]);
    expect(Array.from(colorHistogramHsv(im))).toEqual([0.25, 0.25, 0, 0.25, 0, 0, 0.25, 0, 0, 0]);
    expect(Array.from(colorHistogramHsv(im, 10, 0, 255, false))).toEqual([1, 1, 0, 1, 0, 0, 1, 0, 0, 0]);
    seed(8);
    const gray = pixels([28, 28, 1]);
    expect(Array.from(colorHistogramHsv(gray))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const ih = intensityHistogram(gray);
    expect(ih.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(Math.max(...ih)).toBeLessThan(0.2); // uniform pixels spread over the bins
    tf.dispose([im, gray]);
  });

  it('extractFeatures concatenates every feature function per image into an N×F tensor', () => {
    seed(10);
    const imgs = pixels([7, 32, 32, 3]);
    const progress: number[] = [];
    const feats = extractFeatures(imgs, [hogFeature, (im) => colorHistogramHsv(im, 10)], {
      every: 3,
      onProgress: (done) => progress.push(done),
    });
    expect(feats.shape).toEqual([7, 154]);
    expect(progress).toEqual([3, 6, 7]);
    const row = feats.slice([4, 0], [1, 154]).dataSync();
    const im4 = imgs.slice([4, 0, 0, 0], [1, 32, 32, 3]).reshape([32, 32, 3]);
    expect(Array.from(row)).toEqual([...hogFeature(im4), ...colorHistogramHsv(im4)]);
    tf.dispose([imgs, feats, im4]);
  });
});
