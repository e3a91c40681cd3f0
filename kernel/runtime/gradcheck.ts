/**
 * Gradient checking that is sound in float32 (CS231n's gradient_check.py, with course names).
 *
 * The original uses h = 1e-5 and expects relative errors < 1e-8 in float64. In float32 a loss
 * carries a rounding error of about ε·|f| (ε = 2⁻²⁴ ≈ 6e-8, times how many terms were summed),
 * so a centred difference with h = 1e-5 has an error of ~ε|f|/h ≈ 1e-2 relative: noise. Here:
 *
 * 1. **Step.** Centred differences with a larger step, `h = 1e-3` by default, and the step that
 *    was actually taken: `x⁺ = fround(x + h)`, `x⁻ = fround(x − h)`, `n = (f(x⁺) − f(x⁻)) / (x⁺ − x⁻)`
 *    (float32 rounding of `x ± h` would otherwise be an error of its own). All differences and
 *    quotients are formed in float64 on the host; only `f` runs in float32.
 * 2. **Error measure** (`checkGradient`, `compareGradient`): for each element
 *        err_i = |a_i − n_i| / max(|a_i| + |n_i|,  floor · G,  noise / tolerance)
 *    with `G = max_j max(|a_j|, |n_j|)` (the gradient's scale, `floor = 1e-2` by default: entries a
 *    hundred times smaller than the largest are judged in absolute terms against it) and
 *    `noise = 64·ε·L / (x⁺ − x⁻)` (the centred difference's rounding error with a 64× margin
 *    for sums), where the loss scale `L = max(max|f|, ‖n ⊙ x‖₂)`: the rounding error grows with the
 *    terms a loss sums, which can be far larger than |f| when they cancel. `maxRelError = max_i err_i`; the check passes when `maxRelError ≤ tolerance`
 *    (default `1e-2`). This is CS231n's relError with two absolute floors that keep float32 noise
 *    on near-zero entries from counting as disagreement.
 * 3. **Kinks** (ReLU, the SVM hinge, max): when `x ± h` straddles a kink the centred difference
 *    mixes two slopes, but the one-sided difference on the side away from the kink is exact. So an
 *    entry that fails the centred test is also compared with the forward `(f(x⁺) − f(x))/(x⁺ − x)`
 *    and backward `(f(x) − f(x⁻))/(x − x⁻)` differences and passes if it matches one of them within
 *    the same tolerance; such entries are counted in `kinks`.
 *
 * docs/tensor-core.md has the derivation and the measured table (every correct gradient passes and
 * every wrong one fails, on the cpu and wasm backends, over several seeds).
 */
import { tf } from './tensor';
import { RandomGenerator } from './random';

/** float32 machine epsilon (spacing of floats at 1). */
export const FLOAT32_EPS = 2 ** -23;

/** Default step: large enough that float32 rounding noise is ~1e-4 relative, small enough for curvature. */
export const DEFAULT_H = 1e-3;
/** Default tolerance on `maxRelError` (see the measured table in docs/tensor-core.md). */
export const DEFAULT_TOLERANCE = 1e-2;
/** Entries smaller than this fraction of the largest are compared in absolute terms. */
export const DEFAULT_FLOOR = 1e-2;
/** Margin on ε·|f| for the rounding error of a loss that sums many terms. */
export const NOISE_MULTIPLIER = 64;
/** checkGradient checks every entry up to this many, else this many seeded random entries. */
export const DEFAULT_MAX_CHECKS = 1000;

/** A scalar loss of its argument; a 0-d tensor is read back with dataSync. */
export type LossFn = (x: tf.Tensor) => number | tf.Tensor;
/** Numbers, nested arrays, typed arrays or tensors. */
export type Numeric = number | ArrayLike<number> | NestedNumbers | tf.Tensor;
interface NestedNumbers extends Array<number | NestedNumbers> {}

export class GradientCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GradientCheckError';
  }
}

function toFloat64(v: Numeric, what: string): Float64Array {
  if (v instanceof tf.Tensor) return Float64Array.from(v.dataSync() as ArrayLike<number>);
  if (typeof v === 'number') return Float64Array.of(v);
  if (Array.isArray(v)) return Float64Array.from((v as unknown[]).flat(Infinity) as number[]);
  if (ArrayBuffer.isView(v) || (typeof v === 'object' && v !== null && 'length' in v))
    return Float64Array.from(v as ArrayLike<number>);
  throw new GradientCheckError(`${what}: expected a number, an array or a tf.Tensor, got ${typeof v}`);
}

function checkX(x: tf.Tensor, fn: string): void {
  if (!(x instanceof tf.Tensor)) throw new GradientCheckError(`${fn}: x must be a tf.Tensor, got ${typeof x}`);
  if (x.dtype !== 'float32') throw new GradientCheckError(`${fn}: x must be float32, got ${x.dtype}`);
  if (x.isDisposed) throw new GradientCheckError(`${fn}: x has been disposed`);
}

function evalLoss(f: LossFn, x: tf.Tensor, fn: string): number {
  const v = tf.tidy(() => {
    const r = f(x);
    if (typeof r === 'number') return r;
    if (r instanceof tf.Tensor) {
      if (r.size !== 1)
        throw new GradientCheckError(`${fn}: f must return a scalar loss, got a tensor of shape [${r.shape}]`);
      return r.dataSync()[0];
    }
    throw new GradientCheckError(`${fn}: f must return a number (the loss), got ${typeof r}`);
  });
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new GradientCheckError(`${fn}: f returned ${String(v)}; the loss must be a number`);
  return v;
}

/**
 * CS231n's relative error: `max over elements of |x − y| / max(1e-8, |x| + |y|)`.
 * Accepts numbers, (nested) arrays, typed arrays and tensors of equal size.
 */
export function relError(x: Numeric, y: Numeric): number {
  const a = toFloat64(x, 'relError');
  const b = toFloat64(y, 'relError');
  if (a.length !== b.length) throw new GradientCheckError(`relError: x has ${a.length} elements but y has ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++)
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1e-8, Math.abs(a[i]) + Math.abs(b[i])));
  return m;
}

/** Centred, forward and backward differences of f at x, for some or all flat indices. */
export interface NumericalGradient {
  shape: number[];
  /** Flat indices that were differentiated (all of them unless a subset was asked for). */
  indices: Int32Array;
  /** Centred differences, one per checked index (float64). */
  centred: Float64Array;
  forward: Float64Array;
  backward: Float64Array;
  /** The step actually taken for each index, x⁺ − x⁻ (float32 rounding included). */
  step: Float64Array;
  /** x at the checked indices. */
  values: Float64Array;
  /** f(x) and the largest |f| seen. */
  f0: number;
  fMax: number;
}

export interface NumericalOptions {
  /** Step (default 1e-3). */
  h?: number;
  /** Flat indices to differentiate; all by default. */
  indices?: ArrayLike<number>;
  /** Print each index as it is evaluated (like the original's `verbose`). */
  verbose?: boolean;
}

/** Differentiate a scalar loss numerically, keeping the one-sided differences for kink handling. */
export function numericalGradient(f: LossFn, x: tf.Tensor, opts: NumericalOptions = {}): NumericalGradient {
  checkX(x, 'numericalGradient');
  const h = opts.h ?? DEFAULT_H;
  if (!(h > 0) || !Number.isFinite(h))
    throw new GradientCheckError(`numericalGradient: h must be a positive number, got ${h}`);
  const base = x.dataSync() as Float32Array;
  const work = Float32Array.from(base);
  const shape = [...x.shape];
  const indices = opts.indices ? Int32Array.from(opts.indices) : Int32Array.from({ length: base.length }, (_, i) => i);
  for (const i of indices) {
    if (!(i >= 0 && i < base.length))
      throw new GradientCheckError(`numericalGradient: index ${i} is outside x (size ${base.length})`);
  }
  const at = (data: Float32Array): number => {
    const t = tf.tensor(data, shape, 'float32');
    try {
      return evalLoss(f, t, 'numericalGradient');
    } finally {
      t.dispose();
    }
  };
  const f0 = at(work);
  let fMax = Math.abs(f0);
  const n = indices.length;
  const centred = new Float64Array(n);
  const forward = new Float64Array(n);
  const backward = new Float64Array(n);
  const step = new Float64Array(n);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    const old = base[i];
    values[k] = old;
    const xp = Math.fround(old + h);
    const xm = Math.fround(old - h);
    work[i] = xp;
    const fp = at(work);
    work[i] = xm;
    const fm = at(work);
    work[i] = old;
    fMax = Math.max(fMax, Math.abs(fp), Math.abs(fm));
    step[k] = xp - xm;
    centred[k] = (fp - fm) / (xp - xm);
    forward[k] = (fp - f0) / (xp - old);
    backward[k] = (f0 - fm) / (old - xm);
    if (opts.verbose) process.stdout.write(`${formatIndex(i, shape)} ${centred[k]}\n`);
  }
  return { shape, indices, centred, forward, backward, step, values, f0, fMax };
}

function formatIndex(flat: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `(${idx.join(', ')})`;
}

/**
 * Numerical gradient of a scalar loss `f` at `x` by centred differences (CS231n's
 * `eval_numerical_gradient`). Returns a float32 tensor shaped like x; x itself is not changed.
 */
export function evalNumericalGradient(
  f: LossFn,
  x: tf.Tensor,
  opts: { h?: number; verbose?: boolean } | number = {},
): tf.Tensor {
  const o = typeof opts === 'number' ? { h: opts } : opts;
  const g = numericalGradient(f, x, { h: o.h, verbose: o.verbose });
  return tf.tensor(Float32Array.from(g.centred), g.shape, 'float32');
}

/**
 * Numerical gradient of a tensor-valued `f` at x, contracted with the upstream gradient `df`
 * (CS231n's `eval_numerical_gradient_array`): `grad_i = Σ (f(x + h eᵢ) − f(x − h eᵢ)) ⊙ df / (x⁺ − x⁻)`.
 */
export function evalNumericalGradientArray(
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  df: Numeric,
  h: number = DEFAULT_H,
): tf.Tensor {
  checkX(x, 'evalNumericalGradientArray');
  const dout = toFloat64(df, 'evalNumericalGradientArray');
  const base = x.dataSync() as Float32Array;
  const work = Float32Array.from(base);
  const out = new Float32Array(base.length);
  const outAt = (data: Float32Array): Float64Array => {
    const t = tf.tensor(data, x.shape, 'float32');
    try {
      const vals = tf.tidy(() => {
        const y = f(t);
        if (!(y instanceof tf.Tensor))
          throw new GradientCheckError('evalNumericalGradientArray: f must return a tf.Tensor');
        return y.dataSync();
      });
      if (vals.length !== dout.length) {
        throw new GradientCheckError(
          `evalNumericalGradientArray: f(x) has ${vals.length} elements but df has ${dout.length}`,
        );
      }
      return Float64Array.from(vals as ArrayLike<number>);
    } finally {
      t.dispose();
    }
  };
  for (let i = 0; i < base.length; i++) {
    const old = base[i];
    const xp = Math.fround(old + h);
    const xm = Math.fround(old - h);
    work[i] = xp;
    const pos = outAt(work);
    work[i] = xm;
    const neg = outAt(work);
    work[i] = old;
    let s = 0;
    for (let j = 0; j < dout.length; j++) s += (pos[j] - neg[j]) * dout[j];
    out[i] = s / (xp - xm);
  }
  return tf.tensor(out, x.shape, 'float32');
}

export interface GradCheckSparseOptions {
  h?: number;
  /** Seed of the private stream that picks the entries (default 0; the global stream is untouched). */
  seed?: number;
  /** Print one line per check like the original (default true). */
  verbose?: boolean;
}

/**
 * Check `numChecks` random entries (CS231n's `grad_check_sparse`): prints
 * `numerical: … analytic: …, relative error: …` per entry and returns the relative errors.
 * Entries are drawn from a private stream seeded with `opts.seed` (default 0), so the check is
 * reproducible and leaves the global `seed()` stream alone (the original used Python's `random`,
 * not numpy's). In float32 these per-entry errors are typically 1e-7…1e-3 for a correct
 * gradient; use `checkGradient` for a verdict.
 */
export function gradCheckSparse(
  f: LossFn,
  x: tf.Tensor,
  analyticGrad: Numeric,
  numChecks = 10,
  hOrOpts: number | GradCheckSparseOptions = {},
): number[] {
  checkX(x, 'gradCheckSparse');
  const o = typeof hOrOpts === 'number' ? { h: hOrOpts } : hOrOpts;
  const a = toFloat64(analyticGrad, 'gradCheckSparse');
  if (a.length !== x.size)
    throw new GradientCheckError(`gradCheckSparse: analyticGrad has ${a.length} elements but x has ${x.size}`);
  const rng = new RandomGenerator(o.seed ?? 0);
  const picks = Array.from({ length: numChecks }, () => rng.randintNumber(0, x.size));
  const g = numericalGradient(f, x, { h: o.h, indices: picks });
  const errors: number[] = [];
  for (let k = 0; k < picks.length; k++) {
    const num = g.centred[k];
    const ana = a[picks[k]];
    const err = Math.abs(num - ana) / Math.max(1e-8, Math.abs(num) + Math.abs(ana));
    errors.push(err);
    if (o.verbose !== false) {
      process.stdout.write(
        `numerical: ${num.toFixed(6)} analytic: ${ana.toFixed(6)}, relative error: ${err.toExponential(6)}\n`,
      );
    }
  }
  return errors;
}

export interface CompareOptions {
  /** Pass when maxRelError ≤ tolerance (default 1e-2). */
  tolerance?: number;
  /** Fraction of the largest entry below which entries are compared absolutely (default 1e-3). */
  floor?: number;
  /** Accept entries that match a one-sided difference (kinks; default true). */
  kinks?: boolean;
  /** Rounding noise of f assumed as this many ε·max|f| (default 64; raise it for losses that sum very many terms). */
  noiseMultiplier?: number;
}

export interface CheckOptions extends CompareOptions {
  h?: number;
  /** At most this many entries are checked (seeded random subset beyond it; default 1000). */
  maxChecks?: number;
  /** Seed of the subset choice (default 0). */
  seed?: number;
  /** Print the verdict line. */
  verbose?: boolean;
}

export interface GradientVerdict {
  maxRelError: number;
  tolerance: number;
  passed: boolean;
  /** Entries compared, and how many passed only through a one-sided difference (kinks). */
  checked: number;
  kinks: number;
  /** Flat index of the worst entry with its analytic and numerical values. */
  worst: { index: number; analytic: number; numerical: number };
  /** The absolute noise level assumed for the numerical gradient. */
  noise: number;
}

/** The verdict for an analytic gradient against a precomputed numerical one (see the rule above). */
export function compareGradient(
  num: NumericalGradient,
  analyticGrad: Numeric,
  opts: CompareOptions = {},
): GradientVerdict {
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const floor = opts.floor ?? DEFAULT_FLOOR;
  const useKinks = opts.kinks ?? true;
  const noiseMultiplier = opts.noiseMultiplier ?? NOISE_MULTIPLIER;
  const size = num.shape.reduce((p, q) => p * q, 1);
  const a = toFloat64(analyticGrad, 'checkGradient');
  if (analyticGrad instanceof tf.Tensor && analyticGrad.shape.join() !== num.shape.join()) {
    throw new GradientCheckError(
      `checkGradient: analyticGrad has shape [${analyticGrad.shape}] but x has shape [${num.shape}]`,
    );
  }
  if (a.length !== size)
    throw new GradientCheckError(`checkGradient: analyticGrad has ${a.length} elements but x has ${size}`);
  const n = num.indices.length;
  let G = 0;
  let activity = 0;
  for (let k = 0; k < n; k++) {
    G = Math.max(G, Math.abs(a[num.indices[k]]), Math.abs(num.centred[k]));
    activity += (num.centred[k] * num.values[k]) ** 2;
  }
  // The loss's rounding error scales with the size of the terms it sums, which can be far larger
  // than |f| when they cancel; ‖n ⊙ x‖₂ (first-order contributions of x, extrapolated to all of
  // x when only a subset was checked) measures them from the numbers we already have.
  const lossScale = Math.max(num.fMax, n ? Math.sqrt((activity * size) / n) : 0);
  let maxRelError = 0;
  let kinks = 0;
  let noise = 0;
  let worst = { index: num.indices[0] ?? 0, analytic: NaN, numerical: NaN };
  const errAgainst = (ai: number, ni: number, scaleFloor: number): number =>
    Math.abs(ai - ni) / Math.max(Math.abs(ai) + Math.abs(ni), scaleFloor);
  for (let k = 0; k < num.indices.length; k++) {
    const i = num.indices[k];
    const ai = a[i];
    const ni = num.centred[k];
    const noiseK = (noiseMultiplier * FLOAT32_EPS * lossScale) / num.step[k];
    noise = Math.max(noise, noiseK);
    const scaleFloor = Math.max(floor * G, noiseK / tolerance, 1e-30);
    let err = errAgainst(ai, ni, scaleFloor);
    if (!Number.isFinite(ai)) err = Infinity;
    // A kink shows as one-sided slopes that disagree with each other beyond the tolerance (on a
    // smooth f they differ by only h·|f''|); then the side away from the kink is exact.
    const fw = num.forward[k];
    const bw = num.backward[k];
    const kinked = Math.abs(fw - bw) > tolerance * Math.max(Math.abs(fw) + Math.abs(bw), 2 * scaleFloor);
    if (useKinks && kinked) {
      // one-sided differences have twice the rounding noise of the centred one
      const sided = Math.min(errAgainst(ai, fw, 2 * scaleFloor), errAgainst(ai, bw, 2 * scaleFloor));
      if (sided < err) {
        if (err > tolerance && sided <= tolerance) kinks++;
        err = sided;
      }
    }
    if (Number.isNaN(err)) err = Infinity;
    if (k === 0 || err > maxRelError) {
      maxRelError = Math.max(maxRelError, err);
      worst = { index: i, analytic: ai, numerical: ni };
    }
  }
  return { maxRelError, tolerance, passed: maxRelError <= tolerance, checked: num.indices.length, kinks, worst, noise };
}

/**
 * One verdict for an analytic gradient: `{ maxRelError, tolerance, passed }` (plus diagnostics).
 * `f` is a scalar loss of x (e.g. `(W) => svmLossVectorized(W, X, y, reg)[0]`), `analyticGrad`
 * the gradient to judge (tensor or array shaped like x). Checks every entry of x up to
 * `maxChecks` (default 1000), otherwise a seeded random subset of that many. Synchronous; x is
 * not changed and no tensors are left behind.
 */
export function checkGradient(
  f: LossFn,
  x: tf.Tensor,
  analyticGrad: Numeric,
  opts: CheckOptions = {},
): GradientVerdict {
  checkX(x, 'checkGradient');
  const maxChecks = opts.maxChecks ?? DEFAULT_MAX_CHECKS;
  let indices: Int32Array | undefined;
  if (x.size > maxChecks) {
    indices = new RandomGenerator(opts.seed ?? 0).choice(x.size, maxChecks, { replace: false });
    indices.sort();
  }
  const num = numericalGradient(f, x, { h: opts.h, indices });
  const v = compareGradient(num, analyticGrad, opts);
  if (opts.verbose) {
    const mark = v.passed ? '✓' : '✗';
    process.stdout.write(
      `${mark} gradient check: max relative error ${v.maxRelError.toExponential(2)} ${v.passed ? '≤' : '>'} tolerance ${v.tolerance.toExponential(0)}` +
        ` (${v.checked} entries${v.kinks ? `, ${v.kinks} at kinks` : ''})` +
        (v.passed
          ? ''
          : `; worst at ${formatIndex(v.worst.index, num.shape)}: analytic ${v.worst.analytic}, numerical ${v.worst.numerical}`) +
        '\n',
    );
  }
  return v;
}
