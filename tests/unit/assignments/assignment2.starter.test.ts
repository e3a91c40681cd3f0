/**
 * Assignment 2's generated starter (assignments/assignment2, from solutions/assignment2 by
 * `npm run build:starter`; tests/unit/scripts/starter.test.ts checks that it is current): every function with a
 * TODO block throws NotImplementedError naming itself and its file, and the given code (layer
 * utilities, sgd, the Solver) works on top of the solution's layers.
 */
import * as fs from 'fs';
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as ts from 'typescript';
import { tf, ready, isNotImplementedError } from '../../../kernel/runtime';
import { parseCodeMarkers } from '../../../scripts/starter/markers';
import { enclosingFunctionName } from '../../../scripts/starter/names';
import { TESTS_DIR } from '../../helpers/paths';

const REPO = path.resolve(TESTS_DIR, '..');
const starter = (rel: string) => require(path.join(REPO, 'assignments', 'assignment2', rel));

/** An instance of a starter class without running its (TODO) constructor. */
function bare(cls: { prototype: object }, fields: Record<string, unknown>): { loss(X: tf.Tensor): unknown } {
  return Object.assign(Object.create(cls.prototype), fields) as { loss(X: tf.Tensor): unknown };
}

const x = () => tf.ones([2, 3]);
/** A 1×1×3×3 image (or filter). */
const img = () => tf.ones([1, 1, 3, 3]);
const calls: Record<string, () => unknown> = {
  affineForward: () => starter('cs231n/layers').affineForward(x(), tf.ones([3, 4]), tf.zeros([4])),
  affineBackward: () =>
    starter('cs231n/layers').affineBackward(tf.ones([2, 4]), { x: x(), w: tf.ones([3, 4]), b: tf.zeros([4]) }),
  reluForward: () => starter('cs231n/layers').reluForward(x()),
  reluBackward: () => starter('cs231n/layers').reluBackward(x(), x()),
  svmLoss: () => starter('cs231n/layers').svmLoss(x(), tf.zeros([2], 'int32')),
  softmaxLoss: () => starter('cs231n/layers').softmaxLoss(x(), tf.zeros([2], 'int32')),
  batchnormForward: () =>
    starter('cs231n/layers').batchnormForward(x(), tf.ones([3]), tf.zeros([3]), { mode: 'train' }),
  batchnormBackward: () =>
    starter('cs231n/layers').batchnormBackward(x(), { xhat: x(), xmu: x(), std: tf.ones([3]), gamma: tf.ones([3]) }),
  batchnormBackwardAlt: () =>
    starter('cs231n/layers').batchnormBackwardAlt(x(), { xhat: x(), xmu: x(), std: tf.ones([3]), gamma: tf.ones([3]) }),
  dropoutForward: () => starter('cs231n/layers').dropoutForward(x(), { p: 0.5, mode: 'train' }),
  dropoutBackward: () => starter('cs231n/layers').dropoutBackward(x(), { mask: x(), mode: 'train' }),
  sgdMomentum: () => starter('cs231n/optim').sgdMomentum(x(), x()),
  rmsprop: () => starter('cs231n/optim').rmsprop(x(), x()),
  adam: () => starter('cs231n/optim').adam(x(), x()),
  'new TwoLayerNet': () =>
    new (starter('cs231n/classifiers/fcNet').TwoLayerNet)({ inputDim: 3, hiddenDim: 4, numClasses: 2 }),
  'TwoLayerNet.loss': () =>
    bare(starter('cs231n/classifiers/fcNet').TwoLayerNet, {
      reg: 0,
      params: { W1: tf.ones([3, 4]), b1: tf.zeros([4]), W2: tf.ones([4, 2]), b2: tf.zeros([2]) },
    }).loss(x()),
  'new FullyConnectedNet': () =>
    new (starter('cs231n/classifiers/fcNet').FullyConnectedNet)([4], { inputDim: 3, numClasses: 2 }),
  'FullyConnectedNet.loss': () =>
    bare(starter('cs231n/classifiers/fcNet').FullyConnectedNet, {
      reg: 0,
      numLayers: 2,
      normalization: null,
      useDropout: false,
      dropoutParam: { mode: 'train', p: 1 },
      bnParams: [],
      params: { W1: tf.ones([3, 4]), b1: tf.zeros([4]), W2: tf.ones([4, 2]), b2: tf.zeros([2]) },
    }).loss(x()),
  convForwardNaive: () => starter('cs231n/layers').convForwardNaive(img(), img(), tf.zeros([1]), { stride: 1, pad: 1 }),
  convBackwardNaive: () =>
    starter('cs231n/layers').convBackwardNaive(img(), {
      x: img(),
      w: img(),
      b: tf.zeros([1]),
      convParam: { stride: 1, pad: 1 },
    }),
  maxPoolForwardNaive: () =>
    starter('cs231n/layers').maxPoolForwardNaive(img(), { poolHeight: 1, poolWidth: 1, stride: 1 }),
  maxPoolBackwardNaive: () =>
    starter('cs231n/layers').maxPoolBackwardNaive(img(), {
      x: img(),
      poolParam: { poolHeight: 1, poolWidth: 1, stride: 1 },
    }),
  spatialBatchnormForward: () =>
    starter('cs231n/layers').spatialBatchnormForward(img(), tf.ones([1]), tf.zeros([1]), { mode: 'train' }),
  spatialBatchnormBackward: () =>
    starter('cs231n/layers').spatialBatchnormBackward(img(), {
      xhat: tf.ones([9, 1]),
      xmu: tf.ones([9, 1]),
      std: tf.ones([1]),
      gamma: tf.ones([1]),
    }),
  'new ThreeLayerConvNet': () =>
    new (starter('cs231n/classifiers/cnn').ThreeLayerConvNet)({
      inputDim: [1, 4, 4],
      numFilters: 2,
      filterSize: 3,
      hiddenDim: 3,
    }),
  'ThreeLayerConvNet.loss': () =>
    bare(starter('cs231n/classifiers/cnn').ThreeLayerConvNet, {
      reg: 0,
      inputDim: [1, 4, 4],
      convParam: { stride: 1, pad: 1 },
      poolParam: { poolHeight: 2, poolWidth: 2, stride: 2 },
      params: {
        W1: tf.ones([2, 1, 3, 3]),
        b1: tf.zeros([2]),
        W2: tf.ones([8, 3]),
        b2: tf.zeros([3]),
        W3: tf.ones([3, 10]),
        b3: tf.zeros([10]),
      },
    }).loss(tf.ones([2, 1, 4, 4])),
};

/** (function, file) of every solution block in the solution's .ts files, found by the generator's own parser. */
function todoFunctions(): Map<string, string> {
  const root = path.join(REPO, 'solutions', 'assignment2');
  const found = new Map<string, string>();
  for (const rel of fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.nb.ts'))) {
    const text = fs.readFileSync(path.join(root, rel), 'utf8');
    const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
    for (const b of parseCodeMarkers(text))
      found.set(enclosingFunctionName(source, b.begin) as string, rel.split(path.sep).join('/'));
  }
  return found;
}

beforeAll(async () => {
  await ready();
});

describe('every assignment 2 starter function with a TODO throws NotImplementedError naming itself', () => {
  it('this test calls every function that has a TODO block', () => {
    expect(Object.keys(calls).sort()).toEqual([...todoFunctions().keys()].sort());
  });

  it.each(Object.keys(calls))('%s', (fn) => {
    const files = todoFunctions();
    let error: unknown;
    try {
      tf.tidy(() => void calls[fn]());
    } catch (e) {
      error = e;
    }
    expect(isNotImplementedError(error)).toBe(true);
    const e = error as { fn: string; file: string; message: string };
    expect({ fn: e.fn, file: e.file }).toEqual({ fn, file: files.get(fn) });
    expect(e.message).toBe(`not implemented yet: ${fn} in ${files.get(fn)}`);
  });
});

describe('the given code of the starter', () => {
  it('sgd works in the starter (it is given, not a TODO)', () => {
    const [next] = starter('cs231n/optim').sgd(tf.ones([2]), tf.ones([2]), { learningRate: 0.5 });
    expect(Array.from((next as tf.Tensor).dataSync())).toEqual([0.5, 0.5]);
  });
});

describe('assignment 2 notebooks on disk', () => {
  const NOTEBOOKS = ['FullyConnectedNets', 'TrainingLabs', 'BatchNormalization', 'Dropout', 'ConvolutionalNetworks'];
  const files = ['solutions', 'assignments'].flatMap((t) => NOTEBOOKS.map((n) => `${t}/assignment2/${n}.ipynb`));

  it.each(files)('%s validates with the official nbformat schema (Debian python3-nbformat)', (rel) => {
    const r = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path.join(REPO, rel)],
      { encoding: 'utf8' },
    );
    expect({ rel, status: r.status, err: r.stderr.trim() }).toEqual({ rel, status: 0, err: '' });
    const nb = JSON.parse(fs.readFileSync(path.join(REPO, rel), 'utf8'));
    expect(nb.metadata.kernelspec.name).toBe('ts231n');
  });

  it('the starter ships the same checks.json as the solution', () => {
    const read = (t: string) => fs.readFileSync(path.join(REPO, t, 'assignment2', 'checks.json'), 'utf8');
    expect(read('assignments')).toBe(read('solutions'));
  });
});
