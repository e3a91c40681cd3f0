import { tf } from 'ts231n';

/**
 * A k-nearest-neighbour classifier with L2 (Euclidean) distance.
 *
 * Training only memorises the data; prediction compares every test row with every training row,
 * so the cost is O(numTest × numTrain × D). The three distance functions compute the same matrix
 * and differ only in how much of the work is done by tensor ops: that speed difference is the
 * lesson.
 */
export class KNearestNeighbor {
  /** Training data, shape (numTrain, D). `null` until `train` is called. */
  XTrain: tf.Tensor2D | null = null;
  /** Training labels, int32, shape (numTrain,). */
  yTrain: tf.Tensor1D | null = null;

  /**
   * Train the classifier. For k-nearest neighbours this is just memorising the training data.
   *
   * Inputs:
   * - X: float32 tensor of shape (numTrain, D), one training example per row.
   * - y: int32 tensor of shape (numTrain,); y[i] is the label of X[i].
   *
   * The classifier keeps its own reference (it survives `tf.tidy` and a later `dispose` of X);
   * training again releases the previous data.
   */
  train(X: tf.Tensor, y: tf.Tensor): void {
    if (X.rank !== 2) throw new Error(`KNearestNeighbor.train: X must be 2-D (numTrain, D), got shape [${X.shape}]`);
    if (y.rank !== 1 || y.shape[0] !== X.shape[0]) {
      throw new Error(`KNearestNeighbor.train: y must have shape [${X.shape[0]}], got [${y.shape}]`);
    }
    this.XTrain?.dispose();
    this.yTrain?.dispose();
    this.XTrain = tf.keep(X.clone() as tf.Tensor2D);
    this.yTrain = tf.keep(y.cast('int32') as tf.Tensor1D);
  }

  /**
   * Predict labels for test data.
   *
   * Inputs:
   * - X: float32 tensor of shape (numTest, D).
   * - k: the number of nearest neighbours that vote.
   * - numLoops: which distance implementation to use (0, 1 or 2 loops).
   *
   * Returns:
   * - yPred: int32 tensor of shape (numTest,); yPred[i] is the predicted label of X[i].
   */
  predict(X: tf.Tensor, k = 1, numLoops = 0): tf.Tensor1D {
    let dists: tf.Tensor2D;
    if (numLoops === 0) dists = this.computeDistancesNoLoops(X);
    else if (numLoops === 1) dists = this.computeDistancesOneLoop(X);
    else if (numLoops === 2) dists = this.computeDistancesTwoLoops(X);
    else throw new Error(`KNearestNeighbor.predict: numLoops must be 0, 1 or 2, got ${numLoops}`);
    try {
      return this.predictLabels(dists, k);
    } finally {
      dists.dispose();
    }
  }

  /**
   * Compute the L2 distance between each test point in X and each training point, with a nested
   * loop over both the test data and the training data, on plain typed arrays.
   *
   * Inputs:
   * - X: float32 tensor of shape (numTest, D).
   *
   * Returns:
   * - dists: float32 tensor of shape (numTest, numTrain) where dists[i, j] is the Euclidean
   *   distance between the i-th test point and the j-th training point.
   */
  computeDistancesTwoLoops(X: tf.Tensor): tf.Tensor2D {
    const XTrain = this.trained('computeDistancesTwoLoops');
    checkTestData(X, XTrain, 'computeDistancesTwoLoops');
    const [numTest, D] = X.shape as [number, number];
    const numTrain = XTrain.shape[0];
    const test = X.dataSync();
    const train = XTrain.dataSync();
    const dists = new Float32Array(numTest * numTrain);
    // BEGIN SOLUTION: for every test row i and training row j, set dists[i * numTrain + j] to the
    // L2 distance sqrt(Σ_d (test[i*D + d] − train[j*D + d])²) between test point i and training
    // point j. Loop over i, j (and d): no tensor ops and no vectorised shortcuts here.
    for (let i = 0; i < numTest; i++) {
      const a = i * D;
      for (let j = 0; j < numTrain; j++) {
        const b = j * D;
        let sum = 0;
        for (let d = 0; d < D; d++) {
          const diff = test[a + d] - train[b + d];
          sum += diff * diff;
        }
        dists[i * numTrain + j] = Math.sqrt(sum);
      }
    }
    // END SOLUTION
    return tf.tensor2d(dists, [numTest, numTrain]);
  }

  /**
   * Compute the L2 distance between each test point in X and each training point, with a single
   * loop over the test data: each iteration computes one row of the matrix with tensor ops.
   *
   * Input / output: same as computeDistancesTwoLoops.
   */
  computeDistancesOneLoop(X: tf.Tensor): tf.Tensor2D {
    const XTrain = this.trained('computeDistancesOneLoop');
    checkTestData(X, XTrain, 'computeDistancesOneLoop');
    const numTest = X.shape[0];
    const rows: tf.Tensor1D[] = [];
    try {
      for (let i = 0; i < numTest; i++) {
        // BEGIN SOLUTION: push onto `rows` the float32 tensor of shape (numTrain,) holding the L2
        // distances between test row i and every training row. Use tensor ops on one test row at
        // a time (e.g. X.slice, broadcasting sub, square, sum over axis 1, sqrt) and wrap the row's
        // work in tf.tidy so that the intermediates are freed.
        rows.push(
          tf.tidy(
            () =>
              XTrain.sub(X.slice([i, 0], [1, -1]))
                .square()
                .sum(1)
                .sqrt() as tf.Tensor1D,
          ),
        );
        // END SOLUTION
      }
      return tf.stack(rows) as tf.Tensor2D;
    } finally {
      tf.dispose(rows);
    }
  }

  /**
   * Compute the L2 distance between each test point in X and each training point with no
   * explicit loops: tensor ops only.
   *
   * Expand ‖x − t‖² = ‖x‖² − 2·x·t + ‖t‖²: one matrix multiply plus two broadcast sums. In
   * float32 the three terms can cancel to a tiny negative number where x ≈ t, so clamp at 0
   * before the square root.
   *
   * Input / output: same as computeDistancesTwoLoops.
   */
  computeDistancesNoLoops(X: tf.Tensor): tf.Tensor2D {
    const XTrain = this.trained('computeDistancesNoLoops');
    checkTestData(X, XTrain, 'computeDistancesNoLoops');
    return tf.tidy(() => {
      let dists: tf.Tensor2D;
      // BEGIN SOLUTION: set `dists` (numTest, numTrain) using tensor ops only, no loops:
      // ‖x‖² as a (numTest, 1) column, ‖t‖² as a (1, numTrain) row, and the cross term −2·X·XTrainᵀ
      // from one tf.matMul (transpose XTrain first with .transpose()); add them with broadcasting,
      // clamp at 0 (tf.maximum or .relu()) and take the square root.
      const testSq = X.square().sum(1, true);
      const trainSq = XTrain.square().sum(1).reshape([1, -1]);
      const cross = tf.matMul(X as tf.Tensor2D, XTrain.transpose());
      dists = testSq.add(trainSq).sub(cross.mul(2)).relu().sqrt() as tf.Tensor2D;
      // END SOLUTION
      return dists;
    });
  }

  /**
   * Given a matrix of distances between test points and training points, predict a label for
   * each test point by a majority vote of its k nearest training points.
   *
   * Inputs:
   * - dists: float32 tensor of shape (numTest, numTrain); dists[i, j] is the distance between
   *   the i-th test point and the j-th training point.
   * - k: the number of nearest neighbours that vote (1 ≤ k ≤ numTrain).
   *
   * Returns:
   * - yPred: int32 tensor of shape (numTest,). A tie between labels with the same number of
   *   votes goes to the smaller label (as the original's np.argmax over bin counts does).
   */
  predictLabels(dists: tf.Tensor, k = 1): tf.Tensor1D {
    const yTrain = this.yTrain;
    if (!yTrain) throw new Error('KNearestNeighbor.predictLabels: call train(X, y) first');
    if (dists.rank !== 2 || dists.shape[1] !== yTrain.shape[0]) {
      throw new Error(
        `KNearestNeighbor.predictLabels: dists must have shape [numTest, ${yTrain.shape[0]}], got [${dists.shape}]`,
      );
    }
    const [numTest, numTrain] = dists.shape as [number, number];
    if (!Number.isInteger(k) || k < 1 || k > numTrain) {
      throw new Error(`KNearestNeighbor.predictLabels: k must be an integer in [1, ${numTrain}], got ${k}`);
    }
    const labels = yTrain.dataSync();
    const yPred = new Int32Array(numTest);
    // BEGIN SOLUTION: for each test row i, find the labels of its k nearest training points (the k
    // smallest distances in row i: tf.topk on the negated distances gives their indices, or sort
    // the row yourself), count the votes per label, and set yPred[i] to the label with the most
    // votes; on a tie pick the smaller label.
    const nearest = tf.tidy(() => tf.topk(tf.neg(dists), k).indices);
    const idx = nearest.dataSync();
    nearest.dispose();
    const votes = new Map<number, number>();
    for (let i = 0; i < numTest; i++) {
      votes.clear();
      for (let r = 0; r < k; r++) {
        const label = labels[idx[i * k + r]];
        votes.set(label, (votes.get(label) ?? 0) + 1);
      }
      let best = -1;
      let bestVotes = -1;
      for (const [label, count] of votes) {
        if (count > bestVotes || (count === bestVotes && label < best)) {
          best = label;
          bestVotes = count;
        }
      }
      yPred[i] = best;
    }
    // END SOLUTION
    return tf.tensor1d(yPred, 'int32');
  }

  /** Release the memorised training data. */
  dispose(): void {
    this.XTrain?.dispose();
    this.yTrain?.dispose();
    this.XTrain = null;
    this.yTrain = null;
  }

  private trained(fn: string): tf.Tensor2D {
    if (!this.XTrain) throw new Error(`KNearestNeighbor.${fn}: call train(X, y) first`);
    return this.XTrain;
  }
}

function checkTestData(X: tf.Tensor, XTrain: tf.Tensor2D, fn: string): void {
  if (X.rank !== 2 || X.shape[1] !== XTrain.shape[1]) {
    throw new Error(`KNearestNeighbor.${fn}: X must have shape [numTest, ${XTrain.shape[1]}], got [${X.shape}]`);
  }
}
