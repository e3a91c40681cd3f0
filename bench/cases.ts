/**
 * The benchmark cases, for any tfjs backend. Sizes are the course's (issue 2, §6); the numpy
 * twins live in ./numpy_bench.py and compute the same things the way CS231n's fast layers do.
 *
 * Layout: tfjs is NHWC, so images are [N, H, W, C] here (the kit's NCHW layers transpose around
 * the same kernels).
 */
import type * as tfType from '@tensorflow/tfjs';

type TF = typeof tfType;

export interface BenchCase {
  id: string;
  title: string;
  /** Floating-point operations per run (multiply-add = 2), or null where memory bound. */
  flops: number | null;
  /** Allocate inputs; returns the function to time (bench/worker.ts says when its results are read back) and a disposer. */
  setup(tf: TF, randn: (shape: number[]) => tfType.Tensor): { run(): tfType.Tensor[]; dispose(): void };
}

const conv = { N: 50, H: 32, W: 32, C: 3, F: 32, K: 7 };
const convFlops = 2 * conv.N * conv.H * conv.W * conv.F * conv.C * conv.K * conv.K;
const mlp = { N: 200, D: 3072, H: 100, C: 10 };
const mlpFwd1 = 2 * mlp.N * mlp.D * mlp.H;
const mlpFwd2 = 2 * mlp.N * mlp.H * mlp.C;

const fc = { N: 100, D: 784, H: 100, L: 4, C: 10 };
// forward, dW and dx of every affine layer (the course's affine_backward computes dx for all)
const fcFlops = 3 * 2 * fc.N * (fc.D * fc.H + (fc.L - 1) * fc.H * fc.H + fc.H * fc.C);

/** Labels 0..classes-1 as in the numpy twin: (i·7) mod classes. */
function labels(tf: TF, n: number, classes: number): tfType.Tensor {
  return tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => (i * 7) % classes),
      'int32',
    ),
    classes,
  );
}

/** Softmax cross-entropy, mean over rows: the course's softmax_loss. */
function softmaxLoss(tf: TF, scores: tfType.Tensor, onehot: tfType.Tensor): tfType.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(scores)), 1))) as tfType.Scalar;
}

/** ½·reg·Σ‖W‖², the course's regularisation. */
function l2(tf: TF, reg: number, ws: tfType.Tensor[]): tfType.Tensor {
  return tf.mul(0.5 * reg, tf.addN(ws.map((w) => tf.sum(tf.square(w)))));
}

/** The course's softmax_loss: the mean cross-entropy and its gradient (probs − onehot) / N. */
function softmaxLossAndGrad(tf: TF, scores: tfType.Tensor, onehot: tfType.Tensor): [tfType.Tensor, tfType.Tensor] {
  const n = scores.shape[0];
  const shifted = tf.sub(scores, tf.max(scores, 1, true));
  const logProbs = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true)));
  const loss = tf.div(tf.neg(tf.sum(tf.mul(logProbs, onehot))), n);
  return [loss, tf.div(tf.sub(tf.exp(logProbs), onehot), n)];
}

/** The FC net's input, labels and parameters (He-initialised weights, gamma 1, beta 0). */
function fcParams(tf: TF, randn: (shape: number[]) => tfType.Tensor) {
  const X = randn([fc.N, fc.D]);
  const onehot = labels(tf, fc.N, fc.C);
  const dims = [fc.D, ...Array<number>(fc.L).fill(fc.H), fc.C];
  const Ws = dims.slice(1).map((d, i) => tf.mul(randn([dims[i], d]), Math.sqrt(2 / dims[i])));
  const bs = dims.slice(1).map((d) => tf.zeros([d]));
  const gammas = Array.from({ length: fc.L }, () => tf.ones([fc.H]));
  const betas = Array.from({ length: fc.L }, () => tf.zeros([fc.H]));
  return { X, onehot, Ws, bs, gammas, betas, all: [X, ...Ws, ...bs, ...gammas, ...betas] };
}

/**
 * ThreeLayerConvNet's training step with tf ops (the kit's conv layers are the assignment's):
 * conv 32 7×7 same – ReLU – 2×2 max pool – affine 100 – ReLU – affine 10 – softmax, batch 50,
 * every gradient including dx (numpy's conv_backward_fast computes it too). NHWC.
 */
function convNetCase(id: string, c: number, hw: number): BenchCase {
  const n = 50;
  const f = 32;
  const flat = f * (hw / 2) * (hw / 2);
  const convFl = 2 * n * hw * hw * f * c * 49;
  return {
    id,
    title: `ThreeLayerConvNet step ${n}×${c}×${hw}×${hw} (conv 32 7×7, pool, 100, 10)`,
    flops: 3 * convFl + 3 * 2 * n * (flat * 100 + 100 * 10),
    setup(tf, randn) {
      const X = randn([n, hw, hw, c]);
      const onehot = labels(tf, n, 10);
      const params = [
        tf.mul(randn([7, 7, c, f]), 1e-3),
        tf.zeros([f]),
        tf.mul(randn([flat, 100]), 1e-3),
        tf.zeros([100]),
        tf.mul(randn([100, 10]), 1e-3),
        tf.zeros([10]),
      ];
      const reg = 1e-3;
      const loss = (
        x: tfType.Tensor,
        w1: tfType.Tensor,
        b1: tfType.Tensor,
        w2: tfType.Tensor,
        b2: tfType.Tensor,
        w3: tfType.Tensor,
        b3: tfType.Tensor,
      ): tfType.Scalar => {
        const conv = tf.relu(tf.add(tf.conv2d(x as tfType.Tensor4D, w1 as tfType.Tensor4D, 1, 'same'), b1));
        const pooled = tf.maxPool(conv as tfType.Tensor4D, 2, 2, 'valid');
        const h = tf.relu(tf.add(tf.matMul(tf.reshape(pooled, [n, flat]), w2), b2));
        const scores = tf.add(tf.matMul(h, w3), b3);
        return tf.add(softmaxLoss(tf, scores, onehot), l2(tf, reg, [w1, w2, w3])) as tfType.Scalar;
      };
      const g = tf.valueAndGrads(loss as (...a: tfType.Tensor[]) => tfType.Scalar);
      return {
        run: () => {
          const { value, grads } = g([X, ...params]);
          return [value, ...grads];
        },
        dispose: () => tf.dispose([X, onehot, ...params]),
      };
    },
  };
}

export const CASES: BenchCase[] = [
  {
    id: 'matmul',
    title: 'matMul 1024×1024 · 1024×1024',
    flops: 2 * 1024 ** 3,
    setup(tf, randn) {
      const a = randn([1024, 1024]);
      const b = randn([1024, 1024]);
      return { run: () => [tf.matMul(a, b)], dispose: () => tf.dispose([a, b]) };
    },
  },
  {
    id: 'knn',
    title: 'kNN no-loop L2 distances 500×5000×3072',
    flops: 2 * 500 * 5000 * 3072,
    setup(tf, randn) {
      const X = randn([500, 3072]);
      const Y = randn([5000, 3072]);
      // ‖x − y‖² = ‖x‖² + ‖y‖² − 2·x·y, as the course's computeDistancesNoLoops
      const run = () => [
        tf.tidy(() => {
          const xx = tf.sum(tf.square(X), 1, true);
          const yy = tf.sum(tf.square(Y), 1).reshape([1, -1]);
          const xy = tf.matMul(X, Y, false, true);
          return tf.sqrt(tf.relu(tf.sub(tf.add(xx, yy), tf.mul(xy, 2))));
        }),
      ];
      return { run, dispose: () => tf.dispose([X, Y]) };
    },
  },
  {
    id: 'conv_fwd',
    title: 'conv2d forward 50×32×32×3, 32 filters 7×7, same',
    flops: convFlops,
    setup(tf, randn) {
      const x = randn([conv.N, conv.H, conv.W, conv.C]) as tfType.Tensor4D;
      const w = randn([conv.K, conv.K, conv.C, conv.F]) as tfType.Tensor4D;
      return { run: () => [tf.conv2d(x, w, 1, 'same')], dispose: () => tf.dispose([x, w]) };
    },
  },
  {
    id: 'conv_fwd_bwd',
    title: 'conv2d forward+backward (dx, dw)',
    flops: 3 * convFlops,
    setup(tf, randn) {
      const x = randn([conv.N, conv.H, conv.W, conv.C]) as tfType.Tensor4D;
      const w = randn([conv.K, conv.K, conv.C, conv.F]) as tfType.Tensor4D;
      const dout = randn([conv.N, conv.H, conv.W, conv.F]);
      // tf.grads with an explicit dy: forward, Conv2DBackpropInput and Conv2DBackpropFilter only
      const g = tf.grads((a: tfType.Tensor, b: tfType.Tensor) =>
        tf.conv2d(a as tfType.Tensor4D, b as tfType.Tensor4D, 1, 'same'),
      );
      return { run: () => g([x, w], dout), dispose: () => tf.dispose([x, w, dout]) };
    },
  },
  {
    id: 'mlp_step',
    title: 'two-layer MLP step 200×3072→100→10 (loss + all grads)',
    // forward, then dW2 and dh (second layer twice), dW1 (first layer once); no dX
    flops: 2 * mlpFwd1 + 3 * mlpFwd2,
    setup(tf, randn) {
      const X = randn([mlp.N, mlp.D]);
      const onehot = labels(tf, mlp.N, mlp.C);
      const W1 = tf.mul(randn([mlp.D, mlp.H]), 1e-2);
      const b1 = tf.zeros([mlp.H]);
      const W2 = tf.mul(randn([mlp.H, mlp.C]), 1e-2);
      const b2 = tf.zeros([mlp.C]);
      const reg = 5e-6;
      // assignment 1's TwoLayerNet.loss: forward, softmax loss, then the backward pass by hand
      const run = (): tfType.Tensor[] =>
        tf.tidy(() => {
          const hidden = tf.relu(tf.add(tf.matMul(X, W1), b1));
          const scores = tf.add(tf.matMul(hidden, W2), b2);
          const [data, dscores] = softmaxLossAndGrad(tf, scores, onehot);
          const loss = tf.add(data, tf.mul(reg, tf.add(tf.sum(tf.square(W1)), tf.sum(tf.square(W2)))));
          const dW2 = tf.add(tf.matMul(hidden, dscores, true, false), tf.mul(W2, 2 * reg));
          const db2 = tf.sum(dscores, 0);
          const dhidden = tf.mul(tf.matMul(dscores, W2, false, true), tf.cast(tf.greater(hidden, 0), 'float32'));
          const dW1 = tf.add(tf.matMul(X, dhidden, true, false), tf.mul(W1, 2 * reg));
          const db1 = tf.sum(dhidden, 0);
          return [loss, dW1, db1, dW2, db2];
        });
      return { run, dispose: () => tf.dispose([X, onehot, W1, b1, W2, b2]) };
    },
  },
  {
    id: 'maxpool_fwd_bwd',
    title: 'max-pool 2×2 forward+backward 50×32×32×32',
    flops: null,
    setup(tf, randn) {
      const x = randn([50, 32, 32, 32]) as tfType.Tensor4D;
      const dout = randn([50, 16, 16, 32]);
      const g = tf.grads((a: tfType.Tensor) => tf.maxPool(a as tfType.Tensor4D, 2, 2, 'valid'));
      // grads runs the forward pass once (it needs the pooled output) and then MaxPoolGrad
      return { run: () => g([x], dout), dispose: () => tf.dispose([x, dout]) };
    },
  },
  {
    id: 'minibatch',
    title: 'minibatch of 200 rows from 5000×3072 (gather)',
    flops: null,
    setup(tf, randn) {
      const X = randn([5000, 3072]);
      // the same fixed rows as numpy_bench.py's (i·7919 mod 5000), repeats allowed
      const idx = tf.tensor1d(
        Array.from({ length: 200 }, (_, i) => (i * 7919) % 5000),
        'int32',
      );
      return { run: () => [tf.gather(X, idx)], dispose: () => tf.dispose([X, idx]) };
    },
  },
  {
    id: 'fc_step',
    title: `FullyConnectedNet step ${fc.N}×${fc.D}→${fc.H}×${fc.L}→${fc.C}, batchnorm`,
    flops: fcFlops,
    setup(tf, randn) {
      const p = fcParams(tf, randn);
      const running = Array.from({ length: fc.L }, () => ({ mean: tf.zeros([fc.H]), variance: tf.zeros([fc.H]) }));
      const reg = 1e-3;
      const eps = 1e-5;
      const momentum = 0.9;
      const n = fc.N;
      // assignment 2's layers: affine – batchnorm (train mode, running averages kept) – ReLU, then
      // softmax loss, then every backward pass by hand (batchnormBackwardAlt's closed form)
      const run = (): tfType.Tensor[] =>
        tf.tidy(() => {
          const caches: Array<{ a: tfType.Tensor; xhat: tfType.Tensor; std: tfType.Tensor; out: tfType.Tensor }> = [];
          let a = p.X;
          for (let i = 0; i < fc.L; i++) {
            const z = tf.add(tf.matMul(a, p.Ws[i]), p.bs[i]);
            const mu = tf.mean(z, 0);
            const xmu = tf.sub(z, mu);
            const variance = tf.mean(tf.square(xmu), 0);
            const std = tf.sqrt(tf.add(variance, eps));
            const xhat = tf.div(xmu, std);
            const out = tf.add(tf.mul(xhat, p.gammas[i]), p.betas[i]);
            const r = running[i];
            const next = {
              mean: tf.keep(tf.add(tf.mul(r.mean, momentum), tf.mul(mu, 1 - momentum))),
              variance: tf.keep(tf.add(tf.mul(r.variance, momentum), tf.mul(variance, 1 - momentum))),
            };
            tf.dispose([r.mean, r.variance]);
            running[i] = next;
            caches.push({ a, xhat, std, out });
            a = tf.relu(out);
          }
          const scores = tf.add(tf.matMul(a, p.Ws[fc.L]), p.bs[fc.L]);
          const [data, dscores] = softmaxLossAndGrad(tf, scores, p.onehot);
          const loss = tf.add(data, l2(tf, reg, p.Ws));
          const dWs: tfType.Tensor[] = [tf.add(tf.matMul(a, dscores, true, false), tf.mul(p.Ws[fc.L], reg))];
          const dbs: tfType.Tensor[] = [tf.sum(dscores, 0)];
          const dgammas: tfType.Tensor[] = [];
          const dbetas: tfType.Tensor[] = [];
          let da = tf.matMul(dscores, p.Ws[fc.L], false, true);
          for (let i = fc.L - 1; i >= 0; i--) {
            const { a: aIn, xhat, std, out } = caches[i];
            const dout = tf.mul(da, tf.cast(tf.greater(out, 0), 'float32'));
            const dbeta = tf.sum(dout, 0);
            const dgamma = tf.sum(tf.mul(dout, xhat), 0);
            const dxhat = tf.mul(dout, p.gammas[i]);
            const dz = tf.div(
              tf.sub(tf.sub(tf.mul(dxhat, n), tf.sum(dxhat, 0)), tf.mul(xhat, tf.sum(tf.mul(dxhat, xhat), 0))),
              tf.mul(std, n),
            );
            dWs.unshift(tf.add(tf.matMul(aIn, dz, true, false), tf.mul(p.Ws[i], reg)));
            dbs.unshift(tf.sum(dz, 0));
            dgammas.unshift(dgamma);
            dbetas.unshift(dbeta);
            da = tf.matMul(dz, p.Ws[i], false, true); // affineBackward computes dx for the first layer too
          }
          return [loss, da, ...dWs, ...dbs, ...dgammas, ...dbetas];
        });
      return {
        run,
        dispose: () => tf.dispose([...p.all, p.onehot, ...running.flatMap((r) => [r.mean, r.variance])]),
      };
    },
  },
  convNetCase('convnet_cifar', 3, 32),
  convNetCase('convnet_mnist', 1, 28),
  // the two small-op steps again, their gradients by autodiff: every op taped, ~3× the kernel calls
  {
    id: 'mlp_step_autodiff',
    title: 'two-layer MLP step, gradients by autodiff',
    // forward, then dW2 and dh (second layer twice), dW1 (first layer once); no dX
    flops: 2 * mlpFwd1 + 3 * mlpFwd2,
    setup(tf, randn) {
      const X = randn([mlp.N, mlp.D]);
      const labels = tf.tensor1d(
        Array.from({ length: mlp.N }, (_, i) => (i * 7) % mlp.C),
        'int32',
      );
      const onehot = tf.oneHot(labels, mlp.C);
      const W1 = tf.mul(randn([mlp.D, mlp.H]), 1e-2);
      const b1 = tf.zeros([mlp.H]);
      const W2 = tf.mul(randn([mlp.H, mlp.C]), 1e-2);
      const b2 = tf.zeros([mlp.C]);
      const reg = 5e-6;
      const loss = (w1: tfType.Tensor, c1: tfType.Tensor, w2: tfType.Tensor, c2: tfType.Tensor): tfType.Scalar => {
        const h = tf.relu(tf.add(tf.matMul(X, w1), c1));
        const scores = tf.add(tf.matMul(h, w2), c2);
        const data = tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(scores)), 1)));
        return tf.add(data, tf.mul(reg, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))))) as tfType.Scalar;
      };
      const g = tf.valueAndGrads(loss as (...a: tfType.Tensor[]) => tfType.Scalar);
      return {
        run: () => {
          const { value, grads } = g([W1, b1, W2, b2]);
          return [value, ...grads];
        },
        dispose: () => tf.dispose([X, labels, onehot, W1, b1, W2, b2]),
      };
    },
  },
  {
    id: 'fc_step_autodiff',
    title: 'FullyConnectedNet step, gradients by autodiff',
    flops: fcFlops,
    setup(tf, randn) {
      const { all, onehot } = fcParams(tf, randn);
      const reg = 1e-3;
      const eps = 1e-5;
      // the same net and loss as fc_step; the gradients by autodiff (no running averages)
      const loss = (...p: tfType.Tensor[]): tfType.Scalar => {
        const [x, ...rest] = p;
        const w = rest.slice(0, fc.L + 1);
        const b = rest.slice(fc.L + 1, 2 * fc.L + 2);
        const gamma = rest.slice(2 * fc.L + 2, 3 * fc.L + 2);
        const beta = rest.slice(3 * fc.L + 2);
        let a = x;
        for (let i = 0; i < fc.L; i++) {
          const z = tf.add(tf.matMul(a, w[i]), b[i]);
          const { mean, variance } = tf.moments(z, 0);
          const xhat = tf.mul(tf.sub(z, mean), tf.rsqrt(tf.add(variance, eps)));
          a = tf.relu(tf.add(tf.mul(gamma[i], xhat), beta[i]));
        }
        const scores = tf.add(tf.matMul(a, w[fc.L]), b[fc.L]);
        return tf.add(softmaxLoss(tf, scores, onehot), l2(tf, reg, w)) as tfType.Scalar;
      };
      const g = tf.valueAndGrads(loss);
      return {
        run: () => {
          const { value, grads } = g(all);
          return [value, ...grads];
        },
        dispose: () => tf.dispose([onehot, ...all]),
      };
    },
  },
];
