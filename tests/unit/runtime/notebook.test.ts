/**
 * The helpers every notebook imports from `ts231n`: a step that needs unwritten code is skipped
 * with its graded ids recorded as not implemented (other errors still fail), accuracy, timing,
 * log-uniform sampling, and the layer / net gradient checks that pass correct gradients, fail
 * wrong ones and leave the net's parameters and the tensor count as they were.
 */
import { tf, ready } from '../../../kernel/runtime/tensor';
import { setDisplaySink, MimeBundle } from '../../../kernel/runtime/output';
import { notImplemented } from '../../../kernel/runtime/errors';
import { clearRecords, recordedValue, store } from '../../../kernel/runtime/record/store';
import { seed, randn } from '../../../kernel/runtime/random';
import {
  accuracy,
  checkLayer,
  checkNet,
  CheckableNet,
  logUniform,
  timeIt,
  tryStep,
} from '../../../kernel/runtime/notebook';

let logs: string[] = [];
let shown: MimeBundle[] = [];
let logSpy: jest.SpyInstance;

beforeAll(async () => {
  await ready();
  setDisplaySink({ display: (b: MimeBundle) => void shown.push(b) });
});

afterAll(() => setDisplaySink(null));

beforeEach(() => {
  clearRecords();
  logs = [];
  shown = [];
  logSpy = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    logs.push(a.map(String).join(' '));
  });
});

afterEach(() => logSpy.mockRestore());

describe('tryStep', () => {
  test('returns what the step returns and records nothing', () => {
    expect(tryStep(() => 42, ['knn.k'])).toBe(42);
    expect(store().has('knn.k')).toBe(false);
  });

  test('a step that reaches an empty TODO is skipped and its graded ids are recorded as not implemented', () => {
    const result = tryStep(() => notImplemented('affineForward', 'cs231n/layers.ts'), ['fc.a', 'fc.b']);
    expect(result).toBeUndefined();
    expect(logs).toEqual(['skipped: not implemented yet: affineForward in cs231n/layers.ts']);
    expect(shown.map((b) => b['text/plain'])).toEqual([
      'fc.a: not implemented yet: affineForward in cs231n/layers.ts',
      'fc.b: not implemented yet: affineForward in cs231n/layers.ts',
    ]);
    for (const id of ['fc.a', 'fc.b']) {
      expect(store().has(id)).toBe(true);
      expect(recordedValue(id)).toBeUndefined();
    }
  });

  test("the student's own error still fails the step", () => {
    expect(() =>
      tryStep(() => {
        throw new TypeError('x.shape is undefined');
      }, ['fc.a']),
    ).toThrow('x.shape is undefined');
    expect(store().has('fc.a')).toBe(false);
  });
});

describe('accuracy', () => {
  test('is the fraction of equal labels and leaks no tensor', () => {
    const pred = tf.tensor1d([0, 1, 2, 3], 'int32');
    const y = tf.tensor1d([0, 1, 0, 3], 'int32');
    const before = tf.memory().numTensors;
    expect(accuracy(pred, y)).toBeCloseTo(0.75, 7);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pred, y]);
  });

  test('different lengths are an error that says what to pass', () => {
    const pred = tf.tensor1d([0, 1], 'int32');
    const y = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => accuracy(pred, y)).toThrow('accuracy: pred has 2 entries but y has 3');
    tf.dispose([pred, y]);
  });
});

test('timeIt measures the call in milliseconds', () => {
  let calls = 0;
  const ms = timeIt(() => {
    calls += 1;
    const end = performance.now() + 20;
    while (performance.now() < end);
  });
  expect(calls).toBe(1);
  expect(ms).toBeGreaterThanOrEqual(19);
});

test('logUniform samples 10^u with u in [lo, hi), reproducibly under a seed', () => {
  seed(5);
  const a = Array.from({ length: 200 }, () => logUniform(-5, -1));
  seed(5);
  const b = Array.from({ length: 200 }, () => logUniform(-5, -1));
  expect(a).toEqual(b);
  const exps = a.map(Math.log10);
  expect(Math.min(...exps)).toBeGreaterThanOrEqual(-5);
  expect(Math.max(...exps)).toBeLessThan(-1);
  // every decade of the range is hit: log scale, not linear (linear would put ~90% in the top decade)
  for (let d = -5; d < -1; d++) expect(exps.filter((e) => e >= d && e < d + 1).length).toBeGreaterThan(20);
});

describe('checkLayer', () => {
  const relu = (x: tf.Tensor) => tf.relu(x);

  test('passes the true backward pass of a layer and prints its error', () => {
    seed(1);
    const x = randn([4, 5]);
    const dout = randn([4, 5]);
    const dx = tf.tidy(() => dout.mul(tf.step(x)));
    expect(checkLayer('relu dx', relu, x, dout, dx)).toBe(true);
    expect(logs[0]).toMatch(/^relu dx: max relative error \S+ \(tolerance 1e-2\) ✓$/);
    tf.dispose([x, dout, dx]);
  });

  test('fails a wrong backward pass (the upstream gradient forgotten)', () => {
    seed(2);
    const x = randn([4, 5]);
    const dout = randn([4, 5]);
    const wrong = tf.step(x);
    expect(checkLayer('relu dx', relu, x, dout, wrong)).toBe(false);
    expect(logs[0]).toMatch(/✗$/);
    tf.dispose([x, dout, wrong]);
  });
});

describe('checkNet', () => {
  /** A linear softmax classifier with a switchable bug in dW. */
  function linearNet(W: tf.Tensor, buggy: boolean): CheckableNet {
    return {
      params: { W },
      loss(X: tf.Tensor, y: tf.Tensor): [number, Record<string, tf.Tensor>] {
        return tf.tidy(() => {
          const grad = tf.grad((w: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), X.matMul(w)));
          const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), X.matMul(this.params.W)).dataSync()[0];
          const dW = grad(this.params.W);
          return [loss, { W: buggy ? dW.mul(2) : dW }] as [number, Record<string, tf.Tensor>];
        });
      },
    };
  }

  test('passes correct gradients, restores the parameters and leaks no tensor', () => {
    seed(3);
    const X = randn([6, 4]);
    const W = randn([4, 3]);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const net = linearNet(W, false);
    const before = tf.memory().numTensors;
    expect(checkNet(net, X, y)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(net.params.W).toBe(W);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^W: max relative error \S+ ✓$/);
    tf.dispose([X, W, y]);
  });

  test('maxChecks bounds the loss evaluations per parameter and still catches a wrong gradient', () => {
    seed(6);
    const X = randn([6, 4]);
    const W = randn([4, 3]);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    /** Counts the loss evaluations of a net. */
    const counted = (net: CheckableNet): [CheckableNet, () => number] => {
      let calls = 0;
      const loss = net.loss.bind(net);
      net.loss = (a: tf.Tensor, b: tf.Tensor) => {
        calls += 1;
        return loss(a, b);
      };
      return [net, () => calls];
    };
    const [all, allCalls] = counted(linearNet(W, false));
    expect(checkNet(all, X, y)).toBe(true);
    const [some, someCalls] = counted(linearNet(W, false));
    expect(checkNet(some, X, y, { maxChecks: 4 })).toBe(true);
    // 12 entries of W: every one checked by default, 4 of them with maxChecks 4 (2-3 evaluations each)
    expect(allCalls()).toBeGreaterThanOrEqual(1 + 2 * 12);
    expect(someCalls()).toBeLessThanOrEqual(1 + 3 * 4);
    expect(checkNet(linearNet(W, true), X, y, { maxChecks: 4 })).toBe(false);
    tf.dispose([X, W, y]);
  });

  test('fails a wrong gradient', () => {
    seed(4);
    const X = randn([6, 4]);
    const W = randn([4, 3]);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    expect(checkNet(linearNet(W, true), X, y)).toBe(false);
    expect(logs[0]).toMatch(/✗$/);
    tf.dispose([X, W, y]);
  });
});
