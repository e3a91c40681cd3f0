/**
 * Hidden tests of the linear classifiers (SVM and softmax): naive and vectorised losses on unseen
 * inputs — with reg = 0, with a large reg, and with a class that has no example in the batch —,
 * a few seeded SGD steps, and predict().
 */
import type { HiddenTest, HiddenContext } from '../../hidden';
import type { Tensor } from '@tensorflow/tfjs';

type Svm = typeof import('../../../solutions/assignment1/cs231n/classifiers/linearSvm');
type Sm = typeof import('../../../solutions/assignment1/cs231n/classifiers/softmax');
type Linear = typeof import('../../../solutions/assignment1/cs231n/classifiers/linearClassifier');
type LossFn = (W: Tensor, X: Tensor, y: Tensor, reg: number) => [number, Tensor];

/** Three loss cases: reg = 0; reg = 0.5 on larger weights; labels that never use the last class. */
function lossCases(ctx: HiddenContext, loss: LossFn): Record<string, unknown> {
  const { tf } = ctx.runtime;
  const D = 13,
    C = 5,
    N = 17;
  const X = ctx.rng.randn([N, D]);
  const W = ctx.rng.randn([D, C]).mul(0.1);
  const y = tf.cast(ctx.rng.randint(0, C, [N]), 'int32');
  const yNoLast = tf.cast(ctx.rng.randint(0, C - 1, [N]), 'int32');
  const out: Record<string, unknown> = {};
  const cases: Array<[string, Tensor, Tensor, number]> = [
    ['reg0', W, y, 0],
    ['reg', W.mul(5), y, 0.5],
    ['emptyClass', W, yNoLast, 1e-3],
  ];
  for (const [name, w, labels, reg] of cases) {
    const [l, dW] = loss(w, X, labels, reg);
    out[`${name}_loss`] = l;
    out[`${name}_grad`] = dW;
  }
  return out;
}

/** A few SGD steps from a seeded start: the loss history and the final weights. */
function trainCase(ctx: HiddenContext, Cls: new () => InstanceType<Linear['LinearSVM']>): Record<string, unknown> {
  const { tf } = ctx.runtime;
  const X = ctx.rng.randn([40, 9]);
  const y = tf.cast(ctx.rng.randint(0, 4, [40]), 'int32');
  ctx.runtime.seed(ctx.seed);
  const clf = new Cls();
  const lossHistory = clf.train(X, y, { learningRate: 0.05, reg: 1e-3, numIters: 12, batchSize: 8 });
  return { lossHistory, W: clf.W };
}

/** predict() with weights set directly. */
function predictCase(ctx: HiddenContext, Cls: new () => InstanceType<Linear['LinearSVM']>): number[] {
  const clf = new Cls();
  clf.W = ctx.rng.randn([6, 7]);
  return Array.from(clf.predict(ctx.rng.randn([25, 6])).dataSync());
}

export const tests: HiddenTest[] = [
  {
    id: 'svm.hidden_loss_naive',
    run: (ctx) => lossCases(ctx, ctx.load<Svm>('cs231n/classifiers/linearSvm').svmLossNaive),
  },
  {
    id: 'svm.hidden_loss_vectorized',
    run: (ctx) => lossCases(ctx, ctx.load<Svm>('cs231n/classifiers/linearSvm').svmLossVectorized),
  },
  {
    id: 'svm.hidden_train',
    run: (ctx) => trainCase(ctx, ctx.load<Linear>('cs231n/classifiers/linearClassifier').LinearSVM),
  },
  {
    id: 'svm.hidden_predict',
    run: (ctx) => predictCase(ctx, ctx.load<Linear>('cs231n/classifiers/linearClassifier').LinearSVM),
  },
  {
    id: 'softmax.hidden_loss_naive',
    run: (ctx) => lossCases(ctx, ctx.load<Sm>('cs231n/classifiers/softmax').softmaxLossNaive),
  },
  {
    id: 'softmax.hidden_loss_vectorized',
    run: (ctx) => lossCases(ctx, ctx.load<Sm>('cs231n/classifiers/softmax').softmaxLossVectorized),
  },
  {
    id: 'softmax.hidden_train',
    run: (ctx) => trainCase(ctx, ctx.load<Linear>('cs231n/classifiers/linearClassifier').Softmax),
  },
  {
    id: 'softmax.hidden_predict',
    run: (ctx) => predictCase(ctx, ctx.load<Linear>('cs231n/classifiers/linearClassifier').Softmax),
  },
];
