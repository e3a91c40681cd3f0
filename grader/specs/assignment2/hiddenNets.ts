/**
 * Hidden tests of the nets: TwoLayerNet and FullyConnectedNet (plain, with batchnorm, with seeded
 * dropout) on unseen parameters and inputs, loss and every gradient, and test-mode scores.
 */
import type { HiddenTest, HiddenContext } from '../../hidden';

type FcNet = typeof import('../../../solutions/assignment2/cs231n/classifiers/fcNet');
type Tensor = ReturnType<HiddenContext['rng']['randn']>;

/** Unseen parameters for a net with layer sizes `dims` (gammas/betas with batchnorm). */
function params(ctx: HiddenContext, dims: number[], bn: boolean): Record<string, Tensor> {
  const p: Record<string, Tensor> = {};
  for (let l = 1; l < dims.length; l++) {
    p[`W${l}`] = ctx.rng.randn([dims[l - 1], dims[l]]).mul(0.4);
    p[`b${l}`] = ctx.rng.randn([dims[l]]).mul(0.1);
    if (bn && l < dims.length - 1) {
      p[`gamma${l}`] = ctx.rng.randn([dims[l]]).mul(0.2).add(1);
      p[`beta${l}`] = ctx.rng.randn([dims[l]]).mul(0.2);
    }
  }
  return p;
}

export const tests: HiddenTest[] = [
  {
    id: 'fc.hidden_nets',
    run(ctx) {
      const { tf } = ctx.runtime;
      const { TwoLayerNet, FullyConnectedNet } = ctx.load<FcNet>('cs231n/classifiers/fcNet');
      const X = ctx.rng.randn([8, 2, 3]);
      const y = tf.cast(ctx.rng.randint(0, 4, [8]), 'int32');
      const out: Record<string, unknown> = {};

      const two = new TwoLayerNet({ inputDim: 6, hiddenDim: 7, numClasses: 4 });
      two.dispose();
      two.params = params(ctx, [6, 7, 4], false);
      two.reg = 0.3;
      out.two_scores = two.loss(X);
      const [twoLoss, twoGrads] = two.loss(X, y);
      Object.assign(
        out,
        { two_loss: twoLoss },
        Object.fromEntries(Object.entries(twoGrads).map(([k, v]) => [`two_${k}`, v])),
      );

      for (const [name, opts] of [
        ['plain', { reg: 0.2 }],
        ['bn', { normalization: 'batchnorm' as const, reg: 0.05 }],
        ['dropout', { dropout: 0.6, seed: 17 }],
      ] as const) {
        const dims = [6, 5, 7, 4];
        const net = new FullyConnectedNet([5, 7], { inputDim: 6, numClasses: 4, ...opts });
        net.dispose();
        net.params = params(ctx, dims, name === 'bn');
        const [loss, grads] = net.loss(X, y);
        out[`${name}_loss`] = loss;
        for (const [k, v] of Object.entries(grads)) out[`${name}_${k}`] = v;
        out[`${name}_scores`] = net.loss(X);
      }
      return out;
    },
  },
];
