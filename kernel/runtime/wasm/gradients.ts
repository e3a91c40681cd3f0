/**
 * The gradients of Sum and Mean on wasm, without a tensor of ones built in JavaScript.
 *
 * tfjs's own gradients of both reductions multiply dy (reshaped to keep the reduced axes) by
 * `tf.ones(x.shape)`: a typed array filled one element at a time in JavaScript, then copied onto
 * the heap, on every backward pass. For `tf.sum(tf.square(W1))` of the two-layer net's 3072×100
 * W1 that is 307,200 ones per step. Here the reshaped dy is broadcast instead (Tile, ./tile.ts:
 * one row, then copies of what is written). dy·1 = dy exactly, and Mean divides the reshaped dy
 * by the count before broadcasting rather than after, element for element the same division: the
 * gradients are bit for bit tfjs's. Other backends, and a dy that is not float32, keep tfjs's.
 */
import * as tf from '@tensorflow/tfjs';

type GradFunc = tf.GradConfig['gradFunc'];

function reductionGrad(stock: GradFunc, mean: boolean): GradFunc {
  return (dy, saved, attrs) => {
    const g = dy as tf.Tensor;
    if (tf.getBackend() !== 'wasm' || g.dtype !== 'float32') return stock(dy, saved, attrs);
    const [x] = saved;
    const { axis } = attrs as unknown as { axis: number | number[] };
    const axes = tf.util.parseAxisParam(axis, x.shape);
    // dy with a 1 at each reduced axis, so that it broadcasts against x
    const kept = x.shape.slice();
    for (const a of axes) kept[a] = 1;
    const count = axes.reduce((p, a) => p * x.shape[a], 1);
    return {
      x: () => {
        const d = tf.reshape(g, kept);
        return tf.broadcastTo(mean ? tf.div(d, count) : d, x.shape);
      },
    };
  };
}

/**
 * Register the Sum and Mean gradients above over tfjs's. The gradient registry is shared by all
 * backends, hence the backend test inside; registerWasmFixes calls this once.
 */
export function registerReductionGradients(): void {
  for (const [name, mean] of [
    [tf.Sum, false],
    [tf.Mean, true],
  ] as const) {
    const config = tf.getGradient(name);
    if (!config) throw new Error(`tfjs registers no ${name} gradient; is @tensorflow/tfjs 4.22 installed?`);
    tf.registerGradient({ ...config, gradFunc: reductionGrad(config.gradFunc, mean) });
  }
}
