/**
 * A few training images of every class in a labelled grid, like the first cell of CS231n's
 * knn.ipynb ("Visualize some examples from the dataset"): one column per class, `perClass`
 * images drawn at random (without replacement, from the kit's seeded generator) down each column,
 * the class name under the top image.
 *
 *   showExamples(data.XTrain, data.yTrain, data.classNames, 7);
 */
import { tf } from '../kernel/runtime/tensor';
import { globalGenerator } from '../kernel/runtime/random';
import { showImages } from '../kernel/runtime/display';
import type { Figure, FigureFormat } from '../kernel/runtime/display';
import { DatasetError } from './errors';

/** showExamples was called with arguments that do not fit together. */
export class ShowExamplesError extends DatasetError {}

export interface ShowExamplesOptions {
  /** 'png' (default) or 'svg'. */
  format?: FigureFormat;
  /** Render without emitting (tests, saving to a file). Default true. */
  show?: boolean;
  title?: string;
}

/**
 * @param X images, [N, H, W, C] (C = 1 or 3) or [N, H, W], pixel values 0–255 (or any range:
 *          other ranges are scaled per image)
 * @param y labels, [N] int32 tensor or numbers in 0..classNames.length−1
 * @param classNames one name per class
 * @param perClass images per class (default 7, as in the course); a class with fewer images
 *          shows the ones it has and blanks
 */
export function showExamples(
  X: tf.Tensor,
  y: tf.Tensor | ArrayLike<number>,
  classNames: readonly string[],
  perClass = 7,
  options: ShowExamplesOptions = {},
): Figure {
  const where = 'showExamples';
  if (!(X instanceof tf.Tensor) || X.isDisposed)
    throw new ShowExamplesError(`${where}: X must be a live tensor of images [N, H, W, C]`);
  if (X.rank !== 3 && X.rank !== 4)
    throw new ShowExamplesError(`${where}: X must be [N, H, W, C] or [N, H, W], got shape [${X.shape}]`);
  if (!Number.isInteger(perClass) || perClass < 1)
    throw new ShowExamplesError(`${where}: perClass must be a positive integer, got ${String(perClass)}`);
  const C = classNames.length;
  if (C < 1) throw new ShowExamplesError(`${where}: classNames is empty; pass one name per class`);
  const labels = y instanceof tf.Tensor ? y.dataSync() : y;
  const N = X.shape[0];
  if (labels.length !== N) throw new ShowExamplesError(`${where}: X has ${N} images but y has ${labels.length} labels`);
  const byClass: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < N; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= C) {
      throw new ShowExamplesError(
        `${where}: y[${i}] = ${c} is not a class index 0..${C - 1} (classNames has ${C} names)`,
      );
    }
    byClass[c].push(i);
  }
  const rng = globalGenerator();
  const picks = byClass.map((idx) =>
    idx.length
      ? Array.from(rng.choice(idx.length, Math.min(perClass, idx.length), { replace: false }), (k) => idx[k])
      : [],
  );
  // row-major grid: row r holds the r-th pick of every class; -1 marks a blank cell
  const order: number[] = [];
  for (let r = 0; r < perClass; r++) for (let c = 0; c < C; c++) order.push(picks[c][r] ?? -1);
  const grid = tf.tidy(() => {
    const images = X.rank === 3 ? X.expandDims(-1) : X;
    const present = tf.gather(
      images,
      tf.tensor1d(
        order.map((i) => Math.max(i, 0)),
        'int32',
      ),
    );
    const keep = tf
      .tensor1d(
        order.map((i) => (i < 0 ? 0 : 1)),
        'float32',
      )
      .reshape([-1, 1, 1, 1]);
    return tf.mul(present.toFloat(), keep);
  });
  try {
    const names = order.map((_, k) => (k < C ? classNames[k] : ''));
    return showImages(grid, {
      labels: names,
      cols: C,
      maxImages: order.length,
      title: options.title,
      format: options.format,
      show: options.show,
    });
  } finally {
    grid.dispose();
  }
}
