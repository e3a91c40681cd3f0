/**
 * Seeded randomness that does not depend on the backend: numpy.random's role in CS231n.
 *
 * Every number is drawn on the host (in JavaScript) and only then uploaded with `tf.tensor`, so
 * the same seed gives bit-identical tensors on the cpu, wasm and tensorflow backends and in every
 * process. Graded values depend on this.
 *
 * Algorithm (documented so that anyone can re-implement it and get the same numbers):
 * - Generator: **xoshiro128\*\*** (Blackman & Vigna 2018), 128-bit state of four uint32 words
 *   `[s0, s1, s2, s3]`; output `rotl(s1·5, 7)·9` (mod 2³²), then the usual xorshift update.
 * - Seeding: `seed(n)` (n a non-negative safe integer) runs **splitmix64** from state `n` and takes
 *   two outputs `a`, `b`: `s0 = low32(a), s1 = high32(a), s2 = low32(b), s3 = high32(b)`.
 * - Default: a process that never calls `seed()` behaves as if it called **`seed(0)`**.
 * - Float32 uniforms in [0, 1): `(u32 >>> 8) · 2⁻²⁴` (24 bits, exact in float32, never 1).
 * - Float64 uniforms in [0, 1): two draws `a, b`: `((a >>> 5)·2²⁶ + (b >>> 6)) · 2⁻⁵³`.
 * - Normals: **Box–Muller** (basic form) in float64: `u1 = 1 − U53` (in (0, 1]), `u2 = U53`,
 *   `r = √(−2 ln u1)`, `z0 = r cos(2π u2)`, `z1 = r sin(2π u2)`; a tensor is filled with
 *   `z0, z1, z0, z1, …`, the last `z1` of an odd-length fill is dropped, and each value is
 *   `mean + std·z` rounded once to float32. V8's Math.log/cos/sin are fdlibm ports, identical on
 *   every platform.
 * - Integers in [low, high): unbiased rejection: with `r = high − low`, draw `u32` until
 *   `u32 < 2³² − (2³² mod r)`, return `low + u32 mod r`.
 * - `permutation`/`shuffle`: Fisher–Yates from the last index down (`j = randint(0, i + 1)`),
 *   like numpy's `shuffle`. `choice` without replacement: partial Fisher–Yates from the front.
 *
 * The module-level functions share one global generator (kept on globalThis so every copy of this
 * module, the notebook's and an assignment module's, draws from the same stream). `new
 * RandomGenerator(seed)` gives an independent stream, like `np.random.RandomState(seed)`.
 */
import { tf } from './tensor';

/** The seed a process uses until `seed()` is called. */
export const DEFAULT_SEED = 0;

export type RandomShape = number | number[];

/** A generator's full state; JSON-serialisable, restore with `setState`. */
export interface RandomState {
  algorithm: 'xoshiro128**';
  state: [number, number, number, number];
}

export interface NormalOptions {
  mean?: number;
  std?: number;
}

export interface ChoiceOptions {
  /** Sample with replacement (numpy's default). */
  replace?: boolean;
  /** Probabilities of 0..n−1 (length n, non-negative, summing to 1); only with replacement. */
  p?: ArrayLike<number>;
}

/** Anything `shuffle` reorders along its first axis. */
export type Shuffleable =
  | unknown[]
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

const TWO_32 = 4294967296;
const TWO_M24 = 1 / 16777216;
const TWO_M53 = 1 / 9007199254740992;
const MASK64 = (1n << 64n) - 1n;

function splitmix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

function checkSeed(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`seed: expected a non-negative integer up to 2^53 − 1, got ${String(n)}`);
  }
}

function toShape(shape: RandomShape, fn: string): number[] {
  const dims = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(
      `${fn}: shape must be a non-negative integer or an array of them, got ${JSON.stringify(shape)}`,
    );
  }
  return [...dims];
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkIntRange(low: number, high: number, fn: string, maxSpan = TWO_32): void {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new RangeError(`${fn}: low and high must be integers, got low=${low}, high=${high}`);
  }
  if (high <= low)
    throw new RangeError(`${fn}: need low < high (the range is [low, high)), got low=${low}, high=${high}`);
  if (high - low > maxSpan) throw new RangeError(`${fn}: high − low must be at most 2^32, got ${high - low}`);
}

/** A seeded xoshiro128** stream; the module-level functions use one shared instance. */
export class RandomGenerator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seedValue: number = DEFAULT_SEED) {
    this.seed(seedValue);
  }

  /** Restart the stream from `n` (a non-negative integer). */
  seed(n: number): void {
    checkSeed(n);
    const [st1, a] = splitmix64(BigInt(n));
    const [, b] = splitmix64(st1);
    this.s0 = Number(a & 0xffffffffn);
    this.s1 = Number(a >> 32n);
    this.s2 = Number(b & 0xffffffffn);
    this.s3 = Number(b >> 32n);
  }

  getState(): RandomState {
    return { algorithm: 'xoshiro128**', state: [this.s0, this.s1, this.s2, this.s3] };
  }

  setState(st: RandomState): void {
    const s = st?.state;
    if (
      st?.algorithm !== 'xoshiro128**' ||
      !Array.isArray(s) ||
      s.length !== 4 ||
      s.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_32) ||
      s.every((w) => w === 0)
    ) {
      throw new TypeError(
        'setState: expected an object returned by getState() (xoshiro128** with four uint32 words, not all 0)',
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = s;
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits: exactly representable in float32. */
  nextFloat32(): number {
    return (this.nextUint32() >>> 8) * TWO_M24;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat64(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * TWO_M53;
  }

  /** An unbiased integer in [low, high). */
  randintNumber(low: number, high: number): number {
    checkIntRange(low, high, 'randintNumber');
    return this.intBelow(high - low) + low;
  }

  private intBelow(r: number): number {
    if (r === TWO_32) return this.nextUint32();
    const limit = TWO_32 - (TWO_32 % r);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % r;
    }
  }

  /** One uniform float64 in [low, high). */
  randomUniformNumber(low = 0, high = 1): number {
    return low + (high - low) * this.nextFloat64();
  }

  /** One normal float64 (Box–Muller's cosine branch; the sine value is dropped). */
  randomNormalNumber(mean = 0, std = 1): number {
    const u1 = 1 - this.nextFloat64();
    const u2 = this.nextFloat64();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fill `out` with N(mean, std²) values by Box–Muller pairs (rounded to the array's type). */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - this.nextFloat64();
      const u2 = this.nextFloat64();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      out[i] = mean + std * r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(theta);
    }
  }

  /** Standard normal float32 tensor (numpy's `randn`); `{mean, std}` shift and scale it. */
  randn(shape: RandomShape, opts: NormalOptions = {}): tf.Tensor {
    const dims = toShape(shape, 'randn');
    const { mean = 0, std = 1 } = opts;
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new RangeError(`randn: mean must be finite and std finite and ≥ 0, got mean=${mean}, std=${std}`);
    }
    const data = new Float32Array(sizeOf(dims));
    this.fillNormal(data, mean, std);
    return tf.tensor(data, dims, 'float32');
  }

  /** Uniform float32 tensor in [0, 1) (numpy's `rand`). */
  rand(shape: RandomShape): tf.Tensor {
    const dims = toShape(shape, 'rand');
    const data = new Float32Array(sizeOf(dims));
    for (let i = 0; i < data.length; i++) data[i] = this.nextFloat32();
    return tf.tensor(data, dims, 'float32');
  }

  /** Uniform float32 tensor in [low, high) (float32 rounding can reach `high`, as in numpy). */
  uniform(low: number, high: number, shape: RandomShape): tf.Tensor {
    const dims = toShape(shape, 'uniform');
    if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) {
      throw new RangeError(`uniform: need finite low ≤ high, got low=${low}, high=${high}`);
    }
    const data = new Float32Array(sizeOf(dims));
    for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * this.nextFloat64();
    return tf.tensor(data, dims, 'float32');
  }

  /** int32 tensor of integers in [low, high) (numpy's `randint`). */
  randint(low: number, high: number, shape: RandomShape): tf.Tensor {
    const dims = toShape(shape, 'randint');
    checkIntRange(low, high, 'randint');
    if (low < -2147483648 || high > 2147483648) {
      throw new RangeError(`randint: an int32 tensor needs −2^31 ≤ low < high ≤ 2^31, got low=${low}, high=${high}`);
    }
    const data = new Int32Array(sizeOf(dims));
    const r = high - low;
    for (let i = 0; i < data.length; i++) data[i] = this.intBelow(r) + low;
    return tf.tensor(data, dims, 'int32');
  }

  /** A random ordering of 0..n−1 (numpy's `permutation(n)`), as an Int32Array. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 2147483647) {
      throw new RangeError(`permutation: n must be a non-negative integer, got ${String(n)}`);
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /**
   * `size` indices drawn from 0..n−1 (numpy's `choice(n, size, replace, p)`), as an Int32Array.
   * With replacement (the default) each is an independent `randint(0, n)`, or an inverse-CDF
   * draw when `p` is given; without replacement they are distinct.
   */
  choice(n: number, size: number, opts: ChoiceOptions = {}): Int32Array {
    const { replace = true, p } = opts;
    if (!Number.isInteger(n) || n <= 0 || n > 2147483647)
      throw new RangeError(`choice: n must be a positive integer, got ${String(n)}`);
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`choice: size must be a non-negative integer, got ${String(size)}`);
    const out = new Int32Array(size);
    if (p !== undefined) {
      if (!replace) throw new RangeError('choice: probabilities p are only supported with replace: true');
      const cdf = cumulative(p, n);
      for (let i = 0; i < size; i++) out[i] = searchCdf(cdf, this.nextFloat64());
      return out;
    }
    if (replace) {
      for (let i = 0; i < size; i++) out[i] = this.intBelow(n);
      return out;
    }
    if (size > n)
      throw new RangeError(`choice: cannot take size=${size} distinct values from n=${n} without replacement`);
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < size; i++) {
      const j = i + this.intBelow(n - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      out[i] = pool[i];
    }
    return out;
  }

  /**
   * Shuffle along the first axis. Arrays and typed arrays are shuffled **in place** (like numpy)
   * and returned; a tensor cannot change, so a new shuffled tensor is returned (dispose the old
   * one yourself if you no longer need it).
   */
  shuffle<T extends Shuffleable | tf.Tensor>(x: T): T {
    if (x instanceof tf.Tensor) {
      if (x.rank === 0) throw new RangeError('shuffle: a scalar tensor has no axis 0 to shuffle');
      const perm = this.permutation(x.shape[0]);
      return tf.tidy(() => tf.gather(x, tf.tensor1d(perm, 'int32'))) as T;
    }
    if (!Array.isArray(x) && !ArrayBuffer.isView(x)) {
      throw new TypeError('shuffle: expected an array, a typed array or a tf.Tensor');
    }
    const a = x as unknown as { length: number; [i: number]: unknown };
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.intBelow(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return x;
  }
}

function cumulative(p: ArrayLike<number>, n: number): Float64Array {
  if (p.length !== n) throw new RangeError(`choice: p must have n=${n} entries, got ${p.length}`);
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!(p[i] >= 0) || !Number.isFinite(p[i]))
      throw new RangeError(`choice: p[${i}] = ${p[i]} is not a non-negative number`);
    sum += p[i];
    cdf[i] = sum;
  }
  if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`choice: probabilities p must sum to 1, got ${sum}`);
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return cdf;
}

/** The first index whose cumulative probability exceeds u (skipping zero-probability entries). */
function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const GLOBAL_KEY = Symbol.for('ts231n.random.global');
type Holder = { [GLOBAL_KEY]?: RandomGenerator };

/** The stream the module-level functions draw from (shared by every copy of this module). */
export function globalGenerator(): RandomGenerator {
  const g = globalThis as Holder;
  if (!g[GLOBAL_KEY]) g[GLOBAL_KEY] = new RandomGenerator(DEFAULT_SEED);
  return g[GLOBAL_KEY];
}

/** Restart the global stream from `n` (numpy's `np.random.seed(n)`). */
export function seed(n: number): void {
  globalGenerator().seed(n);
}

/** The global stream's state (restore with `setState`). */
export function getState(): RandomState {
  return globalGenerator().getState();
}

export function setState(state: RandomState): void {
  globalGenerator().setState(state);
}

/** Standard normal float32 tensor of `shape` (numpy's `randn`); `{mean, std}` shift and scale. */
export function randn(shape: RandomShape, opts?: NormalOptions): tf.Tensor {
  return globalGenerator().randn(shape, opts);
}

/** Uniform float32 tensor in [0, 1) of `shape` (numpy's `rand`). */
export function rand(shape: RandomShape): tf.Tensor {
  return globalGenerator().rand(shape);
}

/** Uniform float32 tensor in [low, high); e.g. `tf.pow(10, uniform(-5, -3, [n]))` for a log-scale search. */
export function uniform(low: number, high: number, shape: RandomShape): tf.Tensor {
  return globalGenerator().uniform(low, high, shape);
}

/** int32 tensor of integers in [low, high) (numpy's `randint`). */
export function randint(low: number, high: number, shape: RandomShape): tf.Tensor {
  return globalGenerator().randint(low, high, shape);
}

/** A random ordering of 0..n−1 as an Int32Array (usable directly as `tf.gather` indices). */
export function permutation(n: number): Int32Array {
  return globalGenerator().permutation(n);
}

/** `size` indices from 0..n−1, with replacement by default (numpy's `choice`), as an Int32Array. */
export function choice(n: number, size: number, opts?: ChoiceOptions): Int32Array {
  return globalGenerator().choice(n, size, opts);
}

/** Shuffle along axis 0: arrays in place (and returned), tensors into a new tensor. */
export function shuffle<T extends Shuffleable | tf.Tensor>(x: T): T {
  return globalGenerator().shuffle(x);
}

/** One uniform JS number in [low, high) from the global stream. */
export function randomUniformNumber(low = 0, high = 1): number {
  return globalGenerator().randomUniformNumber(low, high);
}

/** One normal JS number from the global stream. */
export function randomNormalNumber(mean = 0, std = 1): number {
  return globalGenerator().randomNormalNumber(mean, std);
}

/** One integer in [low, high) from the global stream (Python's `random.randrange(low, high)`). */
export function randintNumber(low: number, high: number): number {
  return globalGenerator().randintNumber(low, high);
}
