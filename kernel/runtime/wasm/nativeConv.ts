/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on OpenBLAS (NHWC), by
 * im2col and one GEMM per chunk of images, directly on the wasm heap:
 *
 *   cols[(n,p,q), (i,j,c)] = x[n, p·sh + i·dh − pt, q·sw + j·dw − pl, c]   (0 outside the image)
 *   forward   out[(n,p,q), f]  = cols · W          W = filter as [fh·fw·C, F]
 *   dx        dx = col2im(dy · Wᵀ)                  (the adjoint of im2col: a scatter-add)
 *   dW        dW = Σ_chunks colsᵀ · dy
 *
 * The columns live in a scratch array outside the wasm heap, reused across calls and small
 * (chunks of whole images, see SCRATCH_FLOATS), so memory stays flat. 1×1 filters with stride 1 and no padding
 * skip im2col (x itself is the column matrix). Every attribute tfjs gives these kernels is
 * honoured (strides, dilations, padding same/valid/explicit, dimRoundingMode); NCHW data and
 * non-float32 tensors return null, and the caller runs the XNNPACK kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { activeBlas, NativeBlas } from '../blas/openblas';
import { activate, fillRows, supportedActivation } from './epilogue';
import { WasmBackend } from './kernels';
import type { NativeKernel } from './nativeMatMul';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}
type Shape4 = [number, number, number, number];

/**
 * Floats of columns per chunk (256 KB: they stay in a core's L2 cache between im2col and the
 * GEMM). A chunk is at least one image. Measured on the bench's conv forward (CPU ms per call,
 * 50×32×32×3, 7×7): 4 M floats 23–29, 1 M 22, 256 K 18–20, 64 K 16–18.
 */
export const SCRATCH_FLOATS = 1 << 16;
let scratch = new Float32Array(0);
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch;
}

interface Plan {
  info: tf.backend_util.Conv2DInfo;
  /** fh·fw·C: the width of a column row */
  width: number;
  /** output pixels per image */
  pixels: number;
  /** images per chunk */
  chunk: number;
  /** x is its own column matrix (1×1, stride 1, no padding) */
  direct: boolean;
  geometry(n: number): Int32Array;
}

/**
 * The addon's description of n images and their windows (im2col, col2im, maxPoolGrad):
 * [n, H, W, C, fh, fw, sh, sw, dh, dw, padTop, padLeft, outH, outW]. Pooling infos have the same fields.
 */
export function windowGeometry(info: tf.backend_util.Conv2DInfo, n: number): Int32Array {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: fh, filterWidth: fw, padInfo } = info;
  const {
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    outHeight: oh,
    outWidth: ow,
  } = info;
  return Int32Array.from([n, H, W, C, fh, fw, sh, sw, dh, dw, padInfo.top, padInfo.left, oh, ow]);
}

function plan(info: tf.backend_util.Conv2DInfo): Plan {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: fh, filterWidth: fw } = info;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left, bottom, right } = info.padInfo;
  const width = fh * fw * C;
  const pixels = oh * ow;
  const direct =
    fh === 1 &&
    fw === 1 &&
    sh === 1 &&
    sw === 1 &&
    top === 0 &&
    left === 0 &&
    bottom === 0 &&
    right === 0 &&
    oh === H &&
    ow === W;
  const chunk = Math.max(1, Math.min(info.batchSize, Math.floor(SCRATCH_FLOATS / Math.max(1, pixels * width))));
  return {
    info,
    width,
    pixels,
    chunk,
    direct,
    geometry: (n) => windowGeometry(info, n),
  };
}

const nhwcF32 = (attrs: ConvAttrs, ...ts: Array<tf.TensorInfo | undefined>): boolean =>
  attrs.dataFormat !== 'NCHW' && ts.every((t) => t === undefined || t.dtype === 'float32');
const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** out[n·pixels, F] = cols(x) · W (+ out when beta = 1). */
function forward(blas: NativeBlas, p: Plan, X: Float32Array, Wt: Float32Array, Out: Float32Array, beta: number): void {
  const { inHeight: H, inWidth: Wd, inChannels: C, outChannels: F, batchSize } = p.info;
  if (p.pixels === 0 || F === 0) return;
  if (p.direct) {
    blas.sgemm(false, false, batchSize * p.pixels, F, C, 1, X, 0, C, 0, Wt, 0, F, 0, beta, Out, 0, F, 0, 1);
    return;
  }
  for (let n0 = 0; n0 < batchSize; n0 += p.chunk) {
    const n = Math.min(p.chunk, batchSize - n0);
    const cols = scratchOf(n * p.pixels * p.width);
    blas.im2col(X, n0 * H * Wd * C, p.geometry(n), cols, 0);
    blas.sgemm(
      false,
      false,
      n * p.pixels,
      F,
      p.width,
      1,
      cols,
      0,
      p.width,
      0,
      Wt,
      0,
      F,
      0,
      beta,
      Out,
      n0 * p.pixels * F,
      F,
      0,
      1,
    );
  }
}

function conv2dNative(args: Parameters<tf.KernelFunc>[0], fused: boolean): tf.TensorInfo | null {
  const blas = activeBlas();
  if (!blas) return null;
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as ConvAttrs;
  const wasm = backend as WasmBackend;
  const {
    x,
    filter,
    bias,
    preluActivationWeights: prelu,
  } = inputs as Record<string, tf.TensorInfo | undefined> & {
    x: tf.TensorInfo;
    filter: tf.TensorInfo;
  };
  if (!nhwcF32(attrs, x, filter, bias, prelu) || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  if (fused && !supportedActivation(attrs.activation, prelu)) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== info.outChannels)) return null;
  const p = plan(info);
  const out = wasm.makeOutput(info.outShape, 'float32');
  const X = wasm.typedArrayFromHeap(x) as Float32Array;
  const Wt = wasm.typedArrayFromHeap(filter) as Float32Array;
  const Out = wasm.typedArrayFromHeap(out) as Float32Array;
  if (bias) fillRows(Out, wasm.typedArrayFromHeap(bias) as Float32Array, info.batchSize * p.pixels);
  else if (p.width === 0) Out.fill(0);
  if (p.width > 0) forward(blas, p, X, Wt, Out, bias ? 1 : 0);
  return fused ? activate(wasm, out, attrs.activation, prelu, attrs.leakyreluAlpha) : out;
}

export const nativeConv2D: NativeKernel = (args) => conv2dNative(args, false);
export const nativeFusedConv2D: NativeKernel = (args) => conv2dNative(args, true);

/** dx = col2im(dy · Wᵀ), always of the attribute inputShape. */
export const nativeConv2DBackpropInput: NativeKernel = ({ inputs, backend, attrs: raw }) => {
  const blas = activeBlas();
  if (!blas) return null;
  const attrs = raw as unknown as ConvAttrs;
  const wasm = backend as WasmBackend;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  if (!nhwcF32(attrs, dy, filter) || !attrs.inputShape || filter.shape.length !== 4) return null;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  // dy must be what the forward convolution of inputShape yields; otherwise the stock kernel decides
  if (!same(dy.shape, info.outShape)) return null;
  const p = plan(info);
  const { inHeight: H, inWidth: Wd, inChannels: C, outChannels: F, batchSize } = info;
  const out = wasm.makeOutput([...attrs.inputShape], 'float32');
  const Dy = wasm.typedArrayFromHeap(dy) as Float32Array;
  const Wt = wasm.typedArrayFromHeap(filter) as Float32Array;
  const Dx = wasm.typedArrayFromHeap(out) as Float32Array;
  if (p.pixels === 0 || F === 0 || p.width === 0) {
    Dx.fill(0);
    return out;
  }
  if (p.direct) {
    blas.sgemm(false, true, batchSize * p.pixels, C, F, 1, Dy, 0, F, 0, Wt, 0, F, 0, 0, Dx, 0, C, 0, 1);
    return out;
  }
  for (let n0 = 0; n0 < batchSize; n0 += p.chunk) {
    const n = Math.min(p.chunk, batchSize - n0);
    const cols = scratchOf(n * p.pixels * p.width);
    blas.sgemm(
      false,
      true,
      n * p.pixels,
      p.width,
      F,
      1,
      Dy,
      n0 * p.pixels * F,
      F,
      0,
      Wt,
      0,
      F,
      0,
      0,
      cols,
      0,
      p.width,
      0,
      1,
    );
    blas.col2im(cols, 0, p.geometry(n), Dx, n0 * H * Wd * C);
  }
  return out;
};

/** dW[fh·fw·C, F] = Σ colsᵀ · dy. */
export const nativeConv2DBackpropFilter: NativeKernel = ({ inputs, backend, attrs: raw }) => {
  const blas = activeBlas();
  if (!blas) return null;
  const attrs = raw as unknown as ConvAttrs;
  const wasm = backend as WasmBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  if (!nhwcF32(attrs, x, dy) || !attrs.filterShape || x.shape.length !== 4) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (!same(dy.shape, info.outShape)) return null;
  const p = plan(info);
  const { inHeight: H, inWidth: Wd, inChannels: C, outChannels: F, batchSize } = info;
  const out = wasm.makeOutput([...attrs.filterShape], 'float32');
  const X = wasm.typedArrayFromHeap(x) as Float32Array;
  const Dy = wasm.typedArrayFromHeap(dy) as Float32Array;
  const Dw = wasm.typedArrayFromHeap(out) as Float32Array;
  if (p.pixels === 0 || F === 0 || p.width === 0 || batchSize === 0) {
    Dw.fill(0);
    return out;
  }
  if (p.direct) {
    blas.sgemm(true, false, C, F, batchSize * p.pixels, 1, X, 0, C, 0, Dy, 0, F, 0, 0, Dw, 0, F, 0, 1);
    return out;
  }
  for (let n0 = 0; n0 < batchSize; n0 += p.chunk) {
    const n = Math.min(p.chunk, batchSize - n0);
    const cols = scratchOf(n * p.pixels * p.width);
    blas.im2col(X, n0 * H * Wd * C, p.geometry(n), cols, 0);
    blas.sgemm(
      true,
      false,
      p.width,
      F,
      n * p.pixels,
      1,
      cols,
      0,
      p.width,
      0,
      Dy,
      n0 * p.pixels * F,
      F,
      0,
      n0 === 0 ? 0 : 1,
      Dw,
      0,
      F,
      0,
      1,
    );
  }
  return out;
};
