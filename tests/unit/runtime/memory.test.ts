/**
 * tfjs tensors are not garbage-collected on wasm (or native) backends: a helper that forgets a
 * dispose leaks wasm heap for ever. 1,000 forward/backward steps through the runtime (100 on the
 * slow cpu backend) must leave the tensor count, and the backend's own data count, flat.
 */
import { tf, useBackend, BackendName } from '../../../kernel/runtime/tensor';
import { normals } from '../../helpers/tensor';

/**
 * Steps per backend. wasm, whose heap is never garbage-collected, runs the full 1,000 (~8 s).
 * tfjs's pure-JS Conv2DBackpropFilter makes each cpu step 75–250 ms even at these tiny sizes
 * (213 s for 1,000 steps on a loaded 2-core box), so cpu runs 100: a leak of one tensor per step
 * still shows as 100.
 */
const STEPS: Record<BackendName, number> = { wasm: 1000, cpu: 100, tensorflow: 1000 };

/**
 * A small conv net trained with SGD: conv 3×3 – ReLU – 2×2 max pool – affine – ReLU – affine –
 * softmax loss, all gradients via tf.variableGrads. This exercises every wasm kernel fix
 * (Conv2DBackpropFilter/Input, MaxPoolGrad, transposed BatchMatMul) in every step.
 */
function makeModel() {
  const v = (shape: number[], seed: number, scale: number) =>
    tf.variable(
      tf
        .tensor(
          normals(
            shape.reduce((a, b) => a * b, 1),
            seed,
          ),
          shape,
        )
        .mul(scale),
    );
  const params = {
    w1: v([3, 3, 3, 4], 1, 0.3),
    b1: v([4], 2, 0),
    w2: v([4 * 4 * 4, 16], 3, 0.2),
    b2: v([16], 4, 0),
    w3: v([16, 10], 5, 0.2),
    b3: v([10], 6, 0),
  };
  const x = tf.tensor4d(normals(8 * 8 * 8 * 3, 7), [8, 8, 8, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  const loss = (): tf.Scalar => {
    const h = tf.maxPool(
      tf.relu(tf.conv2d(x, params.w1 as tf.Tensor4D, 1, 'same').add(params.b1)) as tf.Tensor4D,
      2,
      2,
      'valid',
    );
    const a = tf.relu(tf.matMul(h.reshape([8, -1]), params.w2).add(params.b2));
    return tf.losses.softmaxCrossEntropy(y, tf.matMul(a, params.w3).add(params.b3)) as tf.Scalar;
  };
  const step = (lr: number): number =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss);
      for (const [name, g] of Object.entries(grads)) {
        const p = params[name as keyof typeof params] ?? Object.values(params).find((q) => q.name === name)!;
        p.assign(p.sub(g.mul(lr)));
      }
      return value.dataSync()[0];
    });
  const dispose = () => tf.dispose([...Object.values(params), x, y]);
  return { step, dispose };
}

describe.each<BackendName>(['wasm', 'cpu'])('memory on %s', (backend) => {
  it(`${STEPS[backend]} forward/backward steps keep tf.memory().numTensors and the backend's data flat`, async () => {
    await useBackend(backend);
    const kernelBackend = tf.backend() as unknown as { numDataIds(): number };
    const model = makeModel();
    const first = model.step(0.1);
    const tensors = tf.memory().numTensors;
    const dataIds = kernelBackend.numDataIds();
    let last = first;
    for (let i = 1; i < STEPS[backend]; i++) last = model.step(0.1);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(kernelBackend.numDataIds()).toBe(dataIds);
    // The steps really trained (so the gradients flowed): the loss on this fixed batch fell.
    expect(last).toBeLessThan(first * 0.5);
    model.dispose();
  });
});
