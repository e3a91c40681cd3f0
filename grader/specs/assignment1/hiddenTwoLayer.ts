/**
 * Hidden tests of the two-layer net: scores, loss and gradients on unseen parameters and inputs
 * (reg = 0, reg > 0, a class with no example in the batch), a few seeded SGD steps, and predict().
 */
import type { HiddenTest, HiddenContext } from '../../hidden';

type Nn = typeof import('../../../solutions/assignment1/cs231n/classifiers/neuralNet');
type Net = InstanceType<Nn['TwoLayerNet']>;

const D = 8,
  H = 6,
  C = 4;

/** A net whose parameters come from the hidden generator (biases non-zero, so b1/b2 matter). */
function makeNet(ctx: HiddenContext): Net {
  const { TwoLayerNet } = ctx.load<Nn>('cs231n/classifiers/neuralNet');
  const net = new TwoLayerNet(D, H, C, 1e-1);
  net.dispose();
  net.params = {
    W1: ctx.rng.randn([D, H]).mul(0.5),
    b1: ctx.rng.randn([H]).mul(0.1),
    W2: ctx.rng.randn([H, C]).mul(0.5),
    b2: ctx.rng.randn([C]).mul(0.1),
  };
  return net;
}

export const tests: HiddenTest[] = [
  {
    id: 'twolayer.hidden_scores',
    run(ctx) {
      const net = makeNet(ctx);
      return net.loss(ctx.rng.randn([9, D]));
    },
  },
  {
    id: 'twolayer.hidden_loss',
    run(ctx) {
      const { tf } = ctx.runtime;
      const net = makeNet(ctx);
      const X = ctx.rng.randn([11, D]);
      const y = tf.cast(ctx.rng.randint(0, C, [11]), 'int32');
      const yNoLast = tf.cast(ctx.rng.randint(0, C - 1, [11]), 'int32');
      const out: Record<string, unknown> = {};
      for (const [name, labels, reg] of [
        ['reg0', y, 0],
        ['reg', y, 0.3],
        ['emptyClass', yNoLast, 0.01],
      ] as const) {
        const [loss, grads] = net.loss(X, labels, reg);
        out[`${name}_loss`] = loss;
        for (const p of ['W1', 'b1', 'W2', 'b2'] as const) out[`${name}_${p}`] = grads[p];
      }
      return out;
    },
  },
  {
    id: 'twolayer.hidden_train',
    run(ctx) {
      const { tf } = ctx.runtime;
      const net = makeNet(ctx);
      const X = ctx.rng.randn([30, D]);
      const y = tf.cast(ctx.rng.randint(0, C, [30]), 'int32');
      ctx.runtime.seed(ctx.seed);
      const stats = net.train(X, y, X, y, {
        learningRate: 0.05,
        learningRateDecay: 0.9,
        reg: 1e-3,
        numIters: 10,
        batchSize: 10,
      });
      return { lossHistory: stats.lossHistory, W1: net.params.W1, b2: net.params.b2 };
    },
  },
  {
    id: 'twolayer.hidden_predict',
    run(ctx) {
      const net = makeNet(ctx);
      return Array.from(net.predict(ctx.rng.randn([20, D])).dataSync());
    },
  },
];
