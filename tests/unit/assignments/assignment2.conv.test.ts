/**
 * Assignment 2's convolutional layers and ThreeLayerConvNet against float64 values computed with
 * explicit loops in tests/fixtures/assignment2/make_conv_oracle.py (inputs float32-exact), against
 * numeric gradients (the runtime's checkGradient), and naive against fast.
 *
 * Errors are `scaledError` = max|actual − expected| / max|expected| (float64 on the host). Bounds
 * from measurements over this file's oracle cases (the largest seen on wasm / cpu in brackets):
 * - naive layers (float64 accumulation, one rounding): ≤ 1e-6 [conv 5.0e-8, pool 3.3e-8 both].
 * - fast layers (float32 kernels, sums of up to C·HH·WW terms): ≤ 5e-6 [4.3e-7 / 9.5e-8].
 * - spatial batchnorm (float32 means over N·H·W, inputs 10 ± 4): ≤ 1e-5 [4.1e-7 / 1.1e-7].
 * - the ConvNet's scores, loss and gradients (float32 throughout): ≤ 1e-5 [2.9e-7 / 1.4e-7].
 */
import { tf, ready, seed, randn, randintNumber, checkGradient } from '../../../kernel/runtime';
import {
  convForwardNaive,
  convBackwardNaive,
  maxPoolForwardNaive,
  maxPoolBackwardNaive,
  spatialBatchnormForward,
  spatialBatchnormBackward,
} from '../../../solutions/assignment2/cs231n/layers';
import {
  convForwardFast,
  convBackwardFast,
  maxPoolForwardFast,
  maxPoolBackwardFast,
} from '../../../solutions/assignment2/cs231n/fastLayers';
import {
  convReluForward,
  convReluBackward,
  convReluPoolForward,
  convReluPoolBackward,
  convBnReluForward,
  convBnReluBackward,
} from '../../../solutions/assignment2/cs231n/layerUtils';
import { ThreeLayerConvNet } from '../../../solutions/assignment2/cs231n/classifiers/cnn';
import type { BnParam } from '../../../solutions/assignment2/cs231n/layers';
import { convOracle } from '../../helpers/convOracle';
import { t, labels, scaledError } from '../../helpers/oracle2';

const NAIVE = 1e-6;
const FAST = 5e-6;
const BN = 1e-5;
const NET = 1e-5;

beforeAll(async () => {
  await ready();
});

/** max|a − b| / max|b| between two tensors of the same shape. */
function tensorError(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return scaledError(a, { shape: b.shape, data: Array.from(b.dataSync()) });
}

describe('convolution, naive and fast', () => {
  it("naive conv forward equals the course's given check (linspace inputs, stride 2, pad 1)", () => {
    const g = convOracle().convGiven;
    const [out] = convForwardNaive(t(g.x), t(g.w), t(g.b), { stride: g.stride, pad: g.pad });
    expect(out.shape).toEqual(g.out.shape);
    expect(scaledError(out, g.out)).toBeLessThan(NAIVE);
  });

  it.each(convOracle().conv.map((c, i) => [i, c.x.shape.join('×'), c.w.shape.join('×'), c.stride, c.pad, c] as const))(
    'case %i: x %s, w %s, stride %i, pad %i: naive and fast forward and backward equal the float64 loops',
    (_i, _x, _w, stride, pad, c) => {
      const x = t(c.x);
      const w = t(c.w);
      const b = t(c.b);
      const dout = t(c.dout);
      const [outN, cacheN] = convForwardNaive(x, w, b, { stride, pad });
      const [outF, cacheF] = convForwardFast(x, w, b, { stride, pad });
      expect(outN.shape).toEqual(c.out.shape);
      expect(outF.shape).toEqual(c.out.shape);
      expect(scaledError(outN, c.out)).toBeLessThan(NAIVE);
      expect(scaledError(outF, c.out)).toBeLessThan(FAST);
      const gradsN = convBackwardNaive(dout, cacheN);
      const gradsF = convBackwardFast(dout, cacheF);
      [c.dx, c.dw, c.db].forEach((expected, k) => {
        expect(gradsN[k].shape).toEqual(expected.shape);
        expect(scaledError(gradsN[k], expected)).toBeLessThan(NAIVE);
        expect(scaledError(gradsF[k], expected)).toBeLessThan(FAST);
      });
    },
  );

  it('naive and fast agree on seeded random shapes (stride 1 and 2, pad 0/1/2, non-square inputs and filters)', () => {
    seed(11);
    let worst = 0;
    for (let trial = 0; trial < 12; trial++) {
      const r = (lo: number, hi: number): number => randintNumber(lo, hi + 1);
      const stride = 1 + (trial % 2);
      const pad = trial % 3;
      const HH = r(1, 4);
      const WW = r(1, 4);
      // choose H, W so that the windows tile the padded input exactly
      const H = HH - 2 * pad + stride * r(Math.max(0, Math.ceil((2 * pad - HH + 1) / stride)) + 1, 5);
      const W = WW - 2 * pad + stride * r(Math.max(0, Math.ceil((2 * pad - WW + 1) / stride)) + 1, 5);
      const x = randn([r(1, 3), r(1, 3), H, W]);
      const w = randn([r(1, 4), x.shape[1] as number, HH, WW]);
      const b = randn([w.shape[0]]);
      const [outN, cN] = convForwardNaive(x, w, b, { stride, pad });
      const [outF, cF] = convForwardFast(x, w, b, { stride, pad });
      worst = Math.max(worst, tensorError(outF, outN));
      const dout = randn(outN.shape);
      const gN = convBackwardNaive(dout, cN);
      const gF = convBackwardFast(dout, cF);
      for (let k = 0; k < 3; k++) worst = Math.max(worst, tensorError(gF[k], gN[k]));
      tf.dispose([x, w, b, outN, outF, dout, ...gN, ...gF]);
    }
    expect(worst).toBeLessThan(FAST);
  });

  it('a shape whose output size is not an integer is rejected with the formula and a way forward', () => {
    const x = tf.zeros([1, 1, 5, 5]);
    const w = tf.zeros([2, 1, 2, 2]);
    const b = tf.zeros([2]);
    for (const fn of [convForwardNaive, convForwardFast]) {
      expect(() => fn(x, w, b, { stride: 2, pad: 0 })).toThrow(
        /1 \+ \(height 5 \+ 2·pad 0 − window 2\) \/ stride 2 = 2\.5 is not an integer; choose pad or stride/,
      );
      expect(() => fn(x, w, b, { stride: 0, pad: 0 })).toThrow(
        /convParam must be \{ stride: integer ≥ 1, pad: integer ≥ 0 \}/,
      );
      expect(() => fn(x, tf.zeros([2, 3, 2, 2]), b, { stride: 1, pad: 0 })).toThrow(
        /x \(N, C, H, W\), w \(F, C, HH, WW\) and b \(F,\) expected/,
      );
      expect(() => fn(x, tf.zeros([1, 1, 9, 9]), tf.zeros([1]), { stride: 1, pad: 1 })).toThrow(
        /window \(9\) is larger than the padded input/,
      );
    }
  });

  it('naive conv gradients pass the numeric gradient check (stride 2, pad 1, non-square filter)', () => {
    seed(3);
    const x = randn([2, 3, 7, 5]);
    const w = randn([3, 3, 3, 1]);
    const b = randn([3]);
    const convParam = { stride: 2, pad: 1 };
    const [out, cache] = convForwardNaive(x, w, b, convParam);
    const dout = randn(out.shape);
    const [dx, dw, db] = convBackwardNaive(dout, cache);
    const loss = (o: tf.Tensor): number => tf.tidy(() => o.mul(dout).sum().dataSync()[0]);
    expect(checkGradient((v) => loss(convForwardNaive(v, w, b, convParam)[0]), x, dx).passed).toBe(true);
    expect(checkGradient((v) => loss(convForwardNaive(x, v, b, convParam)[0]), w, dw).passed).toBe(true);
    expect(checkGradient((v) => loss(convForwardNaive(x, w, v, convParam)[0]), b, db).passed).toBe(true);
    // and a gradient that is wrong at one filter is caught
    expect(checkGradient((v) => loss(convForwardNaive(x, v, b, convParam)[0]), w, dw.mul(1.05)).passed).toBe(false);
  });
});

describe('max pooling, naive and fast', () => {
  it("naive max-pool forward equals the course's given check", () => {
    const g = convOracle().poolGiven;
    const [out] = maxPoolForwardNaive(t(g.x), { poolHeight: g.poolHeight, poolWidth: g.poolWidth, stride: g.stride });
    expect(scaledError(out, g.out)).toBeLessThan(NAIVE);
  });

  it.each(convOracle().pool.map((c, i) => [i, c.x.shape.join('×'), c.poolHeight, c.poolWidth, c.stride, c] as const))(
    'case %i: x %s, %i×%i windows, stride %i: naive and fast equal the float64 loops (ties go to the first maximum)',
    (_i, _x, poolHeight, poolWidth, stride, c) => {
      const x = t(c.x);
      const dout = t(c.dout);
      const pp = { poolHeight, poolWidth, stride };
      const [outN, cacheN] = maxPoolForwardNaive(x, pp);
      const [outF, cacheF] = maxPoolForwardFast(x, pp);
      expect(scaledError(outN, c.out)).toBeLessThan(NAIVE);
      expect(scaledError(outF, c.out)).toBeLessThan(NAIVE);
      expect(scaledError(maxPoolBackwardNaive(dout, cacheN), c.dx)).toBeLessThan(NAIVE);
      expect(scaledError(maxPoolBackwardFast(dout, cacheF), c.dx)).toBeLessThan(NAIVE);
    },
  );

  it('naive max-pool backward passes the numeric gradient check; a window that does not tile is rejected', () => {
    seed(4);
    const x = randn([2, 3, 6, 8]);
    const pp = { poolHeight: 2, poolWidth: 4, stride: 2 };
    const [out, cache] = maxPoolForwardNaive(x, pp);
    const dout = randn(out.shape);
    const dx = maxPoolBackwardNaive(dout, cache);
    const loss = (v: tf.Tensor): number => tf.tidy(() => maxPoolForwardNaive(v, pp)[0].mul(dout).sum().dataSync()[0]);
    expect(checkGradient(loss, x, dx).passed).toBe(true);
    expect(() => maxPoolForwardNaive(x, { poolHeight: 3, poolWidth: 2, stride: 2 })).toThrow(
      /height 6 \+ 2·pad 0 − window 3\) \/ stride 2 = 2\.5 is not an integer/,
    );
    expect(() => maxPoolForwardFast(x, { poolHeight: 2, poolWidth: 2, stride: 0 })).toThrow(
      /poolParam must be \{ poolHeight, poolWidth, stride \}/,
    );
  });
});

describe('spatial batch normalization', () => {
  it('train mode equals float64 per-channel normalization over N, H, W, with running averages; test mode uses them', () => {
    const o = convOracle().spatialBatchnorm;
    const gamma = t(o.gamma);
    const beta = t(o.beta);
    const bnParam: BnParam = { mode: 'train' };
    for (const step of o.steps) {
      const [out, cache] = spatialBatchnormForward(t(step.x), gamma, beta, bnParam);
      expect(out.shape).toEqual(step.x.shape);
      expect(scaledError(out, step.out)).toBeLessThan(BN);
      expect(scaledError(bnParam.runningMean as tf.Tensor, step.runningMean)).toBeLessThan(BN);
      expect(scaledError(bnParam.runningVar as tf.Tensor, step.runningVar)).toBeLessThan(BN);
      const [dx, dgamma, dbeta] = spatialBatchnormBackward(t(step.dout), cache);
      expect(scaledError(dx, step.dx)).toBeLessThan(BN);
      expect(scaledError(dgamma, step.dgamma)).toBeLessThan(BN);
      expect(scaledError(dbeta, step.dbeta)).toBeLessThan(BN);
    }
    bnParam.mode = 'test';
    const [outTest, cacheTest] = spatialBatchnormForward(t(o.xTest), gamma, beta, bnParam);
    expect(scaledError(outTest, o.outTest)).toBeLessThan(BN);
    expect(cacheTest).toBeNull();
  });

  it('after the layer each channel has mean ≈ beta and std ≈ gamma; gradients pass the numeric check', () => {
    seed(5);
    const x = randn([4, 3, 5, 5]).mul(3).add(7);
    const gamma = tf.tensor1d([1, 2, 3]);
    const beta = tf.tensor1d([0, -1, 4]);
    const [out] = spatialBatchnormForward(x, gamma, beta, { mode: 'train' });
    const { mean, variance } = tf.moments(out, [0, 2, 3]);
    Array.from(mean.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0, -1, 4][i], 4));
    Array.from(variance.sqrt().dataSync()).forEach((v, i) => expect(v).toBeCloseTo([1, 2, 3][i], 3));

    const xs = randn([2, 3, 4, 5]);
    const g = randn([3]);
    const bt = randn([3]);
    const [o2, cache] = spatialBatchnormForward(xs, g, bt, { mode: 'train' });
    const dout = randn(o2.shape);
    const [dx, dgamma, dbeta] = spatialBatchnormBackward(dout, cache);
    const loss = (a: tf.Tensor, ga: tf.Tensor, be: tf.Tensor): number =>
      tf.tidy(() => spatialBatchnormForward(a, ga, be, { mode: 'train' })[0].mul(dout).sum().dataSync()[0]);
    expect(checkGradient((v) => loss(v, g, bt), xs, dx).passed).toBe(true);
    expect(checkGradient((v) => loss(xs, v, bt), g, dgamma).passed).toBe(true);
    expect(checkGradient((v) => loss(xs, g, v), bt, dbeta).passed).toBe(true);
  });
});

describe('sandwich layers', () => {
  it('conv-relu, conv-relu-pool and conv-bn-relu equal the layers composed by hand (naive)', () => {
    seed(6);
    const x = randn([2, 3, 8, 6]);
    const w = randn([4, 3, 3, 3]);
    const b = randn([4]);
    const cp = { stride: 1, pad: 1 };
    const pp = { poolHeight: 2, poolWidth: 2, stride: 2 };
    const [a] = convForwardNaive(x, w, b, cp);
    const relu = a.relu();
    const dout = randn(relu.shape);

    const [out1, cache1] = convReluForward(x, w, b, cp);
    expect(tensorError(out1, relu)).toBeLessThan(FAST);
    const [dx1, dw1, db1] = convReluBackward(dout, cache1);
    const [ex1, ew1, eb1] = convBackwardNaive(dout.mul(a.greater(0).cast('float32')), convForwardNaive(x, w, b, cp)[1]);
    expect(Math.max(tensorError(dx1, ex1), tensorError(dw1, ew1), tensorError(db1, eb1))).toBeLessThan(FAST);

    const [pooled, poolCache] = maxPoolForwardNaive(relu, pp);
    const doutP = randn(pooled.shape);
    const [out2, cache2] = convReluPoolForward(x, w, b, cp, pp);
    expect(tensorError(out2, pooled)).toBeLessThan(FAST);
    const dRelu = maxPoolBackwardNaive(doutP, poolCache).mul(a.greater(0).cast('float32'));
    const [ex2, ew2, eb2] = convBackwardNaive(dRelu, convForwardNaive(x, w, b, cp)[1]);
    const [dx2, dw2, db2] = convReluPoolBackward(doutP, cache2);
    expect(Math.max(tensorError(dx2, ex2), tensorError(dw2, ew2), tensorError(db2, eb2))).toBeLessThan(FAST);

    const gamma = randn([4]);
    const beta = randn([4]);
    const [bnOut, bnCache] = spatialBatchnormForward(a, gamma, beta, { mode: 'train' });
    const [out3, cache3] = convBnReluForward(x, w, b, gamma, beta, cp, { mode: 'train' });
    expect(tensorError(out3, bnOut.relu())).toBeLessThan(BN);
    const [dbn, eg, ebt] = spatialBatchnormBackward(dout.mul(bnOut.greater(0).cast('float32')), bnCache);
    const [ex3, ew3, eb3] = convBackwardNaive(dbn, convForwardNaive(x, w, b, cp)[1]);
    const got = convBnReluBackward(dout, cache3);
    [ex3, ew3, eg, ebt].forEach((e, k) => expect(tensorError(got[[0, 1, 3, 4][k]], e)).toBeLessThan(BN));
    // batchnorm cancels the conv bias, so db is zero up to rounding (judged against dw's scale)
    const dwScale = ew3.abs().max().dataSync()[0];
    expect(got[2].abs().max().dataSync()[0] / dwScale).toBeLessThan(BN);
    expect(eb3.abs().max().dataSync()[0] / dwScale).toBeLessThan(BN);
  });
});

describe('ThreeLayerConvNet', () => {
  it('scores, loss and gradients for given parameters equal the float64 net, with and without reg', () => {
    const o = convOracle().convNet;
    const net = new ThreeLayerConvNet({
      inputDim: o.inputDim,
      numFilters: o.numFilters,
      filterSize: o.filterSize,
      hiddenDim: o.hiddenDim,
      numClasses: o.numClasses,
    });
    net.dispose();
    for (const c of o.cases) {
      net.params = Object.fromEntries(Object.entries(o.params).map(([k, v]) => [k, t(v)]));
      net.reg = c.reg;
      const scores = net.loss(t(o.X));
      expect(scaledError(scores, c.scores)).toBeLessThan(NET);
      const [loss, grads] = net.loss(t(o.X), labels(o.y));
      expect(Math.abs(loss - c.loss) / c.loss).toBeLessThan(NET);
      expect(Object.keys(grads).sort()).toEqual(Object.keys(c.grads).sort());
      for (const [k, g] of Object.entries(c.grads)) {
        expect(grads[k].shape).toEqual(g.shape);
        expect(scaledError(grads[k], g)).toBeLessThan(NET);
      }
    }
    expect(o.cases[1].loss).toBeGreaterThan(o.cases[0].loss);
  });

  it('initializes weightScale·randn weights and zero biases of the right shapes; loss at init ≈ ln 10, rising with reg', () => {
    seed(7);
    const net = new ThreeLayerConvNet({
      inputDim: [1, 28, 28],
      numFilters: 8,
      filterSize: 5,
      hiddenDim: 20,
      weightScale: 1e-2,
    });
    const shapes = Object.fromEntries(Object.entries(net.params).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({ W1: [8, 1, 5, 5], b1: [8], W2: [8 * 14 * 14, 20], b2: [20], W3: [20, 10], b3: [10] });
    for (const k of ['b1', 'b2', 'b3']) expect(net.params[k].abs().max().dataSync()[0]).toBe(0);
    const std = tf.moments(net.params.W2).variance.sqrt().dataSync()[0];
    expect(std).toBeGreaterThan(0.0095);
    expect(std).toBeLessThan(0.0105);
    const X = randn([10, 1, 28, 28]);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'int32');
    const [loss0] = net.loss(X, y);
    expect(Math.abs(loss0 - Math.log(10))).toBeLessThan(0.05);
    net.reg = 0.5;
    const [loss1] = net.loss(X, y);
    expect(loss1).toBeGreaterThan(loss0);
  });

  it('gradients of a tiny net pass the numeric gradient check with reg', () => {
    seed(8);
    const net = new ThreeLayerConvNet({
      inputDim: [2, 6, 6],
      numFilters: 3,
      filterSize: 3,
      hiddenDim: 5,
      numClasses: 4,
      weightScale: 0.3,
      reg: 0.1,
    });
    const X = randn([3, 2, 6, 6]);
    const y = tf.tensor1d([0, 3, 1], 'int32');
    const [, grads] = net.loss(X, y);
    for (const name of Object.keys(net.params)) {
      const saved = net.params[name];
      const f = (v: tf.Tensor): number => {
        net.params[name] = v;
        const [l, g] = net.loss(X, y);
        tf.dispose(g);
        net.params[name] = saved;
        return l;
      };
      const verdict = checkGradient(f, saved, grads[name]);
      expect({ name, passed: verdict.passed }).toEqual({ name, passed: true });
    }
  });

  it('rejects inputs it cannot pool or pad, and X of the wrong shape, with clear errors', () => {
    expect(() => new ThreeLayerConvNet({ inputDim: [3, 7, 8] })).toThrow(/2×2 max pool needs an even height and width/);
    expect(() => new ThreeLayerConvNet({ inputDim: [1, 8, 8], filterSize: 4 })).toThrow(
      /filterSize must be an odd integer/,
    );
    const net = new ThreeLayerConvNet({ inputDim: [1, 8, 8], numFilters: 2, hiddenDim: 3 });
    expect(() => net.loss(tf.zeros([2, 3, 8, 8]))).toThrow(/X must have shape \[N, 1, 8, 8\], got \[2,3,8,8\]/);
  });
});
