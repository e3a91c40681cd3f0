/**
 * The course's splits and preprocessing (`get_CIFAR10_data` in the original notebooks):
 *
 *   train = the first numTraining training images
 *   val   = the numValidation images right after them   (mask = range(num_training, num_training + num_validation))
 *   test  = the first numTest test images
 *   dev   = numDev distinct images drawn at random from train (np.random.choice(num_training, num_dev, replace=False))
 *
 * then optionally: subtract the mean training image (computed on train only, from every split),
 * flatten each image to a row, append a bias column of ones.
 *
 * Everything is computed on the host from the cached bytes straight into the final float32
 * arrays (one array per split, no intermediate tensors), so getData cannot leak tensors and
 * CIFAR-10's train split costs one 602 MB array, not three.
 */
import { ready, tf } from '../kernel/runtime/tensor';
import { RandomGenerator } from '../kernel/runtime/random';
import { quickMode } from '../kernel/protocol/config';
import { DatasetSplitError } from './errors';
import { loadRaw } from './registry';
import type { DatasetName, RawDataset, RawSplit } from './types';

export interface SplitSizes {
  numTraining: number;
  numValidation: number;
  numTest: number;
  numDev: number;
}

/** The course's sizes: all of train but 1,000 for validation; 1,000 test; 500 dev. */
export const DEFAULT_SIZES: Record<DatasetName, SplitSizes> = {
  cifar10: { numTraining: 49000, numValidation: 1000, numTest: 1000, numDev: 500 },
  'fashion-mnist': { numTraining: 59000, numValidation: 1000, numTest: 1000, numDev: 500 },
};

/** Quick mode (`TS231N_QUICK=1` or `quick: true`) caps every size at these: same code, ~10× less data. */
export const QUICK_SIZES: SplitSizes = { numTraining: 5000, numValidation: 500, numTest: 500, numDev: 100 };

export interface GetDataOptions extends Partial<SplitSizes> {
  /** 'cifar10' | 'fashion-mnist'; default: see loadDataset. */
  dataset?: string;
  /** Folder to read from instead of the data set's default. */
  dir?: string;
  /** Subtract the mean training image from every split (default true). */
  subtractMean?: boolean;
  /** Flatten each image to a row: X is `[N, D]` (default false: `[N, H, W, C]`). */
  reshapeRows?: boolean;
  /** Append a column of ones (the bias trick): X is `[N, D + 1]`; implies reshapeRows. */
  addBias?: boolean;
  /** Images as `[N, C, H, W]` (assignment 2's layers); rows then flatten in C, H, W order. */
  channelsFirst?: boolean;
  /** Cap the sizes at QUICK_SIZES; default: TS231N_QUICK is set to 1/true/yes. */
  quick?: boolean;
  /** Seed of the dev subset's own generator (the global random stream is not touched). Default 0. */
  devSeed?: number;
}

export interface CourseData {
  name: DatasetName;
  XTrain: tf.Tensor;
  yTrain: tf.Tensor1D;
  XVal: tf.Tensor;
  yVal: tf.Tensor1D;
  XTest: tf.Tensor;
  yTest: tf.Tensor1D;
  XDev: tf.Tensor;
  yDev: tf.Tensor1D;
  classNames: string[];
  /** The mean training image (float32, one example's shape without the bias), when subtractMean. */
  meanImage?: tf.Tensor;
  /** The sizes actually used (after quick mode). */
  sizes: SplitSizes;
}

/** The sizes getData would use for `name` with `opts`. */
export function resolveSizes(name: DatasetName, opts: Partial<SplitSizes> & { quick?: boolean } = {}): SplitSizes {
  const quick = opts.quick ?? quickMode();
  const base = DEFAULT_SIZES[name];
  const out = { ...base };
  for (const k of Object.keys(base) as (keyof SplitSizes)[]) {
    const v = opts[k] ?? base[k];
    if (!Number.isInteger(v) || v < 0)
      throw new DatasetSplitError(`getData: ${k} must be a non-negative integer, got ${String(v)}`);
    out[k] = quick ? Math.min(v, QUICK_SIZES[k]) : v;
  }
  return out;
}

function checkSizes(raw: RawDataset, s: SplitSizes): void {
  const label = raw.name === 'cifar10' ? 'CIFAR-10' : 'Fashion-MNIST';
  if (s.numTraining < 1)
    throw new DatasetSplitError(
      'getData: numTraining must be at least 1 (the mean image and the dev set come from it)',
    );
  if (s.numTraining + s.numValidation > raw.train.count) {
    throw new DatasetSplitError(
      `getData: numTraining + numValidation = ${s.numTraining + s.numValidation} but ${label} has ${raw.train.count} training images`,
    );
  }
  if (s.numTest > raw.test.count)
    throw new DatasetSplitError(`getData: numTest = ${s.numTest} but ${label} has ${raw.test.count} test images`);
  if (s.numDev > s.numTraining)
    throw new DatasetSplitError(
      `getData: numDev = ${s.numDev} must be at most numTraining = ${s.numTraining} (dev is drawn from train)`,
    );
}

function range(start: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = start + i;
  return out;
}

interface Layout {
  /** [H, W, C] of the source bytes. */
  shape: [number, number, number];
  channelsFirst: boolean;
  bias: boolean;
}

/** Position in the output example of source element `j` (HWC order). */
function targetIndex(j: number, l: Layout): number {
  if (!l.channelsFirst) return j;
  const [h, w, c] = l.shape;
  const p = Math.floor(j / c);
  return (j % c) * h * w + p;
}

/** Mean over the first `n` training images, in float64, rounded once to float32; in the output layout. */
function meanImage(split: RawSplit, n: number, l: Layout): Float32Array {
  const d = l.shape[0] * l.shape[1] * l.shape[2];
  const sum = new Float64Array(d);
  const img = split.images;
  for (let i = 0; i < n; i++) {
    const s = i * d;
    for (let j = 0; j < d; j++) sum[j] += img[s + j];
  }
  const mean = new Float32Array(d);
  for (let j = 0; j < d; j++) mean[targetIndex(j, l)] = sum[j] / n;
  return mean;
}

/** X rows for `index` (each `image − mean`, rounded once to float32, then the bias 1) and their labels. */
function assemble(
  split: RawSplit,
  index: Int32Array,
  l: Layout,
  mean: Float32Array | null,
): { X: Float32Array; y: Int32Array } {
  const d = l.shape[0] * l.shape[1] * l.shape[2];
  const width = d + (l.bias ? 1 : 0);
  const n = index.length;
  const X = new Float32Array(n * width);
  const y = new Int32Array(n);
  const img = split.images;
  const target = new Int32Array(d);
  for (let j = 0; j < d; j++) target[j] = targetIndex(j, l);
  for (let i = 0; i < n; i++) {
    const s = index[i] * d;
    const o = i * width;
    if (mean) for (let j = 0; j < d; j++) X[o + target[j]] = img[s + j] - mean[target[j]];
    else for (let j = 0; j < d; j++) X[o + target[j]] = img[s + j];
    if (l.bias) X[o + d] = 1;
    y[i] = split.labels[index[i]];
  }
  return { X, y };
}

/**
 * Loads a data set and returns the course's splits, preprocessed.
 *
 * Inputs (all optional): dataset, dir, numTraining, numValidation, numTest, numDev (defaults
 * 49,000/1,000/1,000/500 for CIFAR-10, 59,000/1,000/1,000/500 for Fashion-MNIST; quick mode caps
 * them at 5,000/500/500/100), subtractMean = true, reshapeRows = false, addBias = false,
 * channelsFirst = false, quick, devSeed = 0.
 *
 * Returns `{ XTrain, yTrain, XVal, yVal, XTest, yTest, XDev, yDev, classNames, meanImage?, sizes, name }`:
 * - X*: float32 `(N, H, W, C)`; `(N, C, H, W)` with channelsFirst; `(N, D)` with reshapeRows; `(N, D + 1)` with addBias
 * - y*: int32 `(N,)`
 * - meanImage: float32, one example's shape (`(H, W, C)`, `(C, H, W)` or `(D,)`), when subtractMean
 *
 * Every returned tensor is new and owned by the caller (dispose them when done); the cached bytes
 * of the data set are reused across calls.
 */
export async function getData(opts: GetDataOptions = {}): Promise<CourseData> {
  await ready();
  const raw = loadRaw(opts.dataset, opts.dir);
  const sizes = resolveSizes(raw.name, opts);
  checkSizes(raw, sizes);
  const { subtractMean = true, addBias = false, channelsFirst = false, devSeed = 0 } = opts;
  const reshapeRows = opts.reshapeRows || addBias;
  const l: Layout = { shape: raw.imageShape, channelsFirst, bias: addBias };
  const [h, w, c] = raw.imageShape;
  const d = h * w * c;
  const exampleShape = reshapeRows ? [d + (addBias ? 1 : 0)] : channelsFirst ? [c, h, w] : [h, w, c];
  const mean = subtractMean ? meanImage(raw.train, sizes.numTraining, l) : null;
  const devIndex = new RandomGenerator(devSeed).choice(sizes.numTraining, sizes.numDev, { replace: false });

  const made: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (made.push(t), t);
  const split = (src: RawSplit, index: Int32Array): [tf.Tensor, tf.Tensor1D] => {
    const { X, y } = assemble(src, index, l, mean);
    return [keep(tf.tensor(X, [index.length, ...exampleShape], 'float32')), keep(tf.tensor1d(y, 'int32'))];
  };
  try {
    const [XTrain, yTrain] = split(raw.train, range(0, sizes.numTraining));
    const [XVal, yVal] = split(raw.train, range(sizes.numTraining, sizes.numValidation));
    const [XTest, yTest] = split(raw.test, range(0, sizes.numTest));
    const [XDev, yDev] = split(raw.train, devIndex);
    const out: CourseData = {
      name: raw.name,
      XTrain,
      yTrain,
      XVal,
      yVal,
      XTest,
      yTest,
      XDev,
      yDev,
      classNames: [...raw.classNames],
      sizes,
    };
    if (mean) out.meanImage = keep(tf.tensor(mean, reshapeRows ? [d] : exampleShape, 'float32'));
    return out;
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}

/**
 * The first `n` examples of X and y as new tensors (the kNN notebook's
 * `mask = range(num_training); X_train = X_train[mask]`).
 */
export function subsample<X extends tf.Tensor>(X: X, y: tf.Tensor1D, n: number): [X, tf.Tensor1D] {
  if (!Number.isInteger(n) || n < 0)
    throw new DatasetSplitError(`subsample: n must be a non-negative integer, got ${String(n)}`);
  if (n > X.shape[0] || n > y.shape[0])
    throw new DatasetSplitError(`subsample: n = ${n} but X has ${X.shape[0]} and y ${y.shape[0]} examples`);
  const begin = X.shape.map(() => 0);
  const size = X.shape.map((s, i) => (i === 0 ? n : s));
  return [tf.slice(X, begin, size) as X, tf.slice(y, [0], [n])];
}
