/**
 * The record wire format end to end: values recorded by the notebook runtime (record() in
 * kernel/runtime) travel as JSON and are read by the grader's own steps (grader/value.ts,
 * grader/compare.ts, grader/collect.ts), which must see exactly what was recorded. One codec and
 * one summary (kernel/protocol) serve both sides; this test would catch them drifting apart.
 */
import {
  tf,
  ready,
  record,
  clearRecords,
  setDisplaySink,
  notImplemented,
  RandomGenerator,
  type MimeBundle,
} from '../../../kernel/runtime';
import {
  decodeValue,
  encodeValue,
  FULL_TENSOR_LIMIT,
  NotImplementedRecord,
  payloadValue,
  RECORD_MIME,
  sampleIndices,
  summarize,
  TensorSummaryRecord,
  type Encoded,
  type RecordPayload,
} from '../../../kernel/protocol';
import { compare } from '../../../grader/compare';
import { numeric } from '../../../grader/value';
import { collect } from '../../../grader/collect';
import type { RunOutput, Spec, SpecItem, Submission } from '../../../grader/types';

let payloads: RecordPayload[] = [];

beforeAll(async () => {
  await ready();
});
beforeEach(() => {
  payloads = [];
  clearRecords();
  setDisplaySink({
    display: (bundle: MimeBundle) =>
      void (RECORD_MIME in bundle && payloads.push(bundle[RECORD_MIME] as RecordPayload)),
  });
});
afterEach(() => setDisplaySink(null));

/** Records `value` on the runtime side and returns what the grader receives: the payload's value after a JSON trip. */
function recordAndShip(id: string, value: unknown): Encoded {
  record(id, value);
  const payload = payloads[payloads.length - 1];
  expect(payload.id).toBe(id);
  return payloadValue(JSON.parse(JSON.stringify(payload)) as RecordPayload);
}

function randomData(n: number, seed: number): Float32Array {
  const rng = new RandomGenerator(seed);
  return Float32Array.from({ length: n }, () => rng.randomUniformNumber(-1, 1));
}

describe('what the runtime records, the grader reads back unchanged', () => {
  const plain: Array<[string, unknown, unknown]> = [
    // id, value, a different value of the same kind
    ['number', 0.1234567, 0.125],
    ['integer', 42, 43],
    ['nan', NaN, 0],
    ['infinity', -Infinity, -1e30],
    ['boolean', true, false],
    ['string', 'svm', 'softmax'],
    ['vector', [1, 2.5, -3], [1, 2.5, -3.1]],
    [
      'matrix',
      [
        [1, 2],
        [3, NaN],
      ],
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ];
  it.each(plain)('%s: equal to itself, not to a different value', (id, value, other) => {
    const found = recordAndShip(`t.${id}`, value);
    expect(found).toEqual(encodeValue(value));
    expect(compare(found, found).fraction).toBe(1);
    expect(compare(recordAndShip(`t.${id}.other`, other), found).fraction).toBe(0);
  });

  const dtypes: Array<['float32' | 'int32' | 'bool' | 'string', unknown[]]> = [
    ['float32', [0.5, -1.25, 3e-7, 2]],
    ['int32', [3, -1, 0, 7]],
    ['bool', [true, false, true, true]],
    ['string', ['cat', 'dog', 'ship', 'frog']],
  ];
  it.each(dtypes)('a %s tensor keeps dtype, shape and data', (dtype, data) => {
    const t = tf.tensor(data as never, [2, 2], dtype);
    const found = recordAndShip(`t.${dtype}`, t);
    const back = decodeValue(found) as { dtype: string; shape: number[]; data: unknown[] };
    expect([back.dtype, back.shape]).toEqual([dtype, [2, 2]]);
    expect(back.data).toEqual(dtype === 'bool' ? data.map(Number) : Array.from(t.dataSync() as ArrayLike<unknown>));
    expect(compare(found, found).fraction).toBe(1);
    const changed = tf.tensor([data[1], data[0], ...data.slice(2)] as never, [2, 2], dtype);
    expect(compare(recordAndShip(`t.${dtype}.other`, changed), found).fraction).toBe(0);
    tf.dispose([t, changed]);
  });

  it('a tensor past the full-data limit arrives as the summary the grader computes from the same data', () => {
    const shape = [101, 100];
    const data = randomData(101 * 100, 231);
    expect(data.length).toBeGreaterThan(FULL_TENSOR_LIMIT);
    const t = tf.tensor(data, shape);
    const reference = recordAndShip('t.big', t);
    const s = decodeValue(reference) as TensorSummaryRecord;
    expect(s).toBeInstanceOf(TensorSummaryRecord);
    // the grader's summary of the same numbers (grader/compare.ts summarises with kernel/protocol's summarize)
    expect(s).toEqual(summarize('float32', shape, data));
    expect(s.sample).toEqual(sampleIndices(data.length).map((i) => data[i]));
    const view = numeric(reference);
    expect(view && 'summary' in view && view.summary).toEqual(s);
    // A full value of the same numbers (a nested array is never summarised) scores against the summary.
    const nested = Array.from({ length: shape[0] }, (_, r) =>
      Array.from(data.subarray(r * shape[1], (r + 1) * shape[1])),
    );
    expect(compare(encodeValue(nested), reference)).toEqual({ fraction: 1, reason: '' });
    // …and a change at a sampled element does not.
    const i = sampleIndices(data.length)[100];
    nested[Math.floor(i / shape[1])][i % shape[1]] += 0.5;
    expect(compare(encodeValue(nested), reference).fraction).toBe(0);
    t.dispose();
  });

  it('a tensor containing NaN: NaN statistics and NaN samples agree on both sides', () => {
    const shape = [12_000];
    const data = randomData(shape[0], 7);
    for (const i of [0, 47, 5_000, 11_999]) data[i] = NaN; // 0 and 47 are sampled indices
    const t = tf.tensor(data, shape);
    const reference = recordAndShip('t.nan', t);
    const s = decodeValue(reference) as TensorSummaryRecord;
    expect(s.nanCount).toBe(4);
    expect([s.sum, s.sumSq, s.min, s.max]).toEqual([NaN, NaN, NaN, NaN]);
    expect(s).toEqual(summarize('float32', shape, data));
    expect(compare(encodeValue(Array.from(data)), reference)).toEqual({ fraction: 1, reason: '' });
    const noNaN = Float32Array.from(data, (x) => (Number.isNaN(x) ? 0 : x));
    expect(compare(encodeValue(Array.from(noNaN)), reference).fraction).toBe(0);
    // small tensors carry NaN element-wise
    const small = recordAndShip('t.nan.small', tf.tensor([1, NaN, 3]));
    expect(compare(small, small).fraction).toBe(1);
    expect(compare(recordAndShip('t.nan.small.other', tf.tensor([1, 2, 3])), small).fraction).toBe(0);
    t.dispose();
  });

  it('an empty TODO arrives as the $notImplemented marker, and the grader says which function', () => {
    const found = recordAndShip('t.todo', () => notImplemented('svmLossNaive', 'cs231n/classifiers/linearSvm.ts'));
    expect(found).toEqual({ $notImplemented: { fn: 'svmLossNaive', file: 'cs231n/classifiers/linearSvm.ts' } });
    expect(decodeValue(found)).toEqual(new NotImplementedRecord('svmLossNaive', 'cs231n/classifiers/linearSvm.ts'));
    expect(compare(found, 8.9).fraction).toBe(0);
    const item: SpecItem = {
      id: 't.todo',
      title: 'svm loss',
      group: 'g',
      points: 1,
      kind: 'record',
      notebook: 'svm.ipynb',
    };
    const spec: Spec = {
      assignment: 'a',
      title: 'A',
      notebooks: ['svm.ipynb'],
      modules: [],
      hiddenTests: [],
      hiddenSeed: 0,
      groups: [],
      items: [item],
    };
    const sub: Submission = { student: 's', source: 's', hash: 'h', root: '/tmp/s', missing: [] };
    const run: RunOutput = {
      records: { 't.todo': found },
      recordedAt: {},
      hidden: {},
      tasks: [],
      sandboxNotes: [],
      wallSeconds: 0,
    };
    expect(collect(spec, item, sub, [], run)).toEqual({
      ok: false,
      reason: 'not implemented yet: svmLossNaive in cs231n/classifiers/linearSvm.ts',
    });
  });
});
