/**
 * A starter notebook runs to the end: record/check of an empty TODO print
 * "not implemented yet: <fn> in <file>" (also without a notebook, on stdout), a student's real
 * error still fails the cell, and a course-like checks.json in a temp dir passes and fails with
 * reasons. No tensor is left behind on any of these paths.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, ready } from '../../../kernel/runtime/tensor';
import { setDisplaySink, MimeBundle } from '../../../kernel/runtime/output';
import { notImplemented, NotImplementedError } from '../../../kernel/runtime/errors';
import { check, clearRecords, record, RECORD_MIME, loadChecks } from '../../../kernel/runtime/record';

let dir: string;
let cwd: string;
let shown: MimeBundle[] = [];
const texts = (): string[] => shown.map((b) => String(b['text/plain']));

/** A starter function: its TODO block is empty. */
function svmLossNaive(W: tf.Tensor, X: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // the student's code ran a little before reaching the empty block
    X.matMul(W);
    return notImplemented('svmLossNaive', 'cs231n/classifiers/linearSvm.ts');
  });
}

/** The same error from another copy of the runtime (a different import path): no instanceof. */
function foreignTodo(): number {
  throw Object.assign(new Error('not implemented yet: predictLabels in cs231n/classifiers/kNearestNeighbor.ts'), {
    name: 'NotImplementedError',
    fn: 'predictLabels',
    file: 'cs231n/classifiers/kNearestNeighbor.ts',
  });
}

/** The public checks of a miniature SVM notebook, in the format of checks.json. */
const CHECKS = {
  'svm.loss_naive': {
    description: 'loss with W ~ 1e-4·randn is about 9 (C − 1 margins of ≈ 1)',
    expect: { close: 9, atol: 0.5 },
  },
  'svm.grad_naive': {
    description: 'gradient of the toy problem',
    expect: {
      close: [
        [0.5, -0.5],
        [1, -1],
      ],
      atol: 1e-4,
    },
  },
  'svm.gradcheck_passed': { description: 'numerical gradient check passed', expect: { equals: true } },
  'svm.best_val_accuracy': { description: 'validation accuracy above 0.35', expect: { range: [0.35, 1] } },
};

beforeAll(async () => {
  await ready();
});
beforeEach(() => {
  shown = [];
  setDisplaySink({ display: (b) => shown.push(b) });
  clearRecords();
  cwd = process.cwd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-todo-'));
  fs.writeFileSync(path.join(dir, 'checks.json'), JSON.stringify(CHECKS, null, 2));
  process.chdir(dir);
});
afterEach(() => {
  setDisplaySink(null);
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('an empty TODO in a starter notebook', () => {
  it('record prints "not implemented yet", records the fact for the grader and frees the tensors made before', () => {
    const W = tf.zeros([4, 3]);
    const X = tf.ones([2, 4]);
    const before = tf.memory().numTensors;
    const loss = record('svm.loss_naive', () => svmLossNaive(W, X));
    expect(loss).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    expect(shown).toHaveLength(1);
    expect(shown[0][RECORD_MIME]).toEqual({
      id: 'svm.loss_naive',
      notImplemented: { fn: 'svmLossNaive', file: 'cs231n/classifiers/linearSvm.ts' },
    });
    expect(texts()[0]).toBe('svm.loss_naive: not implemented yet: svmLossNaive in cs231n/classifiers/linearSvm.ts');
    // the following check says the same instead of "nothing recorded"
    expect(check('svm.loss_naive')).toBe(false);
    expect(texts()[1]).toBe('✗ svm.loss_naive — not implemented yet: svmLossNaive in cs231n/classifiers/linearSvm.ts');
    tf.dispose([W, X]);
  });

  it('recognises the error from another copy of the runtime', () => {
    expect(record('knn.accuracy_k1', foreignTodo)).toBeUndefined();
    expect(texts()[0]).toBe(
      'knn.accuracy_k1: not implemented yet: predictLabels in cs231n/classifiers/kNearestNeighbor.ts',
    );
    expect(check('svm.loss_naive', foreignTodo)).toBe(false);
    expect(texts()[1]).toBe(
      '✗ svm.loss_naive — not implemented yet: predictLabels in cs231n/classifiers/kNearestNeighbor.ts',
    );
  });

  it('prints the same lines on stdout when there is no notebook (plain node / tsx)', () => {
    setDisplaySink(null);
    const written: string[] = [];
    const spy = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((s: string | Uint8Array) => (written.push(String(s)), true));
    try {
      record('svm.loss_naive', () => notImplemented('svmLossNaive', 'cs231n/classifiers/linearSvm.ts'));
      check('svm.loss_naive');
      check('svm.best_val_accuracy', 0.38);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toBe(
      'svm.loss_naive: not implemented yet: svmLossNaive in cs231n/classifiers/linearSvm.ts\n' +
        '✗ svm.loss_naive — not implemented yet: svmLossNaive in cs231n/classifiers/linearSvm.ts\n' +
        '✓ svm.best_val_accuracy — validation accuracy above 0.35\n',
    );
  });

  it("a student's real bug is not hidden: record rethrows it, check reports it as a failure", () => {
    const buggy = (): number => {
      throw new RangeError('Index 3073 out of bounds for W of shape [3072, 10]');
    };
    expect(() => record('svm.loss_naive', buggy)).toThrow(RangeError);
    expect(shown).toHaveLength(0);
    expect(check('svm.loss_naive', buggy)).toBe(false);
    expect(texts()[0]).toBe(
      '✗ svm.loss_naive — loss with W ~ 1e-4·randn is about 9 (C − 1 margins of ≈ 1): raised RangeError: Index 3073 out of bounds for W of shape [3072, 10]',
    );
  });

  it("NotImplementedError carries fn and file for the grader's feedback", () => {
    const e = new NotImplementedError('affineForward', 'cs231n/layers.ts');
    expect([e.name, e.fn, e.file, e.message]).toEqual([
      'NotImplementedError',
      'affineForward',
      'cs231n/layers.ts',
      'not implemented yet: affineForward in cs231n/layers.ts',
    ]);
  });
});

describe('check against checks.json in the notebook folder', () => {
  it('passes with the description and fails with the expected and actual values', () => {
    const grad = tf.tensor2d([
      [0.5, -0.5],
      [1, -1.00002],
    ]);
    const wrong = tf.tensor2d([
      [0.5, -0.5],
      [-1, 1],
    ]);
    const results = [
      check('svm.loss_naive', 9.02),
      check('svm.loss_naive', 18.0),
      check('svm.grad_naive', grad),
      check('svm.grad_naive', wrong),
      check('svm.gradcheck_passed', true),
      check('svm.gradcheck_passed', false),
      check('svm.best_val_accuracy', 0.391),
      check('svm.best_val_accuracy', 0.1),
    ];
    expect(results).toEqual([true, false, true, false, true, false, true, false]);
    expect(texts()).toEqual([
      '✓ svm.loss_naive — loss with W ~ 1e-4·randn is about 9 (C − 1 margins of ≈ 1)',
      '✗ svm.loss_naive — loss with W ~ 1e-4·randn is about 9 (C − 1 margins of ≈ 1): expected 9 (atol 0.5, rtol 0.0001), got 18',
      '✓ svm.grad_naive — gradient of the toy problem',
      '✗ svm.grad_naive — gradient of the toy problem: expected 1 (atol 0.0001, rtol 0.0001), got -1 at element 2 of 4 (2 of 4 differ, max |diff| 2)',
      '✓ svm.gradcheck_passed — numerical gradient check passed',
      '✗ svm.gradcheck_passed — numerical gradient check passed: expected true, got false',
      '✓ svm.best_val_accuracy — validation accuracy above 0.35',
      '✗ svm.best_val_accuracy — validation accuracy above 0.35: expected in [0.35, 1], got 0.1',
    ]);
    // every check also has an HTML form, green or red
    expect(shown.map((b) => /#1a7f37/.test(String(b['text/html'])))).toEqual(results);
    tf.dispose([grad, wrong]);
  });

  it('uses what the notebook recorded, the latest value winning', () => {
    record('svm.best_val_accuracy', 0.2);
    expect(check('svm.best_val_accuracy')).toBe(false);
    record('svm.best_val_accuracy', 0.4);
    expect(check('svm.best_val_accuracy')).toBe(true);
  });

  it('explains a Promise instead of comparing it', () => {
    expect(check('svm.loss_naive', Promise.resolve(9))).toBe(false);
    expect(texts()[0]).toBe("✗ svm.loss_naive — got a Promise; await it first: check('svm.loss_naive', await …)");
  });

  it('loadChecks validates every entry and names the broken one', () => {
    expect(Object.keys(loadChecks(dir))).toEqual(Object.keys(CHECKS));
    fs.writeFileSync(
      path.join(dir, 'checks.json'),
      JSON.stringify({ ...CHECKS, 'svm.test_accuracy': { description: 'x', expect: { range: [0.3] } } }),
    );
    fs.utimesSync(path.join(dir, 'checks.json'), new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
    expect(() => loadChecks(dir)).toThrow(/check 'svm\.test_accuracy' expect\.range must be \[min, max\]/);
    expect(check('svm.loss_naive', 9)).toBe(false);
    expect(texts()[0]).toMatch(
      /^✗ svm\.loss_naive — .*checks\.json: check 'svm\.test_accuracy' expect\.range must be \[min, max\] \(null for an open end\)$/,
    );
  });

  // checks.json is validated against kernel/runtime/record/checks.schema.json; each problem is one line.
  const malformed: Array<[string, unknown, string]> = [
    ['not an object of ids', [1, 2], 'checks.json must hold an object of check ids'],
    [
      'an entry without expect',
      { a: { description: 'd' } },
      "check 'a' must be an object with a description string and an expect object",
    ],
    [
      'a description that is not text',
      { a: { description: 3, expect: { equals: 1 } } },
      "check 'a' description must be a string",
    ],
    [
      'an expect of no known kind',
      { a: { description: 'd', expect: {} } },
      "check 'a' has no valid expect: use { close }, { range } or { equals }",
    ],
    [
      'close with text in it',
      { a: { description: 'd', expect: { close: [1, [2, 'x']] } } },
      "check 'a' expect.close must be a number or an array of numbers",
    ],
    [
      'a negative atol',
      { a: { description: 'd', expect: { close: 1, atol: -1 } } },
      "check 'a' expect.atol must be a number ≥ 0",
    ],
    [
      'a range bound that is not a number',
      { a: { description: 'd', expect: { range: [0, 'x'] } } },
      "check 'a' expect.range must be [min, max]",
    ],
    [
      'an unknown key',
      { a: { description: 'd', expect: { equals: 1 }, extra: 1 } },
      "check 'a' must be an object with a description string and an expect object (unknown key 'extra')",
    ],
  ];
  it.each(malformed)(
    'a checks.json with %s is refused in one line that names the problem',
    (_what, content, message) => {
      fs.writeFileSync(path.join(dir, 'checks.json'), JSON.stringify(content));
      let error: Error | undefined;
      try {
        loadChecks(dir);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.name).toBe('ChecksFileError');
      expect(error?.message).toContain(message);
      expect(error?.message).not.toContain('\n');
    },
  );

  it('accepts encoded non-finite numbers in close', () => {
    fs.writeFileSync(
      path.join(dir, 'checks.json'),
      JSON.stringify({ a: { description: 'd', expect: { close: [1, { $num: 'NaN' }] } } }),
    );
    expect(Object.keys(loadChecks(dir))).toEqual(['a']);
  });
});
