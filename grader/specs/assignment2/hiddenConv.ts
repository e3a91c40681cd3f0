/**
 * Hidden tests of the convolutional part: naive conv and max-pool forward and backward on unseen
 * shapes (stride 1 and 2, pad 0–2, non-square inputs and filters, overlapping pool windows, tied
 * maxima), spatial batchnorm in train and test mode with its backward pass, and the
 * ThreeLayerConvNet's initialization, scores, loss and gradients for given parameters.
 */
import type { HiddenTest, HiddenContext } from '../../hidden';
import type { Tensor } from '@tensorflow/tfjs';

type ConvLayers = typeof import('../../../solutions/assignment2/cs231n/layers');
type Cnn = typeof import('../../../solutions/assignment2/cs231n/classifiers/cnn');
type BnParam = import('../../../solutions/assignment2/cs231n/layers').BnParam;

/** (N, C, H, W, F, HH, WW, stride, pad): every output size an integer. */
const CONV_SHAPES: Array<[number, number, number, number, number, number, number, number, number]> = [
  [2, 3, 6, 6, 2, 3, 3, 1, 1],
  [2, 2, 7, 9, 3, 3, 5, 2, 2],
  [1, 3, 8, 6, 4, 2, 2, 2, 0],
  [3, 1, 5, 8, 2, 1, 4, 1, 0],
  [2, 2, 9, 7, 3, 5, 3, 2, 1],
];

/** (N, C, H, W, poolHeight, poolWidth, stride). */
const POOL_SHAPES: Array<[number, number, number, number, number, number, number]> = [
  [2, 3, 6, 8, 2, 2, 2],
  [2, 2, 7, 7, 3, 3, 2],
  [1, 2, 5, 6, 2, 3, 1],
];

interface ConvCase {
  /** Names the case in the feedback, e.g. `stride2_pad2_x7x9_w3x5`. */
  name: string;
  x: Tensor;
  w: Tensor;
  b: Tensor;
  dout: Tensor;
  convParam: { stride: number; pad: number };
}

function convCases(ctx: HiddenContext): ConvCase[] {
  return CONV_SHAPES.map(([N, C, H, W, F, HH, WW, stride, pad]) => {
    const Ho = 1 + (H + 2 * pad - HH) / stride;
    const Wo = 1 + (W + 2 * pad - WW) / stride;
    const name = `stride${stride}_pad${pad}_x${H}x${W}_w${HH}x${WW}`;
    return {
      name,
      x: ctx.rng.randn([N, C, H, W]),
      w: ctx.rng.randn([F, C, HH, WW]),
      b: ctx.rng.randn([F]),
      dout: ctx.rng.randn([N, F, Ho, Wo]),
      convParam: { stride, pad },
    };
  });
}

function poolCases(ctx: HiddenContext): Array<{
  name: string;
  x: Tensor;
  dout: Tensor;
  poolParam: { poolHeight: number; poolWidth: number; stride: number };
}> {
  const { tf } = ctx.runtime;
  return POOL_SHAPES.map(([N, C, H, W, ph, pw, stride], i) => {
    const name = `pool${ph}x${pw}_stride${stride}_x${H}x${W}${i === 0 ? '_ties' : ''}`;
    let x = ctx.rng.randn([N, C, H, W]);
    // the first case gets windows of zeros (as after a ReLU): the gradient goes to the first position
    if (i === 0) x = tf.relu(x.sub(1));
    const dout = ctx.rng.randn([N, C, 1 + (H - ph) / stride, 1 + (W - pw) / stride]);
    return { name, x, dout, poolParam: { poolHeight: ph, poolWidth: pw, stride } };
  });
}

/** A small net whose parameters come from the hidden generator (biases non-zero, so they matter). */
function makeNet(ctx: HiddenContext) {
  const { ThreeLayerConvNet } = ctx.load<Cnn>('cs231n/classifiers/cnn');
  const net = new ThreeLayerConvNet({ inputDim: [2, 6, 8], numFilters: 3, filterSize: 3, hiddenDim: 5, numClasses: 4 });
  net.dispose();
  net.params = {
    W1: ctx.rng.randn([3, 2, 3, 3]).mul(0.4),
    b1: ctx.rng.randn([3]).mul(0.1),
    W2: ctx.rng.randn([3 * 3 * 4, 5]).mul(0.3),
    b2: ctx.rng.randn([5]).mul(0.1),
    W3: ctx.rng.randn([5, 4]).mul(0.4),
    b3: ctx.rng.randn([4]).mul(0.1),
  };
  return net;
}

export const tests: HiddenTest[] = [
  {
    id: 'convnet.hidden_conv_forward',
    run(ctx) {
      const { convForwardNaive } = ctx.load<ConvLayers>('cs231n/layers');
      return Object.fromEntries(convCases(ctx).map((c) => [c.name, convForwardNaive(c.x, c.w, c.b, c.convParam)[0]]));
    },
  },
  {
    id: 'convnet.hidden_conv_backward',
    run(ctx) {
      const { convForwardNaive, convBackwardNaive } = ctx.load<ConvLayers>('cs231n/layers');
      const out: Record<string, Tensor> = {};
      for (const c of convCases(ctx)) {
        const [, cache] = convForwardNaive(c.x, c.w, c.b, c.convParam);
        const [dx, dw, db] = convBackwardNaive(c.dout, cache);
        Object.assign(out, { [`${c.name}_dx`]: dx, [`${c.name}_dw`]: dw, [`${c.name}_db`]: db });
      }
      return out;
    },
  },
  {
    id: 'convnet.hidden_pool_forward',
    run(ctx) {
      const { maxPoolForwardNaive } = ctx.load<ConvLayers>('cs231n/layers');
      return Object.fromEntries(poolCases(ctx).map((c) => [c.name, maxPoolForwardNaive(c.x, c.poolParam)[0]]));
    },
  },
  {
    id: 'convnet.hidden_pool_backward',
    run(ctx) {
      const { maxPoolForwardNaive, maxPoolBackwardNaive } = ctx.load<ConvLayers>('cs231n/layers');
      return Object.fromEntries(
        poolCases(ctx).map((c) => [c.name, maxPoolBackwardNaive(c.dout, maxPoolForwardNaive(c.x, c.poolParam)[1])]),
      );
    },
  },
  {
    id: 'convnet.hidden_spatial_batchnorm',
    run(ctx) {
      const { spatialBatchnormForward, spatialBatchnormBackward } = ctx.load<ConvLayers>('cs231n/layers');
      const C = 4;
      const gamma = ctx.rng.randn([C]).mul(0.5).add(1);
      const beta = ctx.rng.randn([C]);
      const bnParam: BnParam = { mode: 'train', momentum: 0.8 };
      const out: Record<string, unknown> = {};
      for (let step = 0; step < 2; step++) {
        const x = ctx.rng.randn([3, C, 4, 5]).mul(3).add(6);
        const [y, cache] = spatialBatchnormForward(x, gamma, beta, bnParam);
        const [dx, dgamma, dbeta] = spatialBatchnormBackward(ctx.rng.randn([3, C, 4, 5]), cache);
        Object.assign(out, {
          [`out${step}`]: y,
          [`dx${step}`]: dx,
          [`dgamma${step}`]: dgamma,
          [`dbeta${step}`]: dbeta,
        });
      }
      out.runningMean = bnParam.runningMean;
      out.runningVar = bnParam.runningVar;
      bnParam.mode = 'test';
      // a batch of one image in test mode
      out.test = spatialBatchnormForward(ctx.rng.randn([1, C, 4, 5]).mul(3).add(6), gamma, beta, bnParam)[0];
      return out;
    },
  },
  {
    id: 'convnet.hidden_cnn_init',
    run(ctx) {
      const { tf } = ctx.runtime;
      const { ThreeLayerConvNet } = ctx.load<Cnn>('cs231n/classifiers/cnn');
      ctx.runtime.seed(ctx.seed);
      const net = new ThreeLayerConvNet({
        inputDim: [3, 10, 12],
        numFilters: 6,
        filterSize: 5,
        hiddenDim: 40,
        numClasses: 7,
        weightScale: 0.05,
      });
      const out: Record<string, unknown> = {};
      for (const k of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']) {
        const p = net.params[k];
        out[`${k}_shape`] = p ? p.shape : null;
        // the scale of the weights (0.05) and zero biases; not the draws themselves
        out[`${k}_std`] = p ? tf.moments(p).variance.sqrt().dataSync()[0] : null;
      }
      return out;
    },
  },
  {
    id: 'convnet.hidden_cnn_loss',
    run(ctx) {
      const { tf } = ctx.runtime;
      const net = makeNet(ctx);
      const X = ctx.rng.randn([5, 2, 6, 8]);
      const y = tf.cast(ctx.rng.randint(0, 4, [5]), 'int32');
      const out: Record<string, unknown> = { scores: net.loss(X) };
      for (const [name, reg] of [
        ['reg0', 0],
        ['reg', 0.4],
      ] as const) {
        net.reg = reg;
        const [loss, grads] = net.loss(X, y);
        out[`${name}_loss`] = loss;
        for (const p of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']) out[`${name}_${p}`] = grads[p] ?? null;
      }
      return out;
    },
  },
];
