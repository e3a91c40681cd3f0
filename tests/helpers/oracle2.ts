/** Reads assignment 2's float64 oracle (tests/fixtures/assignment2/oracle.json, made by make_oracle.py). */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../kernel/runtime';

/** An array as the oracle stores it. */
export interface OracleArray {
  shape: number[];
  data: number[];
}

type A = OracleArray;

export interface AffineCase {
  x: A;
  w: A;
  b: A;
  dout: A;
  out: A;
  dx: A;
  dw: A;
  db: A;
}
export interface LossCase {
  x: A;
  y: number[];
  loss: number;
  dx: A;
}
export interface BnStep {
  x: A;
  dout: A;
  out: A;
  dx: A;
  dgamma: A;
  dbeta: A;
  runningMean: A;
  runningVar: A;
}
export interface NetCase {
  hiddenDims: number[];
  inputDim: number;
  numClasses: number;
  reg: number;
  X: A;
  y: number[];
  params: Record<string, A>;
  trainScores: A;
  loss: number;
  grads: Record<string, A>;
  runningMean?: A[];
  runningVar?: A[];
}

/** What make_oracle.py writes. */
export interface Oracle {
  affine_rank4: AffineCase;
  affine_rank2: AffineCase;
  relu: { x: A; dout: A; out: A; dx: A };
  svm_loss: LossCase;
  softmax_loss: LossCase;
  batchnorm: {
    gamma: A;
    beta: A;
    runningMean0: A;
    runningVar0: A;
    steps: BnStep[];
    xTest: A;
    outTest: A;
    xTestOne: A;
    outTestOne: A;
  };
  dropout: { x: A; u: A; p: number; dout: A; out: A; dx: A };
  optim: {
    w: A;
    dw: A;
    state: A;
    adamM: A;
    adamV: A;
    sgdMomentum: { learningRate: number; nextW: A; velocity: A };
    rmsprop: { learningRate: number; nextW: A; cache: A };
    adam: { learningRate: number; t0: number; nextW: A; m: A; v: A; t: number };
    adamFirst: { learningRate: number; nextW: A; m: A; v: A; t: number };
  };
  twoLayerNet: {
    X: A;
    y: number[];
    params: Record<string, A>;
    cases: { reg: number; scores: A; loss: number; grads: Record<string, A> }[];
  };
  fcNet: NetCase;
  fcNetBn: NetCase;
  public: { affineForward: A; reluForward: A };
}

let cached: Oracle | null = null;

/** The whole oracle file, parsed once. */
export function oracle(): Oracle {
  if (!cached)
    cached = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'assignment2', 'oracle.json'), 'utf8'),
    ) as Oracle;
  return cached;
}

/** Float32 tensors of a record of oracle arrays. */
export function tensors(r: Record<string, OracleArray>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(r)) out[k] = t(v);
  return out;
}

/** A float32 tensor of an oracle array (the inputs are float32-exact). */
export function t(a: OracleArray): tf.Tensor {
  return tf.tensor(a.data, a.shape, 'float32');
}

/** int32 labels. */
export function labels(y: number[]): tf.Tensor1D {
  return tf.tensor1d(y, 'int32');
}

/**
 * Largest absolute difference scaled by the expected array's largest magnitude (float64 on the
 * host): the error relative to the array's scale, so near-zero entries do not dominate. With
 * `floor`, the scale is at least `floor` (floor 1 makes it an absolute error for tiny arrays).
 */
export function scaledError(actual: tf.Tensor | number, expected: OracleArray | number, floor = 0): number {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual.dataSync());
  const e = typeof expected === 'number' ? [expected] : expected.data;
  if (a.length !== e.length) throw new Error(`scaledError: ${a.length} values vs ${e.length} expected`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < e.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - e[i]));
    scale = Math.max(scale, Math.abs(e[i]));
  }
  return diff / Math.max(scale, floor, 1e-30);
}
