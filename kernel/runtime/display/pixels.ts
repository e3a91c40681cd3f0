/**
 * Reading image batches out of tensors and mapping their values to 0–255, shared by
 * `showImages` and `visGrid`.
 */
import { tf } from '../tensor';
import { isTensor } from '../record';
import { DisplayArgumentError } from './data';

/** N images of H×W×C (C = 1 or 3) as float values, row-major NHWC. */
export interface ImageBatch {
  n: number;
  h: number;
  w: number;
  c: 1 | 3;
  data: Float32Array;
  /** Images in the input before `maxImages` cut it (≥ n). */
  total: number;
}

export type ImageInput = tf.Tensor | tf.Tensor[];

/**
 * How values become 0–255 pixels:
 * - 'auto' (default): 0–255 data as is, 0–1 data ×255, anything else min–max per image;
 * - 'minmax': each image scaled to its own min–max (CS231n's visualize_grid);
 * - 'global': one min–max over all images (class templates keep their relative contrast);
 * - 'none': values clipped to 0–255.
 * `true` means 'minmax', `false` means 'none'.
 */
export type Normalize = 'auto' | 'minmax' | 'global' | 'none' | boolean;

export interface ReadOptions {
  /** The input is N×C×H×W (CS231n's conv layout) rather than N×H×W×C. */
  channelsFirst?: boolean;
  /** At most this many images are read (default 200). */
  maxImages?: number;
}

/**
 * Reads images from an N×H×W×C tensor (C = 1 or 3), an N×H×W tensor (grayscale), one H×W×C or
 * H×W image, or an array of same-shaped images. Leaves no tensors behind.
 */
export function readImages(x: ImageInput, where: string, options: ReadOptions = {}): ImageBatch {
  const max = options.maxImages ?? 200;
  const list = Array.isArray(x) ? x : [x];
  list.forEach((t, i) => {
    if (!isTensor(t))
      throw new DisplayArgumentError(`${where}: images${Array.isArray(x) ? `[${i}]` : ''} must be a tensor`);
    if (t.isDisposed)
      throw new DisplayArgumentError(`${where}: images${Array.isArray(x) ? `[${i}]` : ''} is a disposed tensor`);
  });
  let total = Array.isArray(x) ? x.length : 0;
  const batch = tf.tidy(() => {
    let b: tf.Tensor;
    if (Array.isArray(x)) {
      if (x.length === 0) throw new DisplayArgumentError(`${where}: the image array is empty`);
      const shapes = new Set(x.map((t) => t.shape.join('×')));
      if (shapes.size > 1)
        throw new DisplayArgumentError(`${where}: all images must have the same shape, got ${[...shapes].join(', ')}`);
      b = tf.stack(x.slice(0, max).map((t) => asImage(t, where, options.channelsFirst)));
    } else {
      b = asBatch(x, where, options.channelsFirst);
      total = b.shape[0];
      if (b.shape[0] > max) b = b.slice(0, max);
    }
    return b.toFloat();
  });
  const [n, h, w, c] = batch.shape;
  if (n === 0 || h === 0 || w === 0) {
    batch.dispose();
    throw new DisplayArgumentError(`${where}: there are no pixels to show (${n} images of ${h}×${w})`);
  }
  const data = new Float32Array(batch.dataSync() as Float32Array);
  batch.dispose();
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const count = data.reduce((k, v) => k + (Number.isFinite(v) ? 0 : 1), 0);
    const per = h * w * c;
    throw new DisplayArgumentError(
      `${where}: image ${Math.floor(bad / per)} contains ${data[bad]} (${count} non-finite values in all); images must be finite — did training diverge?`,
    );
  }
  return { n, h, w, c: c as 1 | 3, data, total };
}

function checkChannels(t: tf.Tensor, c: number, where: string): void {
  if (c !== 1 && c !== 3)
    throw new DisplayArgumentError(
      `${where}: images need 1 or 3 channels, got shape [${t.shape.join(', ')}] (for N×C×H×W pass { channelsFirst: true })`,
    );
}

/** One image → H×W×C. */
function asImage(t: tf.Tensor, where: string, channelsFirst?: boolean): tf.Tensor {
  if (t.rank === 2) return t.expandDims(-1);
  if (t.rank === 3) {
    const img = channelsFirst ? t.transpose([1, 2, 0]) : t;
    checkChannels(t, img.shape[2] as number, where);
    return img;
  }
  throw new DisplayArgumentError(`${where}: each image must be H×W or H×W×C, got shape [${t.shape.join(', ')}]`);
}

/** A tensor → N×H×W×C. Rank 3 is one H×W×C image when its last axis is 1 or 3, else N×H×W. */
function asBatch(t: tf.Tensor, where: string, channelsFirst?: boolean): tf.Tensor {
  if (t.rank === 4) {
    const b = channelsFirst ? t.transpose([0, 2, 3, 1]) : t;
    checkChannels(t, b.shape[3] as number, where);
    return b;
  }
  if (t.rank === 3) {
    const last = channelsFirst ? t.shape[0] : t.shape[2];
    if (last === 1 || last === 3) return asImage(t, where, channelsFirst).expandDims(0);
    return t.expandDims(-1);
  }
  if (t.rank === 2) return t.expandDims(0).expandDims(-1);
  throw new DisplayArgumentError(`${where}: expected N×H×W×C images, got shape [${t.shape.join(', ')}]`);
}

function minMax(data: Float32Array, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Maps a batch to 0–255 (clamped, rounded) per the `normalize` mode; NaN becomes 0. */
export function toBytes(b: ImageBatch, normalize: Normalize = 'auto'): Uint8ClampedArray {
  const mode = normalize === true ? 'minmax' : normalize === false ? 'none' : normalize;
  const per = b.h * b.w * b.c;
  const out = new Uint8ClampedArray(b.data.length);
  const [glo, ghi] = minMax(b.data, 0, b.data.length);
  let resolved = mode;
  let factor = 1;
  if (mode === 'auto') {
    if (glo >= 0 && ghi <= 1) {
      resolved = 'none';
      factor = 255;
    } else if (glo >= 0 && ghi <= 255) resolved = 'none';
    else resolved = 'minmax';
  }
  for (let i = 0; i < b.n; i++) {
    const from = i * per;
    let lo = 0;
    let scale = factor;
    if (resolved === 'minmax' || resolved === 'global') {
      const [l, h] = resolved === 'global' ? [glo, ghi] : minMax(b.data, from, from + per);
      lo = l;
      scale = h > l ? 255 / (h - l) : 0;
    }
    for (let j = from; j < from + per; j++) {
      const v = (b.data[j] - lo) * scale;
      out[j] = Number.isNaN(v) ? 0 : v;
    }
  }
  return out;
}

/** Copies image `i` of a byte batch into an RGBA canvas at (x0, y0), each pixel scale×scale. */
export function blit(
  bytes: Uint8ClampedArray,
  b: ImageBatch,
  i: number,
  rgba: Uint8Array,
  canvasWidth: number,
  x0: number,
  y0: number,
  scale: number,
): void {
  const per = b.h * b.w * b.c;
  for (let y = 0; y < b.h; y++) {
    for (let x = 0; x < b.w; x++) {
      const src = i * per + (y * b.w + x) * b.c;
      const r = bytes[src];
      const g = b.c === 3 ? bytes[src + 1] : r;
      const bl = b.c === 3 ? bytes[src + 2] : r;
      for (let dy = 0; dy < scale; dy++) {
        let dst = ((y0 + y * scale + dy) * canvasWidth + x0 + x * scale) * 4;
        for (let dx = 0; dx < scale; dx++, dst += 4) {
          rgba[dst] = r;
          rgba[dst + 1] = g;
          rgba[dst + 2] = bl;
          rgba[dst + 3] = 255;
        }
      }
    }
  }
}
