import { tf } from 'ts231n';

/**
 * Image features for assignment 1: a histogram of oriented gradients (HOG) and a colour
 * histogram in HSV, plus `extractFeatures` to run them over a whole data set.
 *
 * These are given to students (no TODOs). They follow the original course code step by step,
 * quirks included, and compute in float64 on the host.
 */

/**
 * One image on the host: `data` holds H·W·C values in row-major (H, W, C) order, 0–255.
 * A 2-D shape (H, W) means one channel.
 */
export interface HostImage {
  data: ArrayLike<number>;
  shape: readonly [number, number] | readonly [number, number, number];
}

/** An image as a tensor of shape (H, W, C) or (H, W), or as host data. */
export type ImageInput = tf.Tensor | HostImage;

/** A feature function: one image in, one feature vector (always the same length) out. */
export type FeatureFn = (im: HostImage) => Float32Array;

function toHost(im: ImageInput): HostImage {
  if (im instanceof tf.Tensor) {
    if (im.rank !== 2 && im.rank !== 3) throw new Error(`image must have shape (H, W, C) or (H, W), got [${im.shape}]`);
    return { data: im.dataSync(), shape: im.shape as [number, number] | [number, number, number] };
  }
  return im;
}

function dims(im: HostImage): [number, number, number] {
  const [H, W, C = 1] = im.shape;
  if (im.data.length !== H * W * C) {
    throw new Error(`image data has ${im.data.length} values but its shape [${im.shape}] needs ${H * W * C}`);
  }
  return [H, W, C];
}

/**
 * Convert an image to grayscale, one value per pixel.
 *
 * Three or more channels use the original course's weights 0.299·R + 0.587·G + 0.144·B. (The
 * usual luma weight of blue is 0.114; the original code has 0.144, and we keep it so that HOG
 * features match the original's.) One channel is returned as it is.
 *
 * Inputs:
 * - im: image of shape (H, W, C) or (H, W).
 *
 * Returns:
 * - gray: Float64Array of H·W values, row-major.
 */
export function rgb2gray(im: ImageInput): Float64Array {
  const host = toHost(im);
  const [H, W, C] = dims(host);
  const gray = new Float64Array(H * W);
  const d = host.data;
  if (C === 1) {
    for (let p = 0; p < H * W; p++) gray[p] = d[p];
  } else {
    for (let p = 0; p < H * W; p++) gray[p] = 0.299 * d[p * C] + 0.587 * d[p * C + 1] + 0.144 * d[p * C + 2];
  }
  return gray;
}

/**
 * Compute the Histogram of Oriented Gradients (HOG) feature of an image.
 *
 * Modified from skimage.feature.hog, like the original course code:
 *   1. convert to grayscale (see rgb2gray; one channel is used as is),
 *   2. gradients by forward differences, gx[r, c] = I[r, c+1] − I[r, c] (0 in the last column),
 *      gy[r, c] = I[r+1, c] − I[r, c] (0 in the last row),
 *   3. magnitude √(gx² + gy²) and orientation atan2(gy, gx + 1e-15) in degrees + 90,
 *   4. 9 orientation bins of 20° over [0°, 180°); bin i takes the pixels whose orientation lies in
 *      [20·i, 20·(i+1)) and is > 0 — orientations outside [0°, 180°) and exactly 0° are dropped,
 *      a quirk of the original that we keep,
 *   5. for each 8×8 cell, the mean gradient magnitude per bin.
 *
 * Cells tile the image from the top-left corner: floor(H / 8) × floor(W / 8) of them, and rows or
 * columns beyond the last whole cell are ignored. CIFAR-10 (32×32) gives 4×4 cells = 144 values;
 * Fashion-MNIST (28×28) gives 3×3 cells covering the top-left 24×24 pixels = 81 values (the last
 * 4 rows and columns are mostly background there).
 *
 * Inputs:
 * - im: image of shape (H, W, C) or (H, W), values 0–255.
 *
 * Returns:
 * - feat: Float32Array of floor(W/8)·floor(H/8)·9 values, ordered (cell column, cell row,
 *   orientation) — the original's transpose-then-ravel order.
 */
export function hogFeature(im: ImageInput): Float32Array {
  const host = toHost(im);
  const [H, W] = dims(host);
  const image = rgb2gray(host);
  const orientations = 9;
  const cx = 8;
  const cy = 8;
  const nCellsRow = Math.floor(H / cx);
  const nCellsCol = Math.floor(W / cy);
  const binWidth = 180 / orientations;
  // hist[cellRow][cellCol][bin], summed magnitudes, divided by the cell area at the end.
  const hist = new Float64Array(nCellsRow * nCellsCol * orientations);
  for (let r = 0; r < nCellsRow * cx; r++) {
    for (let c = 0; c < nCellsCol * cy; c++) {
      const p = r * W + c;
      const gx = c < W - 1 ? image[p + 1] - image[p] : 0;
      const gy = r < H - 1 ? image[p + W] - image[p] : 0;
      const mag = Math.sqrt(gx * gx + gy * gy);
      const ori = (Math.atan2(gy, gx + 1e-15) * 180) / Math.PI + 90;
      if (!(ori > 0) || ori >= 180) continue;
      // The original tests ori < binWidth·(i+1) and ori >= binWidth·i bin by bin; do the same
      // comparisons so that orientations on a bin edge land in the same bin.
      let bin = Math.min(Math.floor(ori / binWidth), orientations - 1);
      while (bin > 0 && ori < binWidth * bin) bin--;
      while (bin < orientations - 1 && ori >= binWidth * (bin + 1)) bin++;
      hist[(Math.floor(r / cx) * nCellsCol + Math.floor(c / cy)) * orientations + bin] += mag;
    }
  }
  const feat = new Float32Array(nCellsRow * nCellsCol * orientations);
  let k = 0;
  for (let j = 0; j < nCellsCol; j++) {
    for (let i = 0; i < nCellsRow; i++) {
      for (let o = 0; o < orientations; o++) feat[k++] = hist[(i * nCellsCol + j) * orientations + o] / (cx * cy);
    }
  }
  return feat;
}

/** np.histogram's binning: equal bins over [xmin, xmax], the last one closed; outside → −1. */
function binOf(v: number, nbin: number, xmin: number, xmax: number, edges: Float64Array): number {
  if (!(v >= xmin && v <= xmax)) return -1;
  if (v === xmax) return nbin - 1;
  let b = Math.min(Math.floor(((v - xmin) / (xmax - xmin)) * nbin), nbin - 1);
  while (b > 0 && v < edges[b]) b--;
  while (b < nbin - 1 && v >= edges[b + 1]) b++;
  return b;
}

function histogram(values: Float64Array, nbin: number, xmin: number, xmax: number, normalized: boolean): Float32Array {
  if (!(nbin >= 1) || !Number.isInteger(nbin)) throw new Error(`nbin must be a positive integer, got ${nbin}`);
  if (!(xmax > xmin)) throw new Error(`xmax (${xmax}) must be greater than xmin (${xmin})`);
  // Like np.linspace(xmin, xmax, nbin + 1).
  const edges = new Float64Array(nbin + 1);
  for (let b = 0; b <= nbin; b++) edges[b] = xmin + ((xmax - xmin) * b) / nbin;
  edges[nbin] = xmax;
  const counts = new Float64Array(nbin);
  let inside = 0;
  for (const v of values) {
    const b = binOf(v, nbin, xmin, xmax, edges);
    if (b >= 0) {
      counts[b]++;
      inside++;
    }
  }
  // np.histogram(density=True) divides by (count inside · bin width); the original then multiplies
  // by the bin width, which leaves the fraction of in-range values per bin.
  const out = new Float32Array(nbin);
  for (let b = 0; b < nbin; b++) out[b] = normalized ? (inside > 0 ? counts[b] / inside : NaN) : counts[b];
  return out;
}

/**
 * Compute the hue of every pixel, scaled like the original: matplotlib's rgb_to_hsv(im / xmax)
 * gives hue in [0, 1), multiplied by xmax. Where R = G = B (every pixel of a one-channel image)
 * the hue is 0.
 */
export function hue(im: ImageInput, xmax = 255): Float64Array {
  const host = toHost(im);
  const [H, W, C] = dims(host);
  const out = new Float64Array(H * W);
  if (C < 3) return out;
  const d = host.data;
  for (let p = 0; p < H * W; p++) {
    const r = d[p * C] / xmax;
    const g = d[p * C + 1] / xmax;
    const b = d[p * C + 2] / xmax;
    const v = Math.max(r, g, b);
    const delta = v - Math.min(r, g, b);
    let h = 0;
    if (delta > 0) {
      // matplotlib assigns red, then green, then blue, so blue wins ties, then green.
      if (b === v) h = 4 + (r - g) / delta;
      else if (g === v) h = 2 + (b - r) / delta;
      else h = (g - b) / delta;
      h = (((h / 6) % 1) + 1) % 1;
    }
    out[p] = h * xmax;
  }
  return out;
}

/**
 * Compute the color histogram of an image using hue.
 *
 * Inputs:
 * - im: image of shape (H, W, C) (RGB) or (H, W), values xmin–xmax.
 * - nbin: number of histogram bins (default 10).
 * - xmin: minimum pixel value (default 0).
 * - xmax: maximum pixel value (default 255).
 * - normalized: whether to normalize the histogram (default true): each bin then holds the
 *   fraction of pixels whose hue falls in it.
 *
 * Returns:
 * - imhist: Float32Array of length nbin, the histogram of hue values.
 *
 * For a one-channel image (Fashion-MNIST) every pixel is gray, its hue is 0 and the histogram is
 * the constant [1, 0, …, 0]: the feature carries no information there. Use `intensityHistogram`
 * instead for gray images.
 */
export function colorHistogramHsv(im: ImageInput, nbin = 10, xmin = 0, xmax = 255, normalized = true): Float32Array {
  return histogram(hue(im, xmax), nbin, xmin, xmax, normalized);
}

/**
 * Histogram of pixel intensities (an extra, not in the original): the gray level of each pixel
 * (see rgb2gray) binned like colorHistogramHsv. This is the colour-histogram analogue that still
 * says something about one-channel images.
 *
 * Inputs: as colorHistogramHsv. Returns: Float32Array of length nbin.
 */
export function intensityHistogram(im: ImageInput, nbin = 10, xmin = 0, xmax = 255, normalized = true): Float32Array {
  return histogram(rgb2gray(im), nbin, xmin, xmax, normalized);
}

/** Options of extractFeatures. */
export interface ExtractOptions {
  /** Called every `every` images and at the end with (done, total), e.g. to drive a progress bar. */
  onProgress?(done: number, total: number): void;
  /** How often onProgress is called, in images (default 1000). */
  every?: number;
}

/**
 * Given pixel data for images and several feature functions that can operate on single images,
 * apply all feature functions to all images, concatenating the feature vectors for each image.
 *
 * Inputs:
 * - imgs: float32 tensor of shape (N, H, W, C) (or (N, H, W)), pixel values 0–255.
 * - featureFns: list of k feature functions. The ith feature function should take as input an
 *   (H, W, C) image and return a (one-dimensional) array of length F_i.
 * - options: an optional progress callback.
 *
 * Returns:
 * - features: float32 tensor of shape (N, F_1 + … + F_k) where each row is the concatenation of
 *   all features for a single image.
 *
 * Images are read from the tensor in chunks, so memory stays bounded for large sets.
 */
export function extractFeatures(imgs: tf.Tensor, featureFns: FeatureFn[], options: ExtractOptions = {}): tf.Tensor2D {
  if (imgs.rank !== 3 && imgs.rank !== 4)
    throw new Error(`extractFeatures: imgs must have shape (N, H, W, C), got [${imgs.shape}]`);
  if (featureFns.length === 0) throw new Error('extractFeatures: give at least one feature function');
  const [N, H, W] = imgs.shape as number[];
  const C = imgs.rank === 4 ? (imgs.shape[3] as number) : 1;
  const size = H * W * C;
  const shape: [number, number, number] = [H, W, C];
  const every = options.every ?? 1000;
  if (N === 0) return tf.zeros([0, 0]) as tf.Tensor2D;

  let out: Float32Array | null = null;
  let F = 0;
  const chunk = Math.max(1, Math.min(N, Math.floor(16_000_000 / Math.max(size, 1))));
  for (let start = 0; start < N; start += chunk) {
    const count = Math.min(chunk, N - start);
    const part = tf.tidy(() => imgs.reshape([N, size]).slice([start, 0], [count, size]));
    const data = part.dataSync();
    part.dispose();
    for (let n = 0; n < count; n++) {
      const image: HostImage = { data: data.subarray(n * size, (n + 1) * size), shape };
      const feats = featureFns.map((fn) => fn(image));
      if (out === null) {
        // Use the first image to determine feature dimensions.
        F = feats.reduce((s, f) => s + f.length, 0);
        out = new Float32Array(N * F);
      }
      let offset = (start + n) * F;
      let total = 0;
      for (const f of feats) {
        out.set(f, offset);
        offset += f.length;
        total += f.length;
      }
      if (total !== F)
        throw new Error(`extractFeatures: image ${start + n} gave ${total} feature values, the first gave ${F}`);
      const done = start + n + 1;
      if (options.onProgress && (done % every === 0 || done === N)) options.onProgress(done, N);
    }
  }
  return tf.tensor2d(out as Float32Array, [N, F]);
}
