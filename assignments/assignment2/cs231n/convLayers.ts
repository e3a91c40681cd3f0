/**
 * The convolutional layers of assignment 2, naive versions: explicit loops over the tensors'
 * typed arrays, the way the course asks you to write them first. They are slow on purpose; the
 * fast versions in fastLayers.ts compute the same functions with the tensor core's native ops.
 *
 * Images are (N, C, H, W) and filters (F, C, HH, WW), as in the course. Every forward function
 * returns `[out, cache]` and every backward function takes `(dout, cache)`. Nothing here disposes
 * its inputs.
 */
import { tf, notImplemented } from '../../../kernel/runtime';
import { batchnormForward, batchnormBackward, BnParam, BatchnormCache } from './layers';

/** Convolution settings: the same stride and zero padding on both spatial axes. */
export interface ConvParam {
  /** The number of pixels between adjacent receptive fields, horizontally and vertically (≥ 1). */
  stride: number;
  /** The number of pixels of zeros added on every side of the input (≥ 0). */
  pad: number;
}

/** What a conv forward pass keeps for its backward pass: its inputs. */
export interface ConvCache {
  x: tf.Tensor4D;
  w: tf.Tensor4D;
  b: tf.Tensor1D;
  convParam: ConvParam;
}

/** Max-pooling settings. */
export interface PoolParam {
  /** The height of each pooling region. */
  poolHeight: number;
  /** The width of each pooling region. */
  poolWidth: number;
  /** The distance between adjacent pooling regions. */
  stride: number;
}

/** What a max-pool forward pass keeps for its backward pass: its inputs. */
export interface PoolCache {
  x: tf.Tensor4D;
  poolParam: PoolParam;
}

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

/**
 * The output size of a sliding window along one axis, `1 + (size + 2·pad − field) / stride`;
 * throws when the windows do not tile the padded input exactly.
 */
function slidingOutputSize(fn: string, axis: string, size: number, field: number, pad: number, stride: number): number {
  const span = size + 2 * pad - field;
  if (span < 0) {
    throw new Error(`${fn}: the ${axis} window (${field}) is larger than the padded input (${size} + 2·${pad} = ${size + 2 * pad}); use a smaller window or more padding`);
  }
  if (span % stride !== 0) {
    throw new Error(`${fn}: 1 + (${axis} ${size} + 2·pad ${pad} − window ${field}) / stride ${stride} = ${1 + span / stride} is not an integer; choose pad or stride so that the windows tile the input`);
  }
  return 1 + span / stride;
}

/**
 * Checks the shapes and settings of a convolution and returns the output shape (N, F, H', W') with
 * H' = 1 + (H + 2·pad − HH) / stride and W' = 1 + (W + 2·pad − WW) / stride. Throws a one-line
 * error naming the problem when they do not fit (including a non-integer H' or W').
 */
export function convOutputShape(fn: string, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, convParam: ConvParam): [number, number, number, number] {
  if (x.rank !== 4 || w.rank !== 4 || b.rank !== 1 || w.shape[1] !== x.shape[1] || b.shape[0] !== w.shape[0]) {
    throw new Error(`${fn}: x (N, C, H, W), w (F, C, HH, WW) and b (F,) expected, got x [${x.shape}], w [${w.shape}], b [${b.shape}]`);
  }
  const { stride, pad } = convParam ?? ({} as Partial<ConvParam>);
  if (!isInt(stride, 1) || !isInt(pad, 0)) {
    throw new Error(`${fn}: convParam must be { stride: integer ≥ 1, pad: integer ≥ 0 }, got ${JSON.stringify(convParam)}`);
  }
  const [N, , H, W] = x.shape;
  const [F, , HH, WW] = w.shape;
  return [N, F, slidingOutputSize(fn, 'height', H, HH, pad, stride), slidingOutputSize(fn, 'width', W, WW, pad, stride)];
}

/**
 * Checks the shapes and settings of a max pool and returns the output shape (N, C, H', W') with
 * H' = 1 + (H − poolHeight) / stride and W' = 1 + (W − poolWidth) / stride (no padding).
 */
export function poolOutputShape(fn: string, x: tf.Tensor, poolParam: PoolParam): [number, number, number, number] {
  if (x.rank !== 4) throw new Error(`${fn}: x must have shape (N, C, H, W), got [${x.shape}]`);
  const { poolHeight, poolWidth, stride } = poolParam ?? ({} as Partial<PoolParam>);
  if (!isInt(poolHeight, 1) || !isInt(poolWidth, 1) || !isInt(stride, 1)) {
    throw new Error(`${fn}: poolParam must be { poolHeight, poolWidth, stride }, integers ≥ 1, got ${JSON.stringify(poolParam)}`);
  }
  const [N, C, H, W] = x.shape;
  return [N, C, slidingOutputSize(fn, 'height', H, poolHeight, 0, stride), slidingOutputSize(fn, 'width', W, poolWidth, 0, stride)];
}

/**
 * A naive implementation of the forward pass for a convolutional layer.
 *
 * The input consists of N data points, each with C channels, height H and width W. We convolve
 * each input with F different filters, where each filter spans all C channels and has height HH
 * and width WW.
 *
 * Input:
 * - x: Input data of shape (N, C, H, W)
 * - w: Filter weights of shape (F, C, HH, WW)
 * - b: Biases, of shape (F,)
 * - convParam: { stride, pad }:
 *   - stride: The number of pixels between adjacent receptive fields in the horizontal and
 *     vertical directions.
 *   - pad: The number of pixels that will be used to zero-pad the input. During padding, `pad`
 *     zeros are placed symmetrically (i.e. equally on both sides) along the height and width
 *     axes of the input. Be careful not to modify the original input x directly.
 *
 * Returns a tuple of:
 * - out: Output data, of shape (N, F, H', W') where H' and W' are given by
 *   H' = 1 + (H + 2 * pad - HH) / stride
 *   W' = 1 + (W + 2 * pad - WW) / stride
 * - cache: { x, w, b, convParam }
 */
export function convForwardNaive(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, convParam: ConvParam): [tf.Tensor4D, ConvCache] {
  const outShape = convOutputShape('convForwardNaive', x, w, b, convParam);
  const [N, F, Hout, Wout] = outShape;
  const [, C, H, W] = x.shape;
  const [, , HH, WW] = w.shape;
  const { stride, pad } = convParam;
  const xd = x.dataSync() as Float32Array;
  const wd = w.dataSync() as Float32Array;
  const bd = b.dataSync() as Float32Array;
  const out = new Float32Array(N * F * Hout * Wout);
  // ==== YOUR CODE ===============================================================
  // TODO: implement the convolutional forward pass with explicit loops. xd, wd and bd
  // hold x, w and b in row-major order (x[n, c, h, w] is xd[((n·C + c)·H + h)·W + w]); write
  // out[n, f, i, j] = b[f] + Σ_{c, kh, kw} w[f, c, kh, kw] · xpad[n, c, i·stride + kh, j·stride + kw]
  // into `out` (row-major, shape (N, F, Hout, Wout)), where xpad is x with `pad` zeros on every
  // side: skip the positions that fall in the padding (or build a padded copy of xd).
  // (Replace the next line with your code.)
  throw notImplemented('convForwardNaive', 'cs231n/convLayers.ts');
  // ==== END OF YOUR CODE ========================================================
  return [tf.tensor4d(out, outShape), { x: x as tf.Tensor4D, w: w as tf.Tensor4D, b: b as tf.Tensor1D, convParam }];
}

/**
 * A naive implementation of the backward pass for a convolutional layer.
 *
 * Inputs:
 * - dout: Upstream derivatives, of shape (N, F, H', W')
 * - cache: { x, w, b, convParam } as in convForwardNaive
 *
 * Returns a tuple of:
 * - dx: Gradient with respect to x, of shape (N, C, H, W)
 * - dw: Gradient with respect to w, of shape (F, C, HH, WW)
 * - db: Gradient with respect to b, of shape (F,)
 */
export function convBackwardNaive(dout: tf.Tensor, cache: ConvCache): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D] {
  const { x, w, b, convParam } = cache;
  const outShape = convOutputShape('convBackwardNaive', x, w, b, convParam);
  checkDout('convBackwardNaive', dout, outShape);
  const [N, F, Hout, Wout] = outShape;
  const [, C, H, W] = x.shape;
  const [, , HH, WW] = w.shape;
  const { stride, pad } = convParam;
  const xd = x.dataSync() as Float32Array;
  const wd = w.dataSync() as Float32Array;
  const dd = dout.dataSync() as Float32Array;
  // Sums accumulate in float64 and are rounded to float32 once at the end.
  const dx = new Float64Array(x.size);
  const dw = new Float64Array(w.size);
  const db = new Float64Array(F);
  // ==== YOUR CODE ===============================================================
  // TODO: implement the convolutional backward pass with explicit loops. Every output
  // out[n, f, i, j] = b[f] + Σ w[f, c, kh, kw] · xpad[n, c, i·stride + kh, j·stride + kw], so with
  // g = dout[n, f, i, j] (dd, row-major like out): db[f] += g; dw[f, c, kh, kw] += g · xpad[…];
  // and dx[n, c, h, w] += g · w[f, c, kh, kw] for every (h, w) inside x (the padding gets no
  // gradient). Accumulate into the arrays dx, dw, db (row-major, the shapes of x, w and b).
  // (Replace the next line with your code.)
  throw notImplemented('convBackwardNaive', 'cs231n/convLayers.ts');
  // ==== END OF YOUR CODE ========================================================
  return [
    tf.tensor4d(Float32Array.from(dx), x.shape as [number, number, number, number]),
    tf.tensor4d(Float32Array.from(dw), w.shape as [number, number, number, number]),
    tf.tensor1d(Float32Array.from(db)),
  ];
}

/**
 * A naive implementation of the forward pass for a max-pooling layer.
 *
 * Inputs:
 * - x: Input data, of shape (N, C, H, W)
 * - poolParam: { poolHeight, poolWidth, stride }:
 *   - poolHeight: The height of each pooling region
 *   - poolWidth: The width of each pooling region
 *   - stride: The distance between adjacent pooling regions
 *
 * No padding is necessary here. Output size is given by
 *   H' = 1 + (H - poolHeight) / stride
 *   W' = 1 + (W - poolWidth) / stride
 *
 * Returns a tuple of:
 * - out: Output data, of shape (N, C, H', W')
 * - cache: { x, poolParam }
 */
export function maxPoolForwardNaive(x: tf.Tensor, poolParam: PoolParam): [tf.Tensor4D, PoolCache] {
  const outShape = poolOutputShape('maxPoolForwardNaive', x, poolParam);
  const [N, C, Hout, Wout] = outShape;
  const [, , H, W] = x.shape;
  const { poolHeight, poolWidth, stride } = poolParam;
  const xd = x.dataSync() as Float32Array;
  const out = new Float32Array(N * C * Hout * Wout);
  // ==== YOUR CODE ===============================================================
  // TODO: implement the max-pooling forward pass with explicit loops:
  // out[n, c, i, j] = the maximum of x[n, c, i·stride + ph, j·stride + pw] over 0 ≤ ph < poolHeight,
  // 0 ≤ pw < poolWidth. xd holds x row-major; write `out` row-major, shape (N, C, Hout, Wout).
  // (Replace the next line with your code.)
  throw notImplemented('maxPoolForwardNaive', 'cs231n/convLayers.ts');
  // ==== END OF YOUR CODE ========================================================
  return [tf.tensor4d(out, outShape), { x: x as tf.Tensor4D, poolParam }];
}

/**
 * A naive implementation of the backward pass for a max-pooling layer.
 *
 * Inputs:
 * - dout: Upstream derivatives, of shape (N, C, H', W')
 * - cache: { x, poolParam } as in the forward pass.
 *
 * Returns:
 * - dx: Gradient with respect to x, of shape (N, C, H, W)
 */
export function maxPoolBackwardNaive(dout: tf.Tensor, cache: PoolCache): tf.Tensor4D {
  const { x, poolParam } = cache;
  const outShape = poolOutputShape('maxPoolBackwardNaive', x, poolParam);
  checkDout('maxPoolBackwardNaive', dout, outShape);
  const [N, C, Hout, Wout] = outShape;
  const [, , H, W] = x.shape;
  const { poolHeight, poolWidth, stride } = poolParam;
  const xd = x.dataSync() as Float32Array;
  const dd = dout.dataSync() as Float32Array;
  const dx = new Float64Array(x.size);
  // ==== YOUR CODE ===============================================================
  // TODO: implement the max-pooling backward pass with explicit loops. Each window
  // passes its upstream gradient dout[n, c, i, j] to the position of its maximum and nothing to
  // the others; when several positions tie for the maximum, the first one in row-major window
  // order gets it (as numpy's argmax and the fast layer do). Windows may overlap, so add (+=)
  // into dx (row-major, the shape of x).
  // (Replace the next line with your code.)
  throw notImplemented('maxPoolBackwardNaive', 'cs231n/convLayers.ts');
  // ==== END OF YOUR CODE ========================================================
  return tf.tensor4d(Float32Array.from(dx), x.shape as [number, number, number, number]);
}

/**
 * Computes the forward pass for spatial batch normalization.
 *
 * Inputs:
 * - x: Input data of shape (N, C, H, W)
 * - gamma: Scale parameter, of shape (C,)
 * - beta: Shift parameter, of shape (C,)
 * - bnParam: as for batchnormForward ({ mode, eps?, momentum?, runningMean?, runningVar? }, the
 *   running statistics of shape (C,), updated in place)
 *
 * Spatial batch normalization normalizes each channel with statistics taken over the N examples
 * and all H·W positions: a feature map should behave the same everywhere in the image.
 *
 * Returns a tuple of:
 * - out: Output data, of shape (N, C, H, W)
 * - cache: Values needed for the backward pass (batchnormForward's cache; null in test mode)
 */
export function spatialBatchnormForward(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, bnParam: BnParam): [tf.Tensor4D, BatchnormCache | null] {
  if (x.rank !== 4) throw new Error(`spatialBatchnormForward: x must have shape (N, C, H, W), got [${x.shape}]`);
  // (tidy keeps every tensor inside the returned object; a null cache is allowed at run time.)
  type Result = { out: tf.Tensor4D; cache: BatchnormCache | null };
  const result = tf.tidy((): tf.TensorContainer => {
    let out: tf.Tensor4D;
    let cache: BatchnormCache | null;
    // ==== YOUR CODE ===============================================================
    // TODO: implement the forward pass for spatial batch normalization by calling the
    // vanilla batchnormForward: move the channel axis last (x.transpose([0, 2, 3, 1])) and
    // reshape to (N·H·W, C) rows, normalize them, then reshape and transpose the result back to
    // (N, C, H, W). Store the result in `out` and batchnormForward's cache in `cache`.
    // (Replace the next line with your code.)
    throw notImplemented('spatialBatchnormForward', 'cs231n/convLayers.ts');
    // ==== END OF YOUR CODE ========================================================
    return { out, cache } as unknown as tf.TensorContainer;
  }) as unknown as Result;
  return [result.out, result.cache];
}

/**
 * Computes the backward pass for spatial batch normalization.
 *
 * Inputs:
 * - dout: Upstream derivatives, of shape (N, C, H, W)
 * - cache: Values from the forward pass (train mode)
 *
 * Returns a tuple of:
 * - dx: Gradient with respect to inputs, of shape (N, C, H, W)
 * - dgamma: Gradient with respect to scale parameter, of shape (C,)
 * - dbeta: Gradient with respect to shift parameter, of shape (C,)
 */
export function spatialBatchnormBackward(dout: tf.Tensor, cache: BatchnormCache | null): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  if (dout.rank !== 4) throw new Error(`spatialBatchnormBackward: dout must have shape (N, C, H, W), got [${dout.shape}]`);
  return tf.tidy(() => {
    let dx: tf.Tensor4D;
    let dgamma: tf.Tensor1D;
    let dbeta: tf.Tensor1D;
    // ==== YOUR CODE ===============================================================
    // TODO: implement the backward pass for spatial batch normalization by calling the
    // vanilla batchnormBackward on dout laid out as the forward pass laid out x ((N·H·W, C) rows,
    // channels last), then bring dx back to (N, C, H, W).
    // (Replace the next line with your code.)
    throw notImplemented('spatialBatchnormBackward', 'cs231n/convLayers.ts');
    // ==== END OF YOUR CODE ========================================================
    return [dx, dgamma, dbeta] as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
  });
}

function checkDout(fn: string, dout: tf.Tensor, shape: number[]): void {
  if (dout.rank !== shape.length || dout.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${fn}: dout must have the forward output's shape [${shape}], got [${dout.shape}]`);
  }
}
