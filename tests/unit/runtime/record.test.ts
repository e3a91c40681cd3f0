/**
 * record / check: the encoding the grader reads, the polite handling of empty TODOs, and the
 * public checks in checks.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, ready } from '../../../kernel/runtime/tensor';
import { setDisplaySink, MimeBundle, DisplayOptions } from '../../../kernel/runtime/output';
import { NotImplementedError, notImplemented, isNotImplementedError, ShapeError } from '../../../kernel/runtime/errors';
import {
  check,
  clearRecords,
  decodeValue,
  encodeValue,
  evaluateCheck,
  FULL_TENSOR_LIMIT,
  record,
  RECORD_MIME,
  RecordError,
  recordedValue,
  sampleIndices,
  TensorRecord,
  TensorSummaryRecord,
  tensorFromRecord,
} from '../../../kernel/runtime/record';

type Shown = { bundle: MimeBundle; options?: DisplayOptions };
let shown: Shown[] = [];
const texts = (): string[] => shown.map((s) => String(s.bundle['text/plain']));

let cwd: string;
let dir: string;

beforeAll(async () => {
  await ready();
});

beforeEach(() => {
  shown = [];
  setDisplaySink({ display: (bundle, options) => shown.push({ bundle, options }) });
  clearRecords();
  cwd = process.cwd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-record-'));
  process.chdir(dir);
});

afterEach(() => {
  setDisplaySink(null);
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeChecks(checks: unknown): void {
  fs.writeFileSync(path.join(dir, 'checks.json'), JSON.stringify(checks));
}

describe('errors', () => {
  it('NotImplementedError names the function and the file', () => {
    expect(() => notImplemented('svmLossNaive', 'cs231n/classifiers/linearSvm.ts')).toThrow(
      'not implemented yet: svmLossNaive in cs231n/classifiers/linearSvm.ts',
    );
    try {
      notImplemented('f', 'a.ts');
    } catch (e) {
      expect(e).toBeInstanceOf(NotImplementedError);
      expect(isNotImplementedError(e)).toBe(true);
      expect((e as NotImplementedError).fn).toBe('f');
      expect((e as NotImplementedError).file).toBe('a.ts');
    }
    // one thrown by another copy of the module is recognised by its fields
    const foreign = Object.assign(new Error('not implemented yet: g in b.ts'), {
      name: 'NotImplementedError',
      fn: 'g',
      file: 'b.ts',
    });
    expect(isNotImplementedError(foreign)).toBe(true);
    expect(isNotImplementedError(new Error('x'))).toBe(false);
  });

  it('ShapeError names the argument and both shapes', () => {
    const e = new ShapeError('W', '[D, C]', [3, 4, 5], 'svmLossNaive');
    expect(e.message).toBe('svmLossNaive: W must have shape [D, C], got [3, 4, 5]');
    expect(e.name).toBe('ShapeError');
  });
});

describe('encodeValue / decodeValue', () => {
  it('round-trips numbers, booleans, strings, null, undefined, bigint, arrays and objects', () => {
    const value = {
      a: 1.5,
      b: [true, false, null],
      c: 'knn',
      d: { nested: [1, [2, 3]] },
      e: undefined,
      f: 12345678901234567890n,
      g: -0.25,
    };
    const enc = encodeValue(value);
    expect(JSON.parse(JSON.stringify(enc))).toEqual(enc); // JSON-safe
    expect(decodeValue(JSON.parse(JSON.stringify(enc)))).toEqual(value);
  });

  it('encodes NaN and ±Infinity as $num markers', () => {
    const enc = encodeValue([NaN, Infinity, -Infinity, 2]);
    expect(enc).toEqual([{ $num: 'NaN' }, { $num: 'Infinity' }, { $num: '-Infinity' }, 2]);
    const back = decodeValue(JSON.parse(JSON.stringify(enc))) as number[];
    expect(Number.isNaN(back[0])).toBe(true);
    expect(back.slice(1)).toEqual([Infinity, -Infinity, 2]);
  });

  it('escapes plain objects whose keys look like markers', () => {
    const value = { $tensor: 'not a tensor', other: 1 };
    const enc = encodeValue(value);
    expect(enc).toEqual({ $object: { $tensor: 'not a tensor', other: 1 } });
    expect(decodeValue(enc)).toEqual(value);
  });

  it('round-trips typed arrays, Maps, Sets and Dates', () => {
    const value = [
      new Float32Array([1.5, NaN]),
      new Int32Array([-3, 4]),
      new Map([['k', 1]]),
      new Set([1, 2]),
      new Date('2017-04-01T00:00:00Z'),
    ];
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as unknown[];
    expect(back[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(back[0] as Float32Array)).toEqual([1.5, NaN]);
    expect(back[1]).toEqual(new Int32Array([-3, 4]));
    expect(back[2]).toEqual(new Map([['k', 1]]));
    expect(back[3]).toEqual(new Set([1, 2]));
    expect((back[4] as Date).toISOString()).toBe('2017-04-01T00:00:00.000Z');
  });

  it('encodes a small tensor in full and decodes it without allocating tf memory', () => {
    const t = tf.tensor2d([
      [1, 2.5],
      [NaN, -4],
    ]);
    const enc = encodeValue(t) as { $tensor: { dtype: string; shape: number[]; data: unknown[] } };
    expect(enc.$tensor.dtype).toBe('float32');
    expect(enc.$tensor.shape).toEqual([2, 2]);
    expect(enc.$tensor.data).toEqual([1, 2.5, { $num: 'NaN' }, -4]);
    const before = tf.memory().numTensors;
    const back = decodeValue(JSON.parse(JSON.stringify(enc))) as TensorRecord;
    expect(tf.memory().numTensors).toBe(before);
    expect(back).toBeInstanceOf(TensorRecord);
    expect(back.shape).toEqual([2, 2]);
    expect(back.data).toEqual([1, 2.5, NaN, -4]);
    const again = tensorFromRecord(back);
    expect(Array.from(again.dataSync())).toEqual([1, 2.5, NaN, -4]);
    expect(encodeValue(back)).toEqual(enc); // decoded values encode to the same thing
    again.dispose();
    t.dispose();
  });

  it('keeps int32, bool and string dtypes', () => {
    const ts = [tf.tensor1d([3, -1], 'int32'), tf.tensor1d([1, 0], 'bool'), tf.tensor1d(['a', 'b'], 'string')];
    const back = ts.map((t) => decodeValue(encodeValue(t)) as TensorRecord);
    expect(back.map((b) => b.dtype)).toEqual(['int32', 'bool', 'string']);
    expect(back.map((b) => b.data)).toEqual([
      [3, -1],
      [1, 0],
      ['a', 'b'],
    ]);
    ts.forEach((t) => t.dispose());
  });

  it('summarises tensors with more than 10,000 elements: sum, sumSq, min, max and 256 samples', () => {
    const n = FULL_TENSOR_LIMIT + 1;
    const data = Float32Array.from({ length: n }, (_, i) => (i % 97) - 48);
    const t = tf.tensor2d(data, [1, n]);
    const enc = encodeValue(t) as { $tensorSummary: Record<string, unknown> };
    expect(Object.keys(enc)).toEqual(['$tensorSummary']);
    const s = decodeValue(JSON.parse(JSON.stringify(enc))) as TensorSummaryRecord;
    expect(s).toBeInstanceOf(TensorSummaryRecord);
    expect(s.shape).toEqual([1, n]);
    expect(s.size).toBe(n);
    let sum = 0;
    let sumSq = 0;
    for (const v of data) ((sum += v), (sumSq += v * v));
    expect(s.sum).toBe(sum);
    expect(s.sumSq).toBe(sumSq);
    expect(s.min).toBe(-48);
    expect(s.max).toBe(48);
    expect(s.sample).toHaveLength(256);
    const idx = sampleIndices(n);
    expect(idx[0]).toBe(0);
    expect(idx[255]).toBe(Math.floor((255 * n) / 256));
    expect(s.sample).toEqual(idx.map((i) => data[i]));
    // exactly at the limit the tensor is still recorded in full
    const atLimit = tf.zeros([FULL_TENSOR_LIMIT]);
    expect(Object.keys(encodeValue(atLimit) as object)).toEqual(['$tensor']);
    t.dispose();
    atLimit.dispose();
  });

  it('marks a summary with NaN: min/max NaN and the NaN count', () => {
    const data = new Float32Array(20000).fill(1);
    data[7] = NaN;
    const t = tf.tensor1d(data);
    const s = decodeValue(encodeValue(t)) as TensorSummaryRecord;
    expect(s.nanCount).toBe(1);
    expect(Number.isNaN(s.min)).toBe(true);
    t.dispose();
  });

  it('encodes tensors nested in arrays and objects ([loss, grads])', () => {
    const dW = tf.ones([2, 3]);
    const back = decodeValue(encodeValue([1.25, { dW }])) as [number, { dW: TensorRecord }];
    expect(back[0]).toBe(1.25);
    expect(back[1].dW.shape).toEqual([2, 3]);
    dW.dispose();
  });

  it('refuses functions, disposed tensors, cycles and class instances with a clear RecordError', () => {
    const t = tf.scalar(1);
    t.dispose();
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    class Net {
      w = 1;
    }
    expect(() => encodeValue({ f: () => 1 })).toThrow(/value\.f is a function/);
    expect(() => encodeValue([t])).toThrow(/value\[0\] is a tensor that was already disposed/);
    expect(() => encodeValue(cyc)).toThrow(/cycle/);
    expect(() => encodeValue(new Net())).toThrow(/value is a Net; record numbers/);
    expect(() => encodeValue(() => 1)).toThrow(RecordError);
  });

  it('rejects malformed encodings', () => {
    expect(() => decodeValue({ $what: 1 })).toThrow(/unknown marker \$what/);
    expect(() => decodeValue({ $tensor: { dtype: 'float32' } })).toThrow(/malformed \$tensor/);
  });
});

describe('record', () => {
  it('emits the record MIME bundle with a readable text/plain and returns the value', () => {
    const t = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const out = record('knn.dists_two_loops', t);
    expect(out).toBe(t);
    expect(shown).toHaveLength(1);
    const payload = shown[0].bundle[RECORD_MIME] as { id: string; value: unknown };
    expect(payload.id).toBe('knn.dists_two_loops');
    expect(decodeValue(payload.value)).toBeInstanceOf(TensorRecord);
    expect(texts()[0]).toBe('recorded knn.dists_two_loops: Tensor float32 [2, 2] sum=10 min=1 max=4');
    t.dispose();
  });

  it('records what a thunk returns', () => {
    const v = record('svm.loss', () => 8.9876543);
    expect(v).toBe(8.9876543);
    expect((shown[0].bundle[RECORD_MIME] as { value: unknown }).value).toBe(8.9876543);
    expect(texts()[0]).toBe('recorded svm.loss: 8.98765');
    expect(recordedValue('svm.loss')).toBe(8.9876543);
  });

  it('for a thunk hitting an empty TODO: prints "not implemented yet", records that, returns undefined', () => {
    const v = record('svm.loss_naive', () => notImplemented('svmLossNaive', 'cs231n/classifiers/linearSvm.ts'));
    expect(v).toBeUndefined();
    expect(shown[0].bundle[RECORD_MIME]).toEqual({
      id: 'svm.loss_naive',
      notImplemented: { fn: 'svmLossNaive', file: 'cs231n/classifiers/linearSvm.ts' },
    });
    expect(texts()[0]).toContain('not implemented yet: svmLossNaive in cs231n/classifiers/linearSvm.ts');
  });

  it("lets other errors from a thunk propagate (the cell fails with the student's error)", () => {
    expect(() =>
      record('x', () => {
        throw new TypeError('bad shape');
      }),
    ).toThrow('bad shape');
    expect(shown).toHaveLength(0);
  });

  it('explains Promises and bad ids', () => {
    expect(() => record('x', Promise.resolve(1))).toThrow("record('x', …) got a Promise; await it first");
    expect(() => record('', 1)).toThrow(/non-empty string/);
    expect(() => record('x', { f: Math.max })).toThrow("record('x', …): value.f is a function");
  });

  it('prints text/plain on stdout when there is no display sink', () => {
    setDisplaySink(null);
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      record('plain', 3);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toBe('recorded plain: 3\n');
  });
});

describe('check', () => {
  const CHECKS = {
    'softmax.loss_init': { description: 'loss at init is close to ln(10)', expect: { close: 2.302585, atol: 0.05 } },
    'knn.dists': {
      description: 'two-loop distances on the toy points',
      expect: {
        close: [
          [0, 5],
          [5, 0],
        ],
        atol: 1e-4,
      },
    },
    'knn.acc': { description: 'k=1 accuracy is plausible', expect: { range: [0.2, null] } },
    'knn.labels': { description: 'predicted labels', expect: { equals: [1, 0, 2] } },
    'net.nan': { description: 'loss blows up', expect: { equals: { $num: 'NaN' } } },
    'grad.zero': { description: 'all gradients zero', expect: { close: 0, atol: 1e-6 } },
  };

  beforeEach(() => writeChecks(CHECKS));

  it('passes with ✓, the id and the description', () => {
    expect(check('softmax.loss_init', 2.31)).toBe(true);
    expect(texts()[0]).toBe('✓ softmax.loss_init — loss at init is close to ln(10)');
    expect(String(shown[0].bundle['text/html'])).toMatch(/color:#1a7f37.*✓/);
  });

  it('fails with ✗ and the expected and actual values', () => {
    expect(check('softmax.loss_init', 9.1)).toBe(false);
    expect(texts()[0]).toMatch(
      /^✗ softmax\.loss_init — loss at init is close to ln\(10\): expected 2\.30259 \(atol 0\.05, rtol 0\.0001\), got 9\.1$/,
    );
    expect(String(shown[0].bundle['text/html'])).toMatch(/color:#cf222e/);
  });

  it('compares tensors element-wise and names the first differing element', () => {
    const good = tf.tensor2d([
      [0, 5.00001],
      [5, 0],
    ]);
    const bad = tf.tensor2d([
      [0, 5],
      [4, 0],
    ]);
    expect(check('knn.dists', good)).toBe(true);
    expect(check('knn.dists', bad)).toBe(false);
    expect(texts()[1]).toContain(
      'expected 5 (atol 0.0001, rtol 0.0001), got 4 at element 2 of 4 (1 of 4 differ, max |diff| 1)',
    );
    expect(check('knn.dists', tf.zeros([3, 3]))).toBe(false);
    expect(texts()[2]).toContain('expected 4 numbers, got 9');
    good.dispose();
    bad.dispose();
  });

  it('broadcasts a single expected number and uses min/max for summarised tensors', () => {
    const small = tf.zeros([10]);
    const big = tf.zeros([200, 100]);
    const bigBad = tf.tidy(() => tf.zeros([200, 100]).add(tf.oneHot([3], 20000).reshape([200, 100]).mul(0.5)));
    expect(check('grad.zero', small)).toBe(true);
    expect(check('grad.zero', big)).toBe(true);
    expect(check('grad.zero', bigBad)).toBe(false);
    expect(texts()[2]).toContain('expected every element ≈ 0');
    expect(check('knn.dists', big)).toBe(false);
    expect(texts()[3]).toContain('recorded as a summary');
    [small, big, bigBad].forEach((t) => t.dispose());
  });

  it('checks ranges with an open end', () => {
    expect(check('knn.acc', 0.27)).toBe(true);
    expect(check('knn.acc', 0.1)).toBe(false);
    expect(texts()[1]).toContain('expected in [0.2, ∞], got 0.1');
  });

  it('checks equality of arrays and tensors, NaN included', () => {
    const labels = tf.tensor1d([1, 0, 2], 'int32');
    expect(check('knn.labels', labels)).toBe(true);
    expect(check('knn.labels', [1, 0, 2])).toBe(true);
    expect(check('knn.labels', [1, 1, 2])).toBe(false);
    expect(texts()[2]).toContain('expected [1,0,2], got [1,1,2]');
    expect(check('net.nan', NaN)).toBe(true);
    expect(check('net.nan', 1)).toBe(false);
    labels.dispose();
  });

  it('without a value uses the last value recorded under the id', () => {
    expect(check('softmax.loss_init')).toBe(false);
    expect(texts()[0]).toContain('nothing recorded under this id yet');
    record('softmax.loss_init', 2.29);
    expect(check('softmax.loss_init')).toBe(true);
    record('softmax.loss_init', 7);
    expect(check('softmax.loss_init')).toBe(false);
  });

  it('reports an empty TODO politely, from a thunk or from the record', () => {
    const todo = (): number => notImplemented('softmaxLossNaive', 'cs231n/classifiers/softmax.ts');
    expect(check('softmax.loss_init', todo)).toBe(false);
    expect(texts()[0]).toBe(
      '✗ softmax.loss_init — not implemented yet: softmaxLossNaive in cs231n/classifiers/softmax.ts',
    );
    record('softmax.loss_init', todo);
    expect(check('softmax.loss_init')).toBe(false);
    expect(texts()[2]).toBe(
      '✗ softmax.loss_init — not implemented yet: softmaxLossNaive in cs231n/classifiers/softmax.ts',
    );
  });

  it('turns other errors of a thunk into a failed check instead of a crash', () => {
    expect(
      check('softmax.loss_init', () => {
        throw new RangeError('index 12 out of range');
      }),
    ).toBe(false);
    expect(texts()[0]).toContain('raised RangeError: index 12 out of range');
  });

  it('names an unknown id and lists the known ones', () => {
    expect(check('knn.dist', 1)).toBe(false);
    expect(texts()[0]).toBe(
      '✗ knn.dist — unknown check id; checks.json here has 6 ids: softmax.loss_init, knn.dists, knn.acc, knn.labels, net.nan, grad.zero',
    );
  });

  it('says what to do when checks.json is missing or malformed', () => {
    fs.rmSync(path.join(dir, 'checks.json'));
    expect(check('knn.acc', 0.3)).toBe(false);
    expect(texts()[0]).toContain('no checks.json in');
    fs.writeFileSync(path.join(dir, 'checks.json'), '{ "a": ');
    expect(check('knn.acc', 0.3)).toBe(false);
    expect(texts()[1]).toContain('is not valid JSON');
    writeChecks({ a: { description: 'x', expect: { near: 1 } } });
    expect(check('a', 1)).toBe(false);
    expect(texts()[2]).toContain("check 'a' has no valid expect");
  });

  it('reloads checks.json when it changes (cache by mtime)', () => {
    expect(check('knn.acc', 0.27)).toBe(true);
    writeChecks({ ...CHECKS, 'knn.acc': { description: 'stricter', expect: { range: [0.5, 1] } } });
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'checks.json'), later, later);
    expect(check('knn.acc', 0.27)).toBe(false);
    expect(texts()[1]).toContain('stricter');
  });

  it('evaluateCheck is pure and usable by the grader', () => {
    expect(evaluateCheck({ close: [1, 2], atol: 0.1 }, [1.05, 1.95])).toEqual({ pass: true, reason: '' });
    expect(evaluateCheck({ range: [0, 1] }, { $num: 'NaN' }).pass).toBe(false);
    expect(evaluateCheck({ equals: { a: [1] } }, { a: [1] }).pass).toBe(true);
  });

  it('leaves no tensors behind', () => {
    const t = tf.ones([3, 3]);
    const before = tf.memory().numTensors;
    record('t', t);
    check('grad.zero', t);
    const r = record('t2', () => tf.tidy(() => t.mul(0)));
    expect(tf.memory().numTensors).toBe(before + 1); // only the tensor the thunk returned
    r?.dispose();
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
});
