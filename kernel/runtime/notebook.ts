/**
 * Helpers that the assignments' notebooks share: running a step that may need unwritten student
 * code, accuracy, timing, log-uniform sampling for hyperparameter searches, and gradient checks of
 * a layer or a whole net that print one line per check.
 */
import { tf } from './tensor';
import { record } from './record';
import { isNotImplementedError } from './errors';
import { checkGradient } from './gradcheck';
import { randomUniformNumber } from './random';

/**
 * Runs one step; when it needs code the student has not written yet (a `NotImplementedError`),
 * prints `skipped: <reason>` instead of failing and records each graded id in `ids` as not
 * implemented, so the notebook runs on and the grader names the missing function. Any other
 * error propagates.
 */
export function tryStep<T>(fn: () => T, ids: readonly string[] = []): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!isNotImplementedError(e)) throw e;
    console.log(`skipped: ${e.message}`);
    for (const id of ids)
      record(id, () => {
        throw e;
      });
    return undefined;
  }
}

/** Fraction of predictions equal to the labels (both tensors of shape [N], usually int32). */
export function accuracy(pred: tf.Tensor, y: tf.Tensor): number {
  if (pred.size !== y.size)
    throw new Error(`accuracy: pred has ${pred.size} entries but y has ${y.size}; pass one prediction per label`);
  return tf.tidy(() => tf.equal(pred, y).cast('float32').mean().dataSync()[0]);
}

/** Milliseconds that one call of `fn` takes (wall clock). */
export function timeIt(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** 10^u with u uniform in [lo, hi): a learning rate or regularisation strength on a log scale. */
export function logUniform(lo: number, hi: number): number {
  return 10 ** randomUniformNumber(lo, hi);
}

/**
 * Gradient check of a layer's backward pass: the numerical gradient of Σ f(x)·dout (a scalar
 * whose gradient with respect to x is exactly what backward computes) against `analytic`. Prints
 * one line with the error and returns whether the check passed.
 */
export function checkLayer(
  name: string,
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  dout: tf.Tensor,
  analytic: tf.Tensor,
): boolean {
  const loss = (v: tf.Tensor) => tf.tidy(() => f(v).mul(dout).sum().dataSync()[0]);
  const result = checkGradient(loss, x, analytic);
  const error = result.maxRelError.toExponential(2);
  console.log(
    `${name}: max relative error ${error} (tolerance ${result.tolerance.toExponential(0)}) ${result.passed ? '✓' : '✗'}`,
  );
  return result.passed;
}

/** What `checkNet` needs of a model: its parameters by name and `loss(X, y) → [loss, grads]`. */
export interface CheckableNet {
  params: Record<string, tf.Tensor>;
  loss(X: tf.Tensor, y: tf.Tensor): [number, Record<string, tf.Tensor>];
}

/** Options of `checkNet`. */
export interface CheckNetOptions {
  /**
   * Entries checked per parameter: all of a parameter with at most this many, otherwise a seeded
   * random subset of this size (`checkGradient`'s `maxChecks`, default 1000). Each entry costs two
   * or three evaluations of the net's loss, so quick runs check fewer.
   */
  maxChecks?: number;
}

/**
 * Gradient check of every parameter of a net on the net's own loss: prints one line per
 * parameter and returns whether all passed. The net's parameters are swapped in and restored.
 */
export function checkNet(net: CheckableNet, X: tf.Tensor, y: tf.Tensor, options: CheckNetOptions = {}): boolean {
  const [, grads] = net.loss(X, y);
  const passed = Object.keys(net.params).map((name) => {
    const original = net.params[name];
    const f = (p: tf.Tensor) => {
      net.params[name] = p;
      try {
        const [loss, g] = net.loss(X, y);
        tf.dispose(Object.values(g));
        return loss;
      } finally {
        net.params[name] = original;
      }
    };
    const result = checkGradient(f, original, grads[name], { maxChecks: options.maxChecks });
    console.log(`${name}: max relative error ${result.maxRelError.toExponential(2)} ${result.passed ? '✓' : '✗'}`);
    return result.passed;
  });
  tf.dispose(Object.values(grads));
  return passed.every((p) => p);
}
