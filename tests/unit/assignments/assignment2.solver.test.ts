/**
 * Assignment 2's nets as a whole and the Solver: the loss at initialisation, numerical gradient
 * checks of whole nets (with and without regularisation, batchnorm and seeded dropout), the
 * Solver's memory ownership over 1,000 steps, overfitting a small set, best parameters and
 * checkpoints.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, ready, seed, randn, randint, checkGradient } from '../../../kernel/runtime';
import { FullyConnectedNet, TwoLayerNet, Params } from '../../../solutions/assignment2/cs231n/classifiers/fcNet';
import { Solver, SolverData } from '../../../solutions/assignment2/cs231n/solver';

beforeAll(async () => {
  await ready();
});

/** Every parameter of a net passes checkGradient on the net's own loss. */
function netGradientsPass(
  net: { params: Params; loss(X: tf.Tensor, y: tf.Tensor): [number, Params] },
  X: tf.Tensor,
  y: tf.Tensor,
): Record<string, number> {
  const [, grads] = net.loss(X, y);
  const errors: Record<string, number> = {};
  for (const name of Object.keys(net.params)) {
    const original = net.params[name];
    const f = (v: tf.Tensor): number => {
      net.params[name] = v;
      try {
        return net.loss(X, y)[0];
      } finally {
        net.params[name] = original;
      }
    };
    const verdict = checkGradient(f, original, grads[name]);
    errors[name] = verdict.passed ? 0 : verdict.maxRelError;
  }
  return errors;
}

function allZero(errors: Record<string, number>): void {
  for (const [k, v] of Object.entries(errors))
    if (v !== 0) throw new Error(`gradient check failed for ${k}: max relative error ${v}`);
}

/** Random data: N rows of D features, C classes. */
function toyData(N: number, D: number, C: number): [tf.Tensor, tf.Tensor] {
  return [randn([N, D]), randint(0, C, [N])];
}

describe('fully-connected nets', () => {
  it('the loss at initialisation with small weights is close to ln C, and reg raises it', () => {
    seed(0);
    const [X, y] = toyData(50, 20, 10);
    const net = new FullyConnectedNet([30, 30], { inputDim: 20, numClasses: 10, weightScale: 1e-3 });
    expect(net.loss(X, y)[0]).toBeCloseTo(Math.log(10), 3);
    const two = new TwoLayerNet({ inputDim: 20, hiddenDim: 30, numClasses: 10, weightScale: 1e-3 });
    expect(two.loss(X, y)[0]).toBeCloseTo(Math.log(10), 3);
    const big = new FullyConnectedNet([30], { inputDim: 20, numClasses: 10, weightScale: 1e-1 });
    const noReg = big.loss(X, y)[0];
    big.reg = 10;
    expect(big.loss(X, y)[0]).toBeGreaterThan(noReg);
  });

  it('parameter names and shapes follow the original (W1…WL, b1…bL, gamma/beta for hidden layers with batchnorm)', () => {
    seed(0);
    const net = new FullyConnectedNet([4, 3], { inputDim: 5, numClasses: 2, normalization: 'batchnorm' });
    const shapes = Object.fromEntries(Object.entries(net.params).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      W1: [5, 4],
      b1: [4],
      gamma1: [4],
      beta1: [4],
      W2: [4, 3],
      b2: [3],
      gamma2: [3],
      beta2: [3],
      W3: [3, 2],
      b3: [2],
    });
    expect(Array.from(net.params.gamma1.dataSync())).toEqual([1, 1, 1, 1]);
    expect(net.bnParams).toHaveLength(2);
    expect(() => new FullyConnectedNet([4], { dropout: 0 })).toThrow(/probability of keeping/);
  });

  it.each([
    ['no reg', {}],
    ['reg 3.14', { reg: 3.14 }],
    ['batchnorm', { normalization: 'batchnorm' as const, reg: 0.1 }],
    ['dropout with a seed', { dropout: 0.5, seed: 123 }],
    ['batchnorm and dropout', { normalization: 'batchnorm' as const, dropout: 0.75, seed: 7 }],
  ])('a 3-layer net passes the numerical gradient check: %s', (_name, opts) => {
    seed(231);
    const [X, y] = toyData(5, 8, 5);
    const net = new FullyConnectedNet([10, 12], { inputDim: 8, numClasses: 5, weightScale: 2e-1, ...opts });
    allZero(netGradientsPass(net, X, y));
  });

  it('test mode (loss(X)) uses the running statistics and no dropout: scores are deterministic', () => {
    seed(1);
    const [X, y] = toyData(20, 6, 3);
    const net = new FullyConnectedNet([8], { inputDim: 6, numClasses: 3, normalization: 'batchnorm', dropout: 0.5 });
    net.loss(X, y);
    const a = net.loss(X).dataSync();
    const b = net.loss(X).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(net.dropoutParam.mode).toBe('test');
    expect(net.bnParams[0].mode).toBe('test');
  });
});

describe('Solver', () => {
  function smallData(n = 60): SolverData {
    seed(3);
    const centres = randn([4, 10]).mul(3);
    const yTrain = randint(0, 4, [n]);
    const XTrain = tf.gather(centres, yTrain).add(randn([n, 10]));
    const yVal = randint(0, 4, [20]);
    const XVal = tf.gather(centres, yVal).add(randn([20, 10]));
    return { XTrain, yTrain, XVal, yVal };
  }

  it('owns memory: 1,000 Adam steps (100 with the other rules) leave the tensor count flat', () => {
    const data = smallData();
    for (const updateRule of ['sgd', 'sgdMomentum', 'rmsprop', 'adam'] as const) {
      const steps = updateRule === 'adam' ? 1000 : 100;
      seed(0);
      const model = new FullyConnectedNet([16], {
        inputDim: 10,
        numClasses: 4,
        normalization: 'batchnorm',
        dropout: 0.9,
        reg: 1e-3,
      });
      const solver = new Solver(model, data, {
        updateRule,
        optimConfig: { learningRate: 1e-3 },
        batchSize: 10,
        verbose: false,
        progress: false,
      });
      solver.step();
      const after1 = tf.memory().numTensors;
      for (let i = 1; i < steps; i++) solver.step();
      expect(tf.memory().numTensors).toBe(after1);
      solver.dispose();
      model.dispose();
    }
  });

  it('train(): overfits 60 examples, keeps histories, ends with the best parameters and leaks nothing', () => {
    const data = smallData();
    seed(0);
    const model = new FullyConnectedNet([50], { inputDim: 10, numClasses: 4, weightScale: 1e-1 });
    const before = tf.memory().numTensors;
    const solver = new Solver(model, data, {
      updateRule: 'adam',
      optimConfig: { learningRate: 1e-2 },
      numEpochs: 20,
      batchSize: 20,
      verbose: false,
      progress: false,
      seed: 5,
    });
    solver.train();
    expect(solver.lossHistory).toHaveLength(20 * 3);
    expect(solver.trainAccHistory).toHaveLength(21);
    expect(solver.valAccHistory).toHaveLength(21);
    expect(Math.max(...solver.trainAccHistory)).toBe(1);
    expect(solver.lossHistory[solver.lossHistory.length - 1]).toBeLessThan(solver.lossHistory[0] / 5);
    expect(solver.checkAccuracy(data.XVal, data.yVal)).toBe(solver.bestValAcc);
    // params were replaced by clones of the best; the Solver holds one more copy (bestParams) and
    // Adam's m and v for every parameter
    expect(tf.memory().numTensors).toBe(before + 3 * Object.keys(model.params).length);
    solver.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed gives the same training run; the learning rate decays once per epoch', () => {
    const data = smallData();
    const run = (): [number[], number] => {
      seed(0);
      const model = new TwoLayerNet({ inputDim: 10, hiddenDim: 8, numClasses: 4, weightScale: 1e-1 });
      const solver = new Solver(model, data, {
        optimConfig: { learningRate: 0.1 },
        lrDecay: 0.5,
        numEpochs: 3,
        batchSize: 30,
        verbose: false,
        progress: false,
        seed: 9,
      });
      solver.train();
      const lr = solver.optimConfigs.W1.learningRate as number;
      solver.dispose();
      model.dispose();
      return [solver.lossHistory, lr];
    };
    const [a, lr] = run();
    const [b] = run();
    expect(a).toEqual(b);
    expect(lr).toBeCloseTo(0.1 * 0.5 ** 3, 12);
  });

  it('writes a checkpoint per epoch that loadCheckpoint reads back', () => {
    const data = smallData();
    seed(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-solver-'));
    try {
      const model = new TwoLayerNet({ inputDim: 10, hiddenDim: 8, numClasses: 4 });
      const solver = new Solver(model, data, {
        numEpochs: 2,
        batchSize: 30,
        verbose: false,
        progress: false,
        checkpointName: path.join(dir, 'net'),
      });
      solver.train();
      expect(fs.readdirSync(dir).sort()).toEqual(['net_epoch_1.json', 'net_epoch_2.json']);
      const cp = Solver.loadCheckpoint(path.join(dir, 'net_epoch_2.json'));
      expect(cp.epoch).toBe(2);
      expect(cp.lossHistory).toHaveLength(4);
      expect(cp.params.W1.shape).toEqual([10, 8]);
      expect(() => Solver.loadCheckpoint(path.join(dir, 'missing.json'))).toThrow(/cannot read/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown update rule and data without validation labels, with a way forward', () => {
    const data = smallData();
    const model = new TwoLayerNet({ inputDim: 10, hiddenDim: 8, numClasses: 4 });
    expect(() => new Solver(model, data, { updateRule: 'adagrad' as 'sgd' })).toThrow(
      /use one of sgd, sgdMomentum, rmsprop, adam/,
    );
    expect(() => new Solver(model, { ...data, yVal: undefined as unknown as tf.Tensor })).toThrow(
      /XTrain, yTrain, XVal and yVal/,
    );
  });
});
