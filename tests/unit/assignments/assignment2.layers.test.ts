/**
 * Assignment 2's layers, update rules and nets against the float64 oracle
 * (tests/fixtures/assignment2/make_oracle.py → oracle.json: the original's formulas in numpy),
 * plus numerical gradient checks with the runtime's float32-sound checkGradient.
 *
 * Tolerances: the error measure is max|float32 − float64| / max|float64| over an array
 * (scaledError). The inputs are float32-exact, so the only difference is float32 arithmetic: a few
 * ulps per op, growing with the length of sums. Measured on wasm with this file's inputs
 * (TS231N_PRINT_ERRORS=1 prints them): ≤ 1.6e-7 for the layers, batchnorm and update rules, ≤ 3.4e-6
 * for the nets (the linspace two-layer check sums 50 hidden units of inputs up to 5.5). We require
 * 1e-5 for layers (60×) and 3e-5 for nets (9×), while a wrong formula (a missing 1/N, a sign, a
 * transposed weight) is off by far more than 1e-2. The biases before a batchnorm layer have a zero
 * gradient in exact arithmetic (the normalization removes them); there float32 leaves ~1e-8 and we
 * compare absolutely (≤ 1e-5).
 */
import * as fs from 'fs';
import * as path from 'path';
import { convOracle } from '../../helpers/convOracle';
import { tf, ready, RandomGenerator, checkGradient } from '../../../kernel/runtime';
import {
  affineBackward,
  affineForward,
  batchnormBackward,
  batchnormBackwardAlt,
  batchnormForward,
  BnParam,
  dropoutBackward,
  dropoutForward,
  reluBackward,
  reluForward,
  softmaxLoss,
  svmLoss,
} from '../../../solutions/assignment2/cs231n/layers';
import {
  affineBnReluBackward,
  affineBnReluForward,
  affineReluBackward,
  affineReluForward,
} from '../../../solutions/assignment2/cs231n/layerUtils';
import { adam, rmsprop, sgd, sgdMomentum } from '../../../solutions/assignment2/cs231n/optim';
import { FullyConnectedNet, TwoLayerNet } from '../../../solutions/assignment2/cs231n/classifiers/fcNet';
import { labels, oracle, scaledError, t, tensors, OracleArray } from '../../helpers/oracle2';
import { TESTS_DIR } from '../../helpers/paths';

const TOL = 1e-5;
const NET_TOL = 3e-5;
const PRINT = process.env.TS231N_PRINT_ERRORS === '1';

beforeAll(async () => {
  await ready();
});

/** Expect a float32 result to match the float64 oracle within TOL (scaled error). */
function expectClose(
  name: string,
  actual: tf.Tensor | number,
  expected: OracleArray | number,
  tol = TOL,
  floor = 0,
): void {
  if (typeof actual !== 'number' && typeof expected !== 'number') expect(actual.shape).toEqual(expected.shape);
  const err = scaledError(actual, expected, floor);
  if (PRINT) console.log(`${name}: ${err.toExponential(2)}`);
  if (!(err <= tol)) throw new Error(`${name}: scaled error ${err} > ${tol}`);
}

/** Scalar surrogate loss Σ f(x)·dout, so a layer's backward can be gradient-checked. */
function dot(f: (x: tf.Tensor) => tf.Tensor, dout: tf.Tensor): (x: tf.Tensor) => number {
  return (x) => tf.tidy(() => f(x).mul(dout).sum().dataSync()[0]);
}

describe('layers against the float64 oracle', () => {
  it.each(['affine_rank4', 'affine_rank2'] as const)(
    '%s: forward and backward (a rank-4 x is flattened per row)',
    (name) => {
      const c = oracle()[name];
      const [x, w, b, dout] = [t(c.x), t(c.w), t(c.b), t(c.dout)];
      const [out, cache] = affineForward(x, w, b);
      expectClose(`${name} out`, out, c.out);
      const [dx, dw, db] = affineBackward(dout, cache);
      expectClose(`${name} dx`, dx, c.dx);
      expectClose(`${name} dw`, dw, c.dw);
      expectClose(`${name} db`, db, c.db);
      expect(dx.shape).toEqual(x.shape);
    },
  );

  it('relu forward and backward (the gradient at exactly 0 is 0)', () => {
    const c = oracle().relu;
    const [out, cache] = reluForward(t(c.x));
    expectClose('relu out', out, c.out, 0);
    expectClose('relu dx', reluBackward(t(c.dout), cache), c.dx, 0);
  });

  it.each([
    ['svm_loss', svmLoss],
    ['softmax_loss', softmaxLoss],
  ] as const)('%s: loss and dx (a class with no example, a row of exact ties)', (name, fn) => {
    const c = oracle()[name];
    const [loss, dx] = fn(t(c.x), labels(c.y));
    expectClose(`${name} loss`, loss, c.loss);
    expectClose(`${name} dx`, dx, c.dx);
  });

  it('batchnorm: three train steps update the running averages in place; test mode uses them; both backward versions agree', () => {
    const c = oracle().batchnorm;
    const [gamma, beta] = [t(c.gamma), t(c.beta)];
    const bnParam: BnParam = { mode: 'train', runningMean: t(c.runningMean0), runningVar: t(c.runningVar0) };
    c.steps.forEach((s, i) => {
      const [out, cache] = batchnormForward(t(s.x), gamma, beta, bnParam);
      expectClose(`bn out ${i}`, out, s.out);
      expectClose(`bn runningMean ${i}`, bnParam.runningMean as tf.Tensor, s.runningMean);
      expectClose(`bn runningVar ${i}`, bnParam.runningVar as tf.Tensor, s.runningVar);
      for (const [which, backward] of [
        ['graph', batchnormBackward],
        ['alt', batchnormBackwardAlt],
      ] as const) {
        const [dx, dgamma, dbeta] = backward(t(s.dout), cache);
        expectClose(`bn ${which} dx ${i}`, dx, s.dx);
        expectClose(`bn ${which} dgamma ${i}`, dgamma, s.dgamma);
        expectClose(`bn ${which} dbeta ${i}`, dbeta, s.dbeta);
      }
    });
    bnParam.mode = 'test';
    const [outTest, cacheTest] = batchnormForward(t(c.xTest), gamma, beta, bnParam);
    expectClose('bn test out', outTest, c.outTest);
    expect(cacheTest).toBeNull();
    const [outOne] = batchnormForward(t(c.xTestOne), gamma, beta, bnParam);
    expectClose('bn test batch of one', outOne, c.outTestOne);
    expect(() => batchnormBackward(t(c.xTest), cacheTest)).toThrow(/test mode/);
  });

  it('batchnorm starts its running statistics at zero and frees the ones it replaces', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 6],
    ]);
    const bnParam: BnParam = { mode: 'train' };
    batchnormForward(x, tf.ones([2]), tf.zeros([2]), bnParam);
    const first = bnParam.runningMean as tf.Tensor;
    expect(Array.from(first.dataSync())).toEqual([expect.closeTo(0.2, 6), expect.closeTo(0.4, 6)]);
    expect(Array.from((bnParam.runningVar as tf.Tensor).dataSync())).toEqual([
      expect.closeTo(0.1, 6),
      expect.closeTo(0.4, 6),
    ]);
    batchnormForward(x, tf.ones([2]), tf.zeros([2]), bnParam);
    expect(first.isDisposed).toBe(true);
    expect(() => batchnormForward(x, tf.ones([2]), tf.zeros([2]), { mode: 'eval' as 'train' })).toThrow(
      /mode must be 'train' or 'test'/,
    );
  });

  it('dropout: the mask keeps u < p and scales by 1/p; backward multiplies by the same mask', () => {
    const c = oracle().dropout;
    const x = t(c.x);
    const u = Array.from(new RandomGenerator(7).rand(x.shape).dataSync());
    const [out, cache] = dropoutForward(x, { p: c.p, mode: 'train', seed: 7 });
    const xs = x.dataSync();
    const expected = u.map((ui, i) => (ui < c.p ? xs[i] / c.p : 0));
    expectClose('dropout out (seeded mask)', out, { shape: x.shape, data: expected }, 1e-6);
    // The same mask given explicitly reproduces the oracle's x·mask and dout·mask.
    const mask = tf.tensor(
      c.u.data.map((ui) => (ui < c.p ? 1 / c.p : 0)),
      c.u.shape,
    );
    expectClose('dropout out (given mask)', x.mul(mask), c.out);
    expectClose('dropout dx (given mask)', dropoutBackward(t(c.dout), { mask, mode: 'train' }), c.dx);
    expectClose(
      'dropout dx (seeded)',
      dropoutBackward(t(c.dout), cache),
      {
        shape: x.shape,
        data: Array.from(t(c.dout).dataSync()).map((d, i) => (u[i] < c.p ? d / c.p : 0)),
      },
      1e-6,
    );
  });

  it('dropout: test mode is the identity; p = 1 keeps every unit; the same seed gives the same mask; p outside (0, 1] is refused', () => {
    const x = new RandomGenerator(3).randn([50, 40]).add(10);
    const [test] = dropoutForward(x, { p: 0.3, mode: 'test' });
    expect(Array.from(test.dataSync())).toEqual(Array.from(x.dataSync()));
    const [all] = dropoutForward(x, { p: 1, mode: 'train' });
    expect(Array.from(all.dataSync())).toEqual(Array.from(x.dataSync()));
    const [a] = dropoutForward(x, { p: 0.5, mode: 'train', seed: 11 });
    const [b] = dropoutForward(x, { p: 0.5, mode: 'train', seed: 11 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    // Inverted dropout keeps the mean: E[out] = x (2,000 units, p = 0.5: mean within 3%).
    const [d] = dropoutForward(x, { p: 0.5, mode: 'train' });
    expect(d.mean().dataSync()[0] / x.mean().dataSync()[0]).toBeCloseTo(1, 1);
    expect(() => dropoutForward(x, { p: 0, mode: 'train' })).toThrow(/probability of keeping/);
    expect(() => dropoutForward(x, { p: 1.5, mode: 'train' })).toThrow(/probability of keeping/);
  });
});

describe('layer gradients against numerical gradients', () => {
  const rng = () => new RandomGenerator(5);

  it('affine, relu, svm and softmax backward pass the gradient check', () => {
    const r = rng();
    const x = r.randn([4, 2, 3]);
    const w = r.randn([6, 5]);
    const b = r.randn([5]);
    const dout = r.randn([4, 5]);
    const [, cache] = affineForward(x, w, b);
    const [dx, dw, db] = affineBackward(dout, cache);
    expect(
      checkGradient(
        dot((v) => affineForward(v, w, b)[0], dout),
        x,
        dx,
      ).passed,
    ).toBe(true);
    expect(
      checkGradient(
        dot((v) => affineForward(x, v, b)[0], dout),
        w,
        dw,
      ).passed,
    ).toBe(true);
    expect(
      checkGradient(
        dot((v) => affineForward(x, w, v)[0], dout),
        b,
        db,
      ).passed,
    ).toBe(true);

    const xr = r.randn([5, 6]);
    const doutr = r.randn([5, 6]);
    const [, rc] = reluForward(xr);
    expect(
      checkGradient(
        dot((v) => reluForward(v)[0], doutr),
        xr,
        reluBackward(doutr, rc),
      ).passed,
    ).toBe(true);

    const scores = r.randn([8, 5]).mul(0.01);
    const y = r.randint(0, 5, [8]);
    for (const fn of [svmLoss, softmaxLoss]) {
      const [, dscores] = fn(scores, y);
      expect(checkGradient((v) => fn(v, y)[0], scores, dscores).passed).toBe(true);
    }
  });

  it('batchnorm backward (both versions) and the sandwich layers pass the gradient check', () => {
    const r = rng();
    const x = r.randn([6, 4]).mul(2).add(3);
    const gamma = r.randn([4]).add(1);
    const beta = r.randn([4]);
    const dout = r.randn([6, 4]);
    const fwd = (xx: tf.Tensor, g: tf.Tensor, bb: tf.Tensor) => batchnormForward(xx, g, bb, { mode: 'train' })[0];
    const [, cache] = batchnormForward(x, gamma, beta, { mode: 'train' });
    for (const backward of [batchnormBackward, batchnormBackwardAlt]) {
      const [dx, dgamma, dbeta] = backward(dout, cache);
      expect(
        checkGradient(
          dot((v) => fwd(v, gamma, beta), dout),
          x,
          dx,
        ).passed,
      ).toBe(true);
      expect(
        checkGradient(
          dot((v) => fwd(x, v, beta), dout),
          gamma,
          dgamma,
        ).passed,
      ).toBe(true);
      expect(
        checkGradient(
          dot((v) => fwd(x, gamma, v), dout),
          beta,
          dbeta,
        ).passed,
      ).toBe(true);
    }

    const w = r.randn([4, 5]);
    const b = r.randn([5]);
    const g2 = r.randn([5]).add(1);
    const b2 = r.randn([5]);
    const d2 = r.randn([6, 5]);
    const [, c1] = affineReluForward(x, w, b);
    const [dx1, dw1] = affineReluBackward(d2, c1);
    expect(
      checkGradient(
        dot((v) => affineReluForward(v, w, b)[0], d2),
        x,
        dx1,
      ).passed,
    ).toBe(true);
    expect(
      checkGradient(
        dot((v) => affineReluForward(x, v, b)[0], d2),
        w,
        dw1,
      ).passed,
    ).toBe(true);
    const [, c2] = affineBnReluForward(x, w, b, g2, b2, { mode: 'train' });
    const [dx2, dw2, , dg2] = affineBnReluBackward(d2, c2);
    const sandwich = (xx: tf.Tensor, ww: tf.Tensor, gg: tf.Tensor) =>
      affineBnReluForward(xx, ww, b, gg, b2, { mode: 'train' })[0];
    expect(
      checkGradient(
        dot((v) => sandwich(v, w, g2), d2),
        x,
        dx2,
      ).passed,
    ).toBe(true);
    expect(
      checkGradient(
        dot((v) => sandwich(x, v, g2), d2),
        w,
        dw2,
      ).passed,
    ).toBe(true);
    expect(
      checkGradient(
        dot((v) => sandwich(x, w, v), d2),
        g2,
        dg2,
      ).passed,
    ).toBe(true);
  });

  it('dropout backward passes the gradient check with a fixed seed', () => {
    const r = rng();
    const x = r.randn([10, 10]).add(10);
    const dout = r.randn([10, 10]);
    const param = { p: 0.2, mode: 'train' as const, seed: 123 };
    const [, cache] = dropoutForward(x, param);
    expect(
      checkGradient(
        dot((v) => dropoutForward(v, param)[0], dout),
        x,
        dropoutBackward(dout, cache),
      ).passed,
    ).toBe(true);
  });

  it('a wrong gradient fails the same check (the check can fail)', () => {
    const r = rng();
    const x = r.randn([6, 4]).mul(2).add(3);
    const gamma = r.randn([4]).add(1);
    const dout = r.randn([6, 4]);
    const [, cache] = batchnormForward(x, gamma, tf.zeros([4]), { mode: 'train' });
    const [dx] = batchnormBackward(dout, cache);
    // Forgetting the mean's path (dx = dxhat / std) is the classic mistake.
    const wrong = dout.mul(gamma).div((cache as { std: tf.Tensor }).std);
    const f = dot((v) => batchnormForward(v, gamma, tf.zeros([4]), { mode: 'train' })[0], dout);
    expect(checkGradient(f, x, dx).passed).toBe(true);
    expect(checkGradient(f, x, wrong).passed).toBe(false);
  });
});

describe('update rules against the float64 oracle', () => {
  it('sgd takes w − lr·dw and fills in the default learning rate', () => {
    const o = oracle().optim;
    const [next, config] = sgd(t(o.w), t(o.dw));
    const w = o.w.data;
    expectClose('sgd', next, { shape: o.w.shape, data: w.map((v, i) => v - 1e-2 * o.dw.data[i]) });
    expect(config.learningRate).toBe(1e-2);
  });

  it('sgdMomentum, rmsprop and adam (t incremented before the bias correction) match the original formulas', () => {
    const o = oracle().optim;
    const [w, dw] = [t(o.w), t(o.dw)];
    const [mw, mc] = sgdMomentum(w, dw, { learningRate: o.sgdMomentum.learningRate, velocity: t(o.state) });
    expectClose('sgdMomentum nextW', mw, o.sgdMomentum.nextW);
    expectClose('sgdMomentum velocity', mc.velocity as tf.Tensor, o.sgdMomentum.velocity);
    expect(mc.momentum).toBe(0.9);
    const [rw, rc] = rmsprop(w, dw, { learningRate: o.rmsprop.learningRate, cache: t(o.state) });
    expectClose('rmsprop nextW', rw, o.rmsprop.nextW);
    expectClose('rmsprop cache', rc.cache as tf.Tensor, o.rmsprop.cache);
    expect([rc.decayRate, rc.epsilon]).toEqual([0.99, 1e-8]);
    const [aw, ac] = adam(w, dw, { learningRate: o.adam.learningRate, m: t(o.adamM), v: t(o.adamV), t: o.adam.t0 });
    expectClose('adam nextW', aw, o.adam.nextW);
    expectClose('adam m', ac.m as tf.Tensor, o.adam.m);
    expectClose('adam v', ac.v as tf.Tensor, o.adam.v);
    expect(ac.t).toBe(o.adam.t);
    const [fw, fc] = adam(w, dw);
    expectClose('adam first step', fw, o.adamFirst.nextW);
    expect([fc.t, fc.learningRate, fc.beta1, fc.beta2]).toEqual([1, 1e-3, 0.9, 0.999]);
  });

  it('update rules leave their inputs alone and refuse a gradient of another shape', () => {
    const o = oracle().optim;
    const [w, dw, v] = [t(o.w), t(o.dw), t(o.state)];
    const before = Array.from(v.dataSync());
    sgdMomentum(w, dw, { velocity: v });
    expect(Array.from(v.dataSync())).toEqual(before);
    expect(v.isDisposed).toBe(false);
    expect(() => adam(w, tf.zeros([3]))).toThrow(/dw must have the shape of w/);
  });
});

describe('nets against the float64 oracle', () => {
  it("TwoLayerNet: the original notebook's linspace check (scores, loss and grads, reg 0 and 0.7)", () => {
    const c = oracle().twoLayerNet;
    const net = new TwoLayerNet({ inputDim: 5, hiddenDim: 50, numClasses: 7, weightScale: 1e-2 });
    net.dispose();
    net.params = tensors(c.params);
    const X = t(c.X);
    for (const k of c.cases) {
      net.reg = k.reg;
      expectClose(`two-layer scores reg ${k.reg}`, net.loss(X), k.scores);
      const [loss, grads] = net.loss(X, labels(c.y));
      expectClose(`two-layer loss reg ${k.reg}`, loss, k.loss);
      for (const p of Object.keys(k.grads)) expectClose(`two-layer d${p} reg ${k.reg}`, grads[p], k.grads[p], NET_TOL);
    }
  });

  it.each(['fcNet', 'fcNetBn'] as const)('%s: loss and every gradient for given parameters', (name) => {
    const c = oracle()[name];
    const bn = name === 'fcNetBn';
    const net = new FullyConnectedNet(c.hiddenDims, {
      inputDim: c.inputDim,
      numClasses: c.numClasses,
      reg: c.reg,
      normalization: bn ? 'batchnorm' : null,
    });
    net.dispose();
    net.params = tensors(c.params);
    const [loss, grads] = net.loss(t(c.X), labels(c.y));
    expectClose(`${name} loss`, loss, c.loss, NET_TOL);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(c.params).sort());
    for (const p of Object.keys(c.grads)) {
      const beforeBn = bn && p.startsWith('b') && !p.startsWith('beta') && p !== `b${c.hiddenDims.length + 1}`;
      expectClose(`${name} d${p}`, grads[p], c.grads[p], NET_TOL, beforeBn ? 1 : 0);
    }
    if (bn) {
      net.bnParams.forEach((b, i) => {
        expectClose(`${name} runningMean ${i}`, b.runningMean as tf.Tensor, (c.runningMean as OracleArray[])[i]);
        expectClose(`${name} runningVar ${i}`, b.runningVar as tf.Tensor, (c.runningVar as OracleArray[])[i]);
      });
    } else {
      expectClose(`${name} test-mode scores equal train scores without bn/dropout`, net.loss(t(c.X)), c.trainScores);
    }
  });
});

describe("checks.json's public values", () => {
  it("are the oracle's float64 values of the original notebooks' linspace checks", () => {
    const file = path.join(TESTS_DIR, '..', 'solutions', 'assignment2', 'checks.json');
    const checks = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { expect: { close?: unknown } }>;
    const o = oracle();
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
    const expected: Record<string, OracleArray | number> = {
      'fc.public_affine_forward': o.public.affineForward,
      'fc.public_relu_forward': o.public.reluForward,
      'fc.public_two_layer_scores': o.twoLayerNet.cases[0].scores,
      'fc.public_two_layer_loss': o.twoLayerNet.cases[0].loss,
      'fc.public_two_layer_loss_reg': o.twoLayerNet.cases[1].loss,
      'fc.public_sgd_momentum': o.optim.sgdMomentum.nextW,
      'fc.public_rmsprop': o.optim.rmsprop.nextW,
      'fc.public_adam': o.optim.adam.nextW,
      'convnet.public_conv_forward_given': convOracle().convGiven.out,
      'convnet.public_pool_forward_given': convOracle().poolGiven.out,
    };
    const closeIds = Object.keys(checks)
      .filter((k) => checks[k].expect.close !== undefined)
      .sort();
    expect(closeIds).toEqual(Object.keys(expected).sort());
    for (const [id, e] of Object.entries(expected)) {
      expect(flat(checks[id].expect.close)).toEqual(typeof e === 'number' ? [e] : e.data);
    }
  });
});
