/**
 * Hidden tests of the kNN classifier: distances on inputs the student never saw, votes where k is
 * larger than a tie, and predict() with every numLoops. Expected values come from the solution's
 * module run on the same inputs in the grader's trusted process.
 */
import type { HiddenTest } from '../../hidden';

type Knn = typeof import('../../../solutions/assignment1/cs231n/classifiers/kNearestNeighbor');

export const tests: HiddenTest[] = [
  {
    id: 'knn.hidden_distances',
    run(ctx) {
      const { KNearestNeighbor } = ctx.load<Knn>('cs231n/classifiers/kNearestNeighbor');
      const { tf } = ctx.runtime;
      const XTrain = ctx.rng.randn([23, 11]).mul(10);
      const yTrain = ctx.rng.randint(0, 4, [23]);
      const XTest = ctx.rng.randn([7, 11]).mul(10);
      const knn = new KNearestNeighbor();
      knn.train(XTrain, tf.cast(yTrain, 'int32'));
      return {
        twoLoops: knn.computeDistancesTwoLoops(XTest),
        oneLoop: knn.computeDistancesOneLoop(XTest),
        noLoops: knn.computeDistancesNoLoops(XTest),
      };
    },
  },
  {
    id: 'knn.hidden_ties',
    run(ctx) {
      const { KNearestNeighbor } = ctx.load<Knn>('cs231n/classifiers/kNearestNeighbor');
      const { tf } = ctx.runtime;
      // Six training points with labels chosen so that some votes tie; distances are distinct
      // (no ambiguity about which points are nearest), only the votes tie.
      const yTrain = tf.tensor1d([3, 1, 1, 3, 0, 2], 'int32');
      const knn = new KNearestNeighbor();
      knn.train(tf.zeros([6, 2]), yTrain);
      // Row 0: nearest four are labels 3, 1, 1, 3 (2 votes each): the tie goes to 1.
      // Row 1: nearest two are labels 2, 0 (one vote each): the tie goes to 0.
      // Row 2: k = 6 = every point: 3 and 1 have two votes each, 0 and 2 one: 1.
      // Row 3: a random permutation of distances.
      const perm = Array.from(ctx.rng.permutation(6)).map((v) => v + 1);
      const dists = tf.tensor2d([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], [2, 4, 1, 3, 6, 5], perm]);
      const out: number[][] = [];
      for (const k of [1, 2, 3, 4, 5, 6]) out.push(Array.from(knn.predictLabels(dists, k).dataSync()));
      return out;
    },
  },
  {
    id: 'knn.hidden_predict',
    run(ctx) {
      const { KNearestNeighbor } = ctx.load<Knn>('cs231n/classifiers/kNearestNeighbor');
      const { tf } = ctx.runtime;
      // Three well-separated blobs (so that float rounding cannot reorder neighbours); class 3 has
      // no training examples at all.
      const centers = [
        [0, 0, 0],
        [20, 0, 0],
        [0, 20, 0],
      ];
      const labels = Array.from(ctx.rng.randint(0, 3, [30]).dataSync());
      const rows = labels.map((c) => centers[c].map((v) => v + ctx.rng.randomNormalNumber(0, 3)));
      const knn = new KNearestNeighbor();
      knn.train(tf.tensor2d(rows), tf.tensor1d(labels, 'int32'));
      const testLabels = Array.from(ctx.rng.randint(0, 3, [9]).dataSync());
      const XTest = tf.tensor2d(testLabels.map((c) => centers[c].map((v) => v + ctx.rng.randomNormalNumber(0, 3))));
      const result: Record<string, number[]> = {};
      for (const numLoops of [0, 1, 2])
        for (const k of [1, 5])
          result[`loops${numLoops}_k${k}`] = Array.from(knn.predict(XTest, k, numLoops).dataSync());
      return result;
    },
  },
];
