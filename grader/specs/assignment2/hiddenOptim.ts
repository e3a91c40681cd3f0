/** Hidden tests of the update rules: three consecutive steps of each, with unseen hyperparameters. */
import type { HiddenTest } from '../../hidden';
import type { OptimConfig } from '../../../solutions/assignment2/cs231n/optim';

type Optim = typeof import('../../../solutions/assignment2/cs231n/optim');

export const tests: HiddenTest[] = [
  {
    id: 'fc.hidden_optim',
    run(ctx) {
      const O = ctx.load<Optim>('cs231n/optim');
      const w0 = ctx.rng.randn([5, 3]);
      const grads = [ctx.rng.randn([5, 3]), ctx.rng.randn([5, 3]), ctx.rng.randn([5, 3])];
      const configs = {
        sgdMomentum: { learningRate: 0.05, momentum: 0.8 },
        rmsprop: { learningRate: 0.01, decayRate: 0.9 },
        adam: { learningRate: 0.02, beta1: 0.8, beta2: 0.99 },
      } as const;
      const out: Record<string, unknown> = {};
      for (const rule of ['sgdMomentum', 'rmsprop', 'adam'] as const) {
        let w = w0;
        let config: OptimConfig = { ...configs[rule] };
        for (const dw of grads) [w, config] = O[rule](w, dw, config);
        out[`${rule}_w`] = w;
        out[`${rule}_state`] = config[rule === 'sgdMomentum' ? 'velocity' : rule === 'rmsprop' ? 'cache' : 'v'];
        if (rule === 'adam') out.adam_t = config.t;
      }
      return out;
    },
  },
];
