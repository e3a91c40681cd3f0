/**
 * Hidden tests of the layers on inputs the student never saw: affine (a rank-4 input), ReLU, the
 * two losses, batch normalization (three train steps, running averages, test mode on a batch of
 * one, both backward passes) and dropout (p = 1, test mode, a seeded mask and its backward).
 */
import type { HiddenTest } from '../../hidden';
import type { BnParam } from '../../../solutions/assignment2/cs231n/layers';

type Layers = typeof import('../../../solutions/assignment2/cs231n/layers');

export const tests: HiddenTest[] = [
  {
    id: 'fc.hidden_layers',
    run(ctx) {
      const { tf } = ctx.runtime;
      const L = ctx.load<Layers>('cs231n/layers');
      const x = ctx.rng.randn([3, 2, 3, 2]);
      const w = ctx.rng.randn([12, 5]).mul(0.5);
      const b = ctx.rng.randn([5]);
      const dout = ctx.rng.randn([3, 5]);
      const [out, cache] = L.affineForward(x, w, b);
      const [dx, dw, db] = L.affineBackward(dout, cache);
      const xr = ctx.rng.randn([6, 4]);
      const [reluOut, reluCache] = L.reluForward(xr);
      const reluDx = L.reluBackward(ctx.rng.randn([6, 4]), reluCache);
      const scores = ctx.rng.randn([7, 4]).mul(2);
      const y = tf.cast(ctx.rng.randint(0, 3, [7]), 'int32'); // class 3 has no example
      const [svm, dsvm] = L.svmLoss(scores, y);
      const [softmax, dsoftmax] = L.softmaxLoss(scores, y);
      return { out, dx, dw, db, reluOut, reluDx, svm, dsvm, softmax, dsoftmax };
    },
  },
  {
    id: 'bn.hidden_batchnorm',
    run(ctx) {
      const L = ctx.load<Layers>('cs231n/layers');
      const D = 6;
      const gamma = ctx.rng.randn([D]).mul(0.3).add(1);
      const beta = ctx.rng.randn([D]);
      const bnParam: BnParam = { mode: 'train', momentum: 0.8 };
      const out: Record<string, unknown> = {};
      for (let step = 0; step < 3; step++) {
        const x = ctx.rng.randn([9, D]).mul(4).add(3);
        const dout = ctx.rng.randn([9, D]);
        const [o, cache] = L.batchnormForward(x, gamma, beta, bnParam);
        out[`out${step}`] = o;
        // batchnormForward frees the running statistics it replaces: keep copies.
        out[`runningMean${step}`] = bnParam.runningMean?.clone();
        out[`runningVar${step}`] = bnParam.runningVar?.clone();
        if (step === 0) {
          const [dx, dgamma, dbeta] = L.batchnormBackward(dout, cache);
          const [dxAlt, dgammaAlt, dbetaAlt] = L.batchnormBackwardAlt(dout, cache);
          Object.assign(out, { dx, dgamma, dbeta, dxAlt, dgammaAlt, dbetaAlt });
        }
      }
      bnParam.mode = 'test';
      out.testOne = L.batchnormForward(ctx.rng.randn([1, D]).mul(4).add(3), gamma, beta, bnParam)[0];
      return out;
    },
  },
  {
    id: 'dropout.hidden_dropout',
    run(ctx) {
      const L = ctx.load<Layers>('cs231n/layers');
      const x = ctx.rng.randn([12, 9]).add(2);
      const dout = ctx.rng.randn([12, 9]);
      const seed = ctx.rng.randintNumber(0, 1_000_000);
      const [keepAll] = L.dropoutForward(x, { p: 1, mode: 'train', seed });
      const [test, testCache] = L.dropoutForward(x, { p: 0.3, mode: 'test' });
      const [masked, cache] = L.dropoutForward(x, { p: 0.45, mode: 'train', seed });
      return { keepAll, test, testDx: L.dropoutBackward(dout, testCache), masked, dx: L.dropoutBackward(dout, cache) };
    },
  },
];
