/**
 * The wasm kernels that copy (kernel/runtime/wasm/gather.ts, slice.ts, tile.ts): GatherV2 as block
 * copies, its gradient UnsortedSegmentSum, Slice from views, and Tile as block copies. Copies, so every case must equal the cpu
 * backend bit for bit, for every axis, dtype and run length (the loop for short runs and the
 * memcpy for long ones), and fail as cpu does on an index out of range.
 */
import { tf, useBackend, BackendName } from '../../../kernel/runtime/tensor';
import { stockWasmKernel } from '../../../kernel/runtime/wasm';
import { normals, size } from '../../helpers/tensor';

interface Case {
  shape: number[];
  dtype: Dtype;
  indices: number[];
  indicesShape: number[];
  axis: number;
  batchDims?: number;
}

/** Deterministic indices in [0, n), with repeats. */
function picks(count: number, n: number, seed: number): number[] {
  return Array.from(normals(count, seed), (v) => Math.floor(Math.abs(v * 1e4)) % n);
}

type Dtype = 'float32' | 'int32' | 'bool';

/** A tensor from seeded normals: as they are, ×scale rounded (int32), or > 0 (bool). */
function seeded(shape: number[], dtype: Dtype, seed: number, scale = 1000): tf.Tensor {
  const v = normals(size(shape), seed);
  if (dtype === 'float32') return tf.tensor(v, shape, 'float32');
  if (dtype === 'int32')
    return tf.tensor(
      Int32Array.from(v, (t) => Math.round(t * scale)),
      shape,
      'int32',
    );
  return tf.tensor(
    Uint8Array.from(v, (t) => (t > 0 ? 1 : 0)),
    shape,
    'bool',
  );
}

function build(c: Case): tf.Tensor {
  const x = seeded(c.shape, c.dtype, { float32: 5, int32: 6, bool: 7 }[c.dtype]);
  const idx = tf.tensor(c.indices, c.indicesShape, 'int32');
  return tf.gather(x, idx, c.axis, c.batchDims ?? 0);
}

async function on(backend: BackendName, c: Case): Promise<{ shape: number[]; values: number[] }> {
  await useBackend(backend);
  const out = tf.tidy(() => build(c));
  const res = { shape: out.shape, values: Array.from(await out.data()) };
  out.dispose();
  return res;
}

const cases: Array<[string, Case]> = [
  [
    'minibatch rows of a [1000, 785] matrix',
    { shape: [1000, 785], dtype: 'float32', indices: picks(200, 1000, 1), indicesShape: [200], axis: 0 },
  ],
  [
    'columns (axis 1, short slices)',
    { shape: [7, 13], dtype: 'float32', indices: [12, 0, 5, 5], indicesShape: [4], axis: 1 },
  ],
  [
    'the last axis, negative axis',
    { shape: [3, 4, 9], dtype: 'float32', indices: [8, 1], indicesShape: [2], axis: -1 },
  ],
  [
    'images (rank 4, axis 0)',
    { shape: [20, 6, 6, 3], dtype: 'float32', indices: picks(11, 20, 2), indicesShape: [11], axis: 0 },
  ],
  ['2-D indices', { shape: [9, 20], dtype: 'float32', indices: picks(6, 9, 3), indicesShape: [2, 3], axis: 0 }],
  ['int32 labels', { shape: [1000], dtype: 'int32', indices: picks(200, 1000, 4), indicesShape: [200], axis: 0 }],
  ['bool rows', { shape: [10, 40], dtype: 'bool', indices: [9, 0, 3], indicesShape: [3], axis: 0 }],
  [
    'batchDims 1',
    { shape: [4, 5, 17], dtype: 'float32', indices: picks(12, 5, 5), indicesShape: [4, 3], axis: 1, batchDims: 1 },
  ],
  ['no indices', { shape: [6, 30], dtype: 'float32', indices: [], indicesShape: [0], axis: 0 }],
];

afterAll(async () => {
  await useBackend('wasm');
});

describe('GatherV2 on wasm (block copies)', () => {
  it('replaced the stock kernel', async () => {
    await useBackend('wasm');
    expect(stockWasmKernel(tf.GatherV2)).toBeDefined();
  });
  it.each(cases)('%s: equal to cpu, bit for bit', async (_, c) => {
    const ref = await on('cpu', c);
    const got = await on('wasm', c);
    expect(got.shape).toEqual(ref.shape);
    expect(got.values).toEqual(ref.values);
  });
  it('an index out of range fails as on cpu, naming the index and the range', async () => {
    const bad: Case = { shape: [5, 3], dtype: 'float32', indices: [0, 5], indicesShape: [2], axis: 0 };
    await expect(on('cpu', bad)).rejects.toThrow('GatherV2: the index value 5 is not in [0, 4]');
    await expect(on('wasm', bad)).rejects.toThrow('GatherV2: the index value 5 is not in [0, 4]');
  });
  it('leaves no data behind on the wasm heap, and its gradient (a scatter) still equals cpu', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    tf.dispose(tf.tidy(() => build(cases[0][1])));
    expect(backend.numDataIds()).toBe(before);
    const grad = async (b: BackendName): Promise<number[]> => {
      await useBackend(b);
      const g = tf.tidy(() => {
        const x = tf.tensor(normals(60, 8), [12, 5]);
        return tf.grad((t: tf.Tensor) =>
          tf
            .gather(t, tf.tensor1d([3, 3, 11, 0], 'int32'))
            .square()
            .sum(),
        )(x);
      });
      const v = Array.from(await g.data());
      g.dispose();
      return v;
    };
    expect(await grad('wasm')).toEqual(await grad('cpu'));
  });
});

describe('UnsortedSegmentSum on wasm (missing from stock wasm; gather needs it for its gradient)', () => {
  const segments = async (b: BackendName, dtype: 'float32' | 'int32'): Promise<number[]> => {
    await useBackend(b);
    const out = tf.tidy(() => {
      const x =
        dtype === 'float32'
          ? tf.tensor(normals(7 * 3 * 4, 9), [7, 3, 4])
          : tf.tensor(
              Int32Array.from(normals(7 * 3 * 4, 9), (v) => Math.round(v * 50)),
              [7, 3, 4],
              'int32',
            );
      return tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 4, 4, 4, 1], 'int32'), 6);
    });
    expect(out.shape).toEqual([6, 3, 4]);
    const v = Array.from(await out.data());
    out.dispose();
    return v;
  };
  it.each(['float32', 'int32'] as const)('%s: equal to cpu, bit for bit (an empty segment is 0)', async (dtype) => {
    await useBackend('wasm');
    expect(stockWasmKernel(tf.UnsortedSegmentSum)).toBeUndefined();
    expect(await segments('wasm', dtype)).toEqual(await segments('cpu', dtype));
  });
});

describe('Slice on wasm (from views of the heap)', () => {
  const slices: Array<[string, number[], Dtype, number | number[], number | number[]]> = [
    ['the first images of a data set (contiguous)', [60, 7, 7, 1], 'float32', [0, 0, 0, 0], [13, -1, -1, -1]],
    ['a block of columns (runs of the last axis)', [9, 40], 'float32', [2, 5], [4, 30]],
    ['short runs', [5, 6, 7], 'float32', [1, 2, 3], [3, 2, 2]],
    ['rank 5', [3, 4, 2, 5, 20], 'float32', [1, 1, 0, 2, 3], [2, 2, 2, 3, 17]],
    ['a scalar begin, int32', [50], 'int32', 7, 20],
    ['bool', [6, 33], 'bool', [1, 0], [2, 33]],
    ['empty', [4, 4], 'float32', [1, 1], [0, 3]],
  ];
  const run = async (
    b: BackendName,
    shape: number[],
    dtype: Dtype,
    begin: number | number[],
    sz: number | number[],
  ) => {
    await useBackend(b);
    const out = tf.tidy(() => tf.slice(seeded(shape, dtype, 11, 100), begin, sz));
    const res = { shape: out.shape, values: Array.from(await out.data()) };
    out.dispose();
    return res;
  };
  it.each(slices)('%s: equal to cpu, bit for bit', async (_, shape, dtype, begin, sz) => {
    await useBackend('wasm');
    expect(stockWasmKernel(tf.Slice)).toBeDefined();
    const ref = await run('cpu', shape, dtype, begin, sz);
    expect(await run('wasm', shape, dtype, begin, sz)).toEqual(ref);
  });
});

describe('Tile on wasm (block copies, repeats by doubling)', () => {
  const tiles: Array<[string, number[], Dtype, number[]]> = [
    ['a row of 100 into [100, 100] (broadcastTo)', [1, 100], 'float32', [100, 1]],
    ['a column repeated along the rows (rows of one element)', [30, 1], 'float32', [1, 40]],
    ['short rows, both axes', [3, 5], 'float32', [4, 3]],
    ['rank 3, long rows', [2, 3, 20], 'float32', [2, 1, 3]],
    ['rank 5', [2, 1, 3, 1, 17], 'float32', [1, 3, 2, 2, 2]],
    ['rank 1, int32', [17], 'int32', [3]],
    ['bool', [4, 18], 'bool', [2, 2]],
    ['a zero repeat', [3, 4], 'float32', [0, 2]],
    ['short rows repeated 37 times along the row', [5, 3], 'float32', [3, 37]],
    ['inner blocks repeated on every axis, int32', [2, 3, 4], 'int32', [3, 5, 7]],
  ];
  const run = async (b: BackendName, shape: number[], dtype: Dtype, reps: number[]) => {
    await useBackend(b);
    const out = tf.tidy(() => tf.tile(seeded(shape, dtype, 13), reps));
    const res = { shape: out.shape, values: Array.from(await out.data()) };
    out.dispose();
    return res;
  };
  it.each(tiles)('%s: equal to cpu, bit for bit', async (_, shape, dtype, reps) => {
    await useBackend('wasm');
    expect(stockWasmKernel(tf.Tile)).toBeDefined();
    const ref = await run('cpu', shape, dtype, reps);
    expect(await run('wasm', shape, dtype, reps)).toEqual(ref);
  });

  it('leaves no data behind on the wasm heap, and its gradient (sums of the copies) equals cpu', async () => {
    const grad = async (b: BackendName) => {
      await useBackend(b);
      const g = tf.tidy(() =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tile(x, [3, 2]), seeded([6, 10], 'float32', 15))))(
          seeded([2, 5], 'float32', 14),
        ),
      );
      const values = Array.from(await g.data());
      g.dispose();
      return values;
    };
    const cpu = await grad('cpu');
    await useBackend('wasm');
    const heap = tf.backend() as unknown as { numDataIds(): number };
    const before = heap.numDataIds();
    const wasm = await grad('wasm');
    expect(heap.numDataIds()).toBe(before);
    wasm.forEach((v, i) => expect(Math.abs(v - cpu[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(cpu[i]))));
  });
});
