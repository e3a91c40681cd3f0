/**
 * The Sum and Mean gradients on wasm (kernel/runtime/wasm/gradients.ts): dy broadcast by Tile
 * instead of multiplied by a tensor of ones. The values must be tfjs's own, bit for bit, so each
 * case is compared with the cpu backend (which keeps tfjs's gradients) with exact equality.
 */
import { tf, useBackend, BackendName } from '../../../kernel/runtime/tensor';
import { randn } from '../../helpers/tensor';

type Reduce = 'sum' | 'mean';

interface Case {
  op: Reduce;
  shape: number[];
  axis?: number | number[];
  keepDims?: boolean;
}

const cases: Array<[string, Case]> = [
  ['sum over the batch axis of a [100, 100] activation (dbeta)', { op: 'sum', shape: [100, 100], axis: 0 }],
  ['mean over the batch axis (batchnorm mean)', { op: 'mean', shape: [100, 100], axis: 0 }],
  ['sum of every element (a regularisation term)', { op: 'sum', shape: [37, 11] }],
  ['mean of every element (a mean loss)', { op: 'mean', shape: [5, 7, 3] }],
  ['sum over the last axis, negative index, keepDims', { op: 'sum', shape: [9, 13], axis: -1, keepDims: true }],
  ['mean over axes 0 and 2 of rank 3', { op: 'mean', shape: [4, 6, 5], axis: [0, 2] }],
  ['mean over the spatial axes of NHWC (spatial batchnorm)', { op: 'mean', shape: [3, 4, 4, 8], axis: [0, 1, 2] }],
  ['sum of a scalar', { op: 'sum', shape: [] }],
  ['sum over an axis of length 1', { op: 'sum', shape: [6, 1, 4], axis: 1 }],
];

/** d/dx Σ c·reduce(x), with c seeded: dy of the reduction is c, not ones. */
async function gradient(backend: BackendName, c: Case): Promise<{ shape: number[]; values: number[] }> {
  await useBackend(backend);
  const g = tf.tidy(() => {
    const x = randn(c.shape, 21);
    const reduce = (t: tf.Tensor) => (c.op === 'sum' ? tf.sum : tf.mean)(t, c.axis, c.keepDims);
    const weights = randn(reduce(x).shape, 22);
    return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reduce(t), weights)))(x);
  });
  const res = { shape: g.shape, values: Array.from(await g.data()) };
  g.dispose();
  return res;
}

describe('Sum and Mean gradients on wasm (dy broadcast, no tensor of ones)', () => {
  it.each(cases)('%s: equal to cpu, bit for bit', async (_, c) => {
    const cpu = await gradient('cpu', c);
    expect(await gradient('wasm', c)).toEqual(cpu);
  });

  it('takes the broadcast on wasm (Tile, no Multiply) and leaves tfjs gradient on cpu', async () => {
    const kernels = async (backend: BackendName) => {
      await useBackend(backend);
      const x = randn([30, 20], 23);
      const info = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.mean(tf.sum(t, 0)))(x));
      x.dispose();
      return info.kernelNames;
    };
    const wasm = await kernels('wasm');
    expect(wasm).toContain('Tile');
    expect(wasm).not.toContain('Multiply');
    expect(await kernels('cpu')).toContain('Multiply');
  });

  it('leaves no data behind on the wasm heap', async () => {
    await useBackend('wasm');
    const heap = tf.backend() as unknown as { numDataIds(): number };
    const x = randn([50, 40], 24);
    const before = heap.numDataIds();
    const g = tf.grad((t: tf.Tensor) => tf.add(tf.sum(tf.square(t)), tf.mean(tf.mean(t, 1))))(x);
    g.dispose();
    expect(heap.numDataIds()).toBe(before);
    x.dispose();
  });
});
