/**
 * The registry (which data set, cached once) and the course's splits on a generated CIFAR-10:
 * train = first numTraining, val = the next numValidation, test = first numTest of test, dev = a
 * seeded subset of train; mean image from train only; rows, bias column, channels-first; no leaks.
 */
import * as path from 'path';
import { ready, tf } from '../../../kernel/runtime/tensor';
import {
  CourseData,
  DatasetSplitError,
  QUICK_SIZES,
  UnknownDatasetError,
  clearDatasetCache,
  getData,
  loadDataset,
  normalizeDatasetName,
  resolveDatasetName,
  resolveSizes,
  subsample,
} from '../../../datasets';
import {
  TEST_OFFSET,
  cifarLabel,
  cifarPixel,
  idxPixel,
  tempDir,
  writeCifar10,
  writeFashionMnist,
} from '../../fixtures/datasets/generate';

const parent = tempDir('splits');
const fx = writeCifar10(parent, 40, 50); // 200 train, 50 test
const fm = writeFashionMnist(path.join(parent, 'fashion-mnist'), 120, 30);
const saved = {
  dataset: process.env.TS231N_DATASET,
  dir: process.env.TS231N_DATA_DIR,
  quick: process.env.TS231N_QUICK,
};

function restoreEnv() {
  for (const [k, v] of [
    ['TS231N_DATASET', saved.dataset],
    ['TS231N_DATA_DIR', saved.dir],
    ['TS231N_QUICK', saved.quick],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

beforeAll(async () => {
  await ready();
});
afterEach(() => {
  restoreEnv();
  clearDatasetCache();
});

const sizes = { numTraining: 150, numValidation: 30, numTest: 40, numDev: 20 };

function disposeAll(d: CourseData) {
  tf.dispose([
    d.XTrain,
    d.yTrain,
    d.XVal,
    d.yVal,
    d.XTest,
    d.yTest,
    d.XDev,
    d.yDev,
    ...(d.meanImage ? [d.meanImage] : []),
  ]);
}

/** Float64 mean of pixel (r, col, c) over split records [from, to). */
function pixelMean(from: number, to: number, r: number, col: number, c: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += cifarPixel(i, c, r, col);
  return s / (to - from);
}

/** The record index a generated image came from: pixel (0, 0, R) is 13·i mod 256, and 13·197 ≡ 1 (mod 256). */
function recordOf(firstPixel: number): number {
  return (Math.round(firstPixel) * 197) & 255;
}

describe('registry', () => {
  test('names are normalised and unknown ones are a typed error listing the known ones', () => {
    expect(normalizeDatasetName('CIFAR-10')).toBe('cifar10');
    expect(normalizeDatasetName('fashion_mnist')).toBe('fashion-mnist');
    expect(() => normalizeDatasetName('imagenet')).toThrow(UnknownDatasetError);
    expect(() => normalizeDatasetName('imagenet')).toThrow(/cifar10, fashion-mnist/);
  });

  test('argument, then TS231N_DATASET, then CIFAR-10 when present under TS231N_DATA_DIR, else Fashion-MNIST', () => {
    process.env.TS231N_DATA_DIR = parent;
    delete process.env.TS231N_DATASET;
    expect(resolveDatasetName()).toBe('cifar10');
    expect(resolveDatasetName('fashion-mnist')).toBe('fashion-mnist');
    process.env.TS231N_DATASET = 'fashion-mnist';
    expect(resolveDatasetName()).toBe('fashion-mnist');
    delete process.env.TS231N_DATASET;
    process.env.TS231N_DATA_DIR = fx.dir; // the batches folder itself works too
    expect(resolveDatasetName()).toBe('cifar10');
    process.env.TS231N_DATA_DIR = tempDir('no-cifar');
    expect(resolveDatasetName()).toBe('fashion-mnist');
  });

  test('loadDataset reads the default once per process and rebuilds tensors that were disposed', () => {
    process.env.TS231N_DATA_DIR = parent;
    const a = loadDataset();
    expect(a.name).toBe('cifar10');
    expect(a.XTrain.shape).toEqual([200, 32, 32, 3]);
    expect(loadDataset('cifar10')).toBe(a);
    a.XTrain.dispose();
    const b = loadDataset();
    expect(b).not.toBe(a);
    expect(b.XTrain.isDisposed).toBe(false);
    expect(b.XTrain.dataSync()[5]).toBe(cifarPixel(0, 2, 0, 1));
    // Fashion-MNIST from the data root's fashion-mnist/ folder (a `npm run datasets` download).
    const f = loadDataset('fashion-mnist');
    expect(f.XTrain.shape).toEqual([120, 28, 28, 1]);
    expect(f.XTrain.dataSync()[28 * 28 * 3 + 28 * 4 + 5]).toBe(idxPixel(3, 4, 5));
    const before = tf.memory().numTensors;
    clearDatasetCache();
    expect(tf.memory().numTensors).toBe(before - 8);
  });
});

describe('getData: the course splits', () => {
  test('sizes and shapes; train is the first numTraining, val the next numValidation, test the first numTest', async () => {
    const d = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, subtractMean: false });
    try {
      expect(d.sizes).toEqual(sizes);
      expect(d.XTrain.shape).toEqual([150, 32, 32, 3]);
      expect(d.XVal.shape).toEqual([30, 32, 32, 3]);
      expect(d.XTest.shape).toEqual([40, 32, 32, 3]);
      expect(d.XDev.shape).toEqual([20, 32, 32, 3]);
      expect(d.meanImage).toBeUndefined();
      expect(Array.from(d.yTrain.dataSync())).toEqual(Array.from({ length: 150 }, (_, i) => cifarLabel(i)));
      expect(Array.from(d.yVal.dataSync())).toEqual(Array.from({ length: 30 }, (_, i) => cifarLabel(150 + i)));
      expect(Array.from(d.yTest.dataSync())).toEqual(Array.from({ length: 40 }, (_, i) => cifarLabel(TEST_OFFSET + i)));
      const val = d.XVal.dataSync();
      expect(recordOf(val[0])).toBe(150);
      expect(recordOf(val[29 * 3072])).toBe(179);
      expect(val[29 * 3072 + (7 * 32 + 8) * 3 + 1]).toBe(cifarPixel(179, 1, 7, 8));
    } finally {
      disposeAll(d);
    }
  });

  test('dev is numDev distinct training images (rows equal to train rows), fixed by devSeed', async () => {
    const d = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, subtractMean: false, reshapeRows: true });
    const d2 = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, subtractMean: false, reshapeRows: true });
    const d3 = await getData({
      dataset: 'cifar10',
      dir: fx.dir,
      ...sizes,
      subtractMean: false,
      reshapeRows: true,
      devSeed: 7,
    });
    try {
      const dev = d.XDev.dataSync();
      const train = d.XTrain.dataSync();
      const yDev = d.yDev.dataSync();
      const idx: number[] = [];
      for (let k = 0; k < 20; k++) {
        const i = recordOf(dev[k * 3072]);
        idx.push(i);
        expect(i).toBeLessThan(150);
        expect(yDev[k]).toBe(cifarLabel(i));
        let same = true;
        for (let j = 0; j < 3072; j++) if (dev[k * 3072 + j] !== train[i * 3072 + j]) same = false;
        expect(same).toBe(true);
      }
      expect(new Set(idx).size).toBe(20);
      expect(Array.from(d2.yDev.dataSync())).toEqual(Array.from(yDev));
      expect(Array.from(d2.XDev.dataSync().subarray(0, 3072 * 20)).every((v, j) => v === dev[j])).toBe(true);
      const idx3 = Array.from({ length: 20 }, (_, k) => recordOf(d3.XDev.dataSync()[k * 3072]));
      expect(idx3).not.toEqual(idx);
    } finally {
      [d, d2, d3].forEach(disposeAll);
    }
  });

  test('the mean image comes from the training split only and is subtracted from every split', async () => {
    const d = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes });
    try {
      const mean = d.meanImage!;
      expect(mean.shape).toEqual([32, 32, 3]);
      const m = mean.dataSync();
      // Compare with an independent float64 mean; float32 rounding of values ≤ 255 is ≤ 255·2⁻²⁴ ≈ 1.5e-5.
      let maxErr = 0;
      let trainPlusValDiffers = false;
      for (const [r, col, c] of [
        [0, 0, 0],
        [31, 31, 2],
        [5, 17, 1],
        [12, 3, 0],
      ]) {
        const want = pixelMean(0, 150, r, col, c);
        maxErr = Math.max(maxErr, Math.abs(m[(r * 32 + col) * 3 + c] - want));
        if (Math.abs(pixelMean(0, 180, r, col, c) - want) > 0.01) trainPlusValDiffers = true;
      }
      expect(maxErr).toBeLessThan(2e-5);
      expect(trainPlusValDiffers).toBe(true); // so the check above tells train-only from train+val
      // Each split is raw − mean, rounded once to float32.
      const val = d.XVal.dataSync();
      const test = d.XTest.dataSync();
      const dev = d.XDev.dataSync();
      let bad = 0;
      for (let j = 0; j < 3072; j += 97) {
        const c = j % 3;
        const p = (j - c) / 3;
        const [r, col] = [Math.floor(p / 32), p % 32];
        if (val[3 * 3072 + j] !== Math.fround(cifarPixel(153, c, r, col) - m[j])) bad++;
        if (test[5 * 3072 + j] !== Math.fround(cifarPixel(TEST_OFFSET + 5, c, r, col) - m[j])) bad++;
      }
      expect(bad).toBe(0);
      const devIdx = Math.round(((dev[0] + m[0]) * 197) % 256) & 255;
      expect(devIdx).toBeLessThan(150);
      // The centred training split has mean ≈ 0 at every pixel.
      const meanAfter = tf.tidy(() => tf.abs(tf.mean(d.XTrain, 0)).max().dataSync()[0]);
      expect(meanAfter).toBeLessThan(1e-3);
    } finally {
      disposeAll(d);
    }
  });

  test('reshapeRows gives N×D, addBias appends a ones column (N×(D+1)) and implies rows; the mean stays D long', async () => {
    const rows = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, reshapeRows: true });
    const bias = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, addBias: true });
    try {
      expect(rows.XTrain.shape).toEqual([150, 3072]);
      expect(rows.meanImage!.shape).toEqual([3072]);
      const pairs = [
        [bias.XTrain, rows.XTrain],
        [bias.XVal, rows.XVal],
        [bias.XTest, rows.XTest],
        [bias.XDev, rows.XDev],
      ] as const;
      for (const [X, plain] of pairs) {
        const n = plain.shape[0];
        expect(X.shape).toEqual([n, 3073]);
        const last = tf.tidy(() => tf.slice(X, [0, 3072], [n, 1]).dataSync());
        expect(Array.from(last).every((v) => v === 1)).toBe(true);
        const firstD = tf.tidy(() => tf.slice(X, [0, 0], [n, 3072]).dataSync());
        const p = plain.dataSync();
        expect(firstD.every((v, j) => v === p[j])).toBe(true);
      }
      expect(bias.meanImage!.shape).toEqual([3072]);
    } finally {
      disposeAll(rows);
      disposeAll(bias);
    }
  });

  test('channelsFirst gives N×C×H×W with each plane in row-major order', async () => {
    const d = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, subtractMean: false, channelsFirst: true });
    const m = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, channelsFirst: true });
    try {
      expect(d.XTrain.shape).toEqual([150, 3, 32, 32]);
      const X = d.XTrain.dataSync();
      let bad = 0;
      for (const i of [0, 77, 149])
        for (let c = 0; c < 3; c++)
          for (let r = 0; r < 32; r++)
            for (let col = 0; col < 32; col++)
              if (X[((i * 3 + c) * 32 + r) * 32 + col] !== cifarPixel(i, c, r, col)) bad++;
      expect(bad).toBe(0);
      expect(m.meanImage!.shape).toEqual([3, 32, 32]);
      expect(Math.abs(m.meanImage!.dataSync()[2 * 1024 + 5 * 32 + 6] - pixelMean(0, 150, 5, 6, 2))).toBeLessThan(2e-5);
    } finally {
      disposeAll(d);
      disposeAll(m);
    }
  });

  test('getData returns only new tensors and leaks nothing', async () => {
    await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes }).then(disposeAll); // warm the byte cache
    const before = tf.memory().numTensors;
    const d = await getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, addBias: true });
    expect(tf.memory().numTensors - before).toBe(9);
    disposeAll(d);
    expect(tf.memory().numTensors).toBe(before);
    await expect(getData({ dataset: 'cifar10', dir: fx.dir, numTraining: 190, numValidation: 20 })).rejects.toThrow(
      DatasetSplitError,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  test('sizes that do not fit are a DatasetSplitError that says why', async () => {
    await expect(getData({ dataset: 'cifar10', dir: fx.dir, numTraining: 190, numValidation: 20 })).rejects.toThrow(
      /numTraining \+ numValidation = 210 but CIFAR-10 has 200 training images/,
    );
    await expect(getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, numTest: 51 })).rejects.toThrow(/numTest = 51/);
    await expect(getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, numDev: 151 })).rejects.toThrow(
      /numDev = 151 must be at most numTraining = 150/,
    );
    await expect(getData({ dataset: 'cifar10', dir: fx.dir, ...sizes, numTraining: 1.5 })).rejects.toThrow(
      DatasetSplitError,
    );
  });

  test('course defaults and quick mode (TS231N_QUICK=1 or quick: true caps every size)', () => {
    expect(resolveSizes('cifar10', { quick: false })).toEqual({
      numTraining: 49000,
      numValidation: 1000,
      numTest: 1000,
      numDev: 500,
    });
    expect(resolveSizes('fashion-mnist', { quick: false })).toEqual({
      numTraining: 59000,
      numValidation: 1000,
      numTest: 1000,
      numDev: 500,
    });
    expect(resolveSizes('cifar10', { quick: true })).toEqual(QUICK_SIZES);
    process.env.TS231N_QUICK = '1';
    expect(resolveSizes('fashion-mnist')).toEqual({ numTraining: 5000, numValidation: 500, numTest: 500, numDev: 100 });
    expect(resolveSizes('cifar10', { numTraining: 200, numDev: 10 })).toEqual({
      numTraining: 200,
      numValidation: 500,
      numTest: 500,
      numDev: 10,
    });
    expect(resolveSizes('cifar10', { quick: false }).numTraining).toBe(49000);
  });

  test('Fashion-MNIST through the same code: 28×28×1 images, rows of 784 (+1)', async () => {
    const d = await getData({
      dataset: 'fashion-mnist',
      dir: fm.dir,
      numTraining: 100,
      numValidation: 20,
      numTest: 30,
      numDev: 10,
      addBias: true,
    });
    try {
      expect(d.XTrain.shape).toEqual([100, 785]);
      expect(d.XVal.shape).toEqual([20, 785]);
      expect(d.meanImage!.shape).toEqual([784]);
      expect(d.classNames[0]).toBe('T-shirt/top');
    } finally {
      disposeAll(d);
    }
  });
});

test('subsample takes the first n examples as new tensors (kNN: 5,000 train / 500 test)', () => {
  const X = tf.tensor4d(
    Float32Array.from({ length: 6 * 2 * 2 * 1 }, (_, i) => i),
    [6, 2, 2, 1],
  );
  const y = tf.tensor1d([5, 4, 3, 2, 1, 0], 'int32');
  const [Xs, ys] = subsample(X, y, 4);
  expect(Xs.shape).toEqual([4, 2, 2, 1]);
  expect(Array.from(Xs.dataSync())).toEqual(Array.from({ length: 16 }, (_, i) => i));
  expect(Array.from(ys.dataSync())).toEqual([5, 4, 3, 2]);
  expect(() => subsample(X, y, 7)).toThrow(DatasetSplitError);
  tf.dispose([X, y, Xs, ys]);
});
