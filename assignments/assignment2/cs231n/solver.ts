/**
 * The Solver encapsulates all the logic necessary for training classification models. It
 * performs stochastic gradient descent using different update rules defined in ./optim.
 *
 * The solver accepts both training and validation data and labels so it can periodically check
 * classification accuracy on both training and validation data to watch out for overfitting.
 *
 * To train a model, you will first construct a Solver instance, passing the model, dataset, and
 * various options (learning rate, batch size, etc) to the constructor. You will then call the
 * train() method to run the optimization procedure and train the model.
 *
 * After the train() method returns, model.params will contain the parameters that performed best
 * on the validation set over the course of training. In addition, the instance variable
 * solver.lossHistory will contain a list of all losses encountered during training and the
 * instance variables solver.trainAccHistory and solver.valAccHistory will be lists of the
 * accuracies of the model on the training and validation set at each epoch.
 *
 * Example usage might look something like this:
 *
 *   const data = { XTrain, yTrain, XVal, yVal };
 *   const model = new TwoLayerNet({ inputDim: 784, hiddenDim: 100, reg: 1e-3 });
 *   const solver = new Solver(model, data, {
 *     updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, lrDecay: 0.95,
 *     numEpochs: 10, batchSize: 100, printEvery: 100,
 *   });
 *   solver.train();
 *
 * A Solver works on a model object that must conform to the following API (SolverModel):
 * - model.params must be an object mapping string parameter names to tensors containing
 *   parameter values; the Solver replaces them after every step.
 * - model.loss(X) returns the scores (N, C) for a minibatch of test-time inputs;
 *   model.loss(X, y) returns [loss, grads] for a minibatch of training inputs, where grads has
 *   the same keys as model.params.
 *
 * Memory: the Solver owns every tensor it creates and everything the model's loss returns. Each
 * step frees the minibatch, the gradients, the replaced parameters and the replaced optimizer
 * state, so a training loop's tensor count stays flat. dispose() frees the best parameters and
 * the optimizer state; the model's own params stay with the model.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf, ProgressBar, RandomGenerator, clearOutput, globalGenerator, plotLines } from 'ts231n';
import { OptimConfig, STATE_KEYS, UPDATE_RULES, UpdateRule } from './optim';

/** What a Solver trains: parameters by name and a two-way loss (see the file comment). */
export interface SolverModel {
  params: Record<string, tf.Tensor>;
  loss(X: tf.Tensor): tf.Tensor;
  loss(X: tf.Tensor, y: tf.Tensor): [number, Record<string, tf.Tensor>];
}

/** Training and validation data: X of shape (N, d_1, ..., d_k), y int32 of shape (N,). */
export interface SolverData {
  XTrain: tf.Tensor;
  yTrain: tf.Tensor;
  XVal: tf.Tensor;
  yVal: tf.Tensor;
}

/** Options of the Solver; the defaults are the original's. */
export interface SolverOptions {
  /** The name of an update rule in ./optim or an update function (default 'sgd'). */
  updateRule?: keyof typeof UPDATE_RULES | UpdateRule;
  /**
   * Hyperparameters passed to the update rule. Each update rule requires different
   * hyperparameters (see ./optim) but all update rules require a 'learningRate' parameter. Every
   * parameter gets its own copy (with its own state).
   */
  optimConfig?: OptimConfig;
  /** A learning rate decay factor. At the end of each epoch the learning rate is multiplied by this value (default 1). */
  lrDecay?: number;
  /** Size of minibatches used to compute loss and gradient during training (default 100). */
  batchSize?: number;
  /** The number of epochs to run for during training (default 10). */
  numEpochs?: number;
  /** Training loss is printed every printEvery iterations when verbose (default 10). */
  printEvery?: number;
  /** If false, nothing is printed during training (default true). */
  verbose?: boolean;
  /** Number of training samples used to check training accuracy (default 1000). */
  numTrainSamples?: number;
  /** Number of validation samples used to check val accuracy; default: the whole validation set. */
  numValSamples?: number;
  /**
   * If given, the minibatches and accuracy subsamples come from a generator seeded with this
   * value; otherwise from the runtime's global stream (seed it with `seed(n)`).
   */
  seed?: number;
  /** If given, a checkpoint `<checkpointName>_epoch_<e>.json` is written after every epoch. */
  checkpointName?: string;
  /** Show an in-place progress bar with the latest loss (default true; false with livePlot). */
  progress?: boolean;
  /**
   * Redraw the loss and accuracy curves in place at every accuracy check (each epoch), as IPython's
   * `clear_output(wait=True)` pattern does (default false). Each redraw clears the cell's output so
   * far, so the latest epoch line is printed again under the plots; a progress bar would be
   * cleared too, so it cannot be combined with `progress: true`.
   */
  livePlot?: boolean;
}

/** What a checkpoint file holds (JSON): the options, the histories and the model's parameters. */
export interface Checkpoint {
  updateRule: string;
  lrDecay: number;
  optimConfig: Record<string, number>;
  batchSize: number;
  numTrainSamples: number;
  numValSamples: number | null;
  epoch: number;
  lossHistory: number[];
  trainAccHistory: number[];
  valAccHistory: number[];
  /** Parameter name → shape and flat row-major values. */
  params: Record<string, { shape: number[]; data: number[] }>;
}

/** A progress bar whose line ends with the latest loss. */
class TrainingBar extends ProgressBar {
  private suffix?: string;

  setLoss(loss: number): void {
    this.suffix = ` loss ${Number.isFinite(loss) ? loss.toFixed(4) : String(loss)}`;
  }

  text(): string {
    return super.text() + (this.suffix ?? '');
  }
}

export class Solver {
  readonly model: SolverModel;
  readonly data: SolverData;
  readonly updateRule: UpdateRule;
  readonly updateRuleName: string;
  readonly optimConfig: OptimConfig;
  readonly lrDecay: number;
  readonly batchSize: number;
  readonly numEpochs: number;
  readonly printEvery: number;
  readonly verbose: boolean;
  readonly numTrainSamples: number;
  readonly numValSamples?: number;
  readonly checkpointName?: string;
  readonly showProgress: boolean;
  readonly livePlot: boolean;

  epoch = 0;
  bestValAcc = 0;
  /** Clones of the parameters with the best validation accuracy so far (owned by the Solver). */
  bestParams: Record<string, tf.Tensor> = {};
  lossHistory: number[] = [];
  trainAccHistory: number[] = [];
  valAccHistory: number[] = [];
  /** Each parameter's own optimizer config (with its state tensors). */
  optimConfigs: Record<string, OptimConfig> = {};

  private readonly random: RandomGenerator;

  /**
   * Construct a new Solver instance.
   *
   * Required arguments:
   * - model: A model object conforming to SolverModel
   * - data: { XTrain, yTrain, XVal, yVal }
   * - options: see SolverOptions
   */
  constructor(model: SolverModel, data: SolverData, options: SolverOptions = {}) {
    const { XTrain, yTrain, XVal, yVal } = data ?? ({} as Partial<SolverData>);
    if (!XTrain || !yTrain || !XVal || !yVal) throw new Error('Solver: data must have XTrain, yTrain, XVal and yVal');
    if (yTrain.shape[0] !== XTrain.shape[0] || yVal.shape[0] !== XVal.shape[0]) {
      throw new Error(
        `Solver: X and y must have the same number of rows, got XTrain [${XTrain.shape}], yTrain [${yTrain.shape}], XVal [${XVal.shape}], yVal [${yVal.shape}]`,
      );
    }
    this.model = model;
    this.data = data;
    const rule = options.updateRule ?? 'sgd';
    if (typeof rule === 'function') {
      this.updateRule = rule;
      this.updateRuleName = rule.name || 'custom';
    } else {
      if (!Object.prototype.hasOwnProperty.call(UPDATE_RULES, rule)) {
        throw new Error(
          `Solver: invalid updateRule "${rule}"; use one of ${Object.keys(UPDATE_RULES).join(', ')} or an update function`,
        );
      }
      this.updateRule = UPDATE_RULES[rule];
      this.updateRuleName = rule;
    }
    this.optimConfig = { ...(options.optimConfig ?? {}) };
    this.lrDecay = options.lrDecay ?? 1.0;
    this.batchSize = options.batchSize ?? 100;
    this.numEpochs = options.numEpochs ?? 10;
    this.printEvery = options.printEvery ?? 10;
    this.verbose = options.verbose ?? true;
    this.numTrainSamples = options.numTrainSamples ?? 1000;
    this.numValSamples = options.numValSamples;
    this.checkpointName = options.checkpointName;
    this.livePlot = options.livePlot ?? false;
    if (this.livePlot && options.progress === true)
      throw new Error(
        'Solver: livePlot redraws the cell output, which would erase the progress bar: pass progress: false or livePlot: false',
      );
    this.showProgress = options.progress ?? !this.livePlot;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new Error(`Solver: batchSize must be a positive integer, got ${this.batchSize}`);
    this.random = options.seed === undefined ? globalGenerator() : new RandomGenerator(options.seed);
    this.reset();
  }

  /**
   * Set up some book-keeping variables for optimization. Don't call this manually.
   */
  private reset(): void {
    this.epoch = 0;
    this.bestValAcc = 0;
    tf.dispose(this.bestParams);
    this.bestParams = {};
    this.lossHistory = [];
    this.trainAccHistory = [];
    this.valAccHistory = [];
    this.disposeOptimState();
    // Make a deep copy of the optimConfig for each parameter
    this.optimConfigs = {};
    for (const p of Object.keys(this.model.params)) this.optimConfigs[p] = { ...this.optimConfig };
  }

  /**
   * Make a single gradient update. This is called by train() and should not be called manually.
   * Returns the minibatch loss.
   */
  step(): number {
    const numTrain = this.data.XTrain.shape[0];
    const idx = this.random.choice(numTrain, this.batchSize);
    const XBatch = tf.gather(this.data.XTrain, idx);
    const yBatch = tf.gather(this.data.yTrain, idx);
    try {
      // Compute loss and gradient
      const [loss, grads] = this.model.loss(XBatch, yBatch);
      this.lossHistory.push(loss);
      // Perform a parameter update
      try {
        for (const [p, w] of Object.entries(this.model.params)) {
          const dw = grads[p];
          if (!dw) throw new Error(`Solver: the model's loss returned no gradient for parameter "${p}"`);
          const config = this.optimConfigs[p] ?? { ...this.optimConfig };
          const [nextW, nextConfig] = this.updateRule(w, dw, config);
          this.model.params[p] = nextW;
          this.optimConfigs[p] = nextConfig;
          if (nextW !== w && nextW !== dw) w.dispose();
          for (const key of STATE_KEYS) {
            const old = config[key];
            if (old && old !== nextConfig[key] && !old.isDisposed) old.dispose();
          }
        }
      } finally {
        for (const g of Object.values(grads)) {
          if (!g.isDisposed && !Object.values(this.model.params).includes(g)) g.dispose();
        }
      }
      return loss;
    } finally {
      XBatch.dispose();
      yBatch.dispose();
    }
  }

  /**
   * Check accuracy of the model on the provided data.
   *
   * Inputs:
   * - X: tensor of data, of shape (N, d_1, ..., d_k)
   * - y: int32 tensor of labels, of shape (N,)
   * - numSamples: If not undefined, subsample the data (with replacement) and only test the
   *   model on numSamples datapoints.
   * - batchSize: Split X and y into batches of this size to avoid using too much memory.
   *
   * Returns:
   * - acc: Scalar giving the fraction of instances that were correctly classified by the model.
   */
  checkAccuracy(X: tf.Tensor, y: tf.Tensor, numSamples?: number, batchSize = 100): number {
    let N = X.shape[0];
    let idx: Int32Array | null = null;
    if (numSamples !== undefined && N > numSamples) {
      idx = this.random.choice(N, numSamples);
      N = numSamples;
    }
    let correct = 0;
    for (let start = 0; start < N; start += batchSize) {
      const end = Math.min(start + batchSize, N);
      correct += tf.tidy(() => {
        const rows = idx ? idx.subarray(start, end) : tf.range(start, end, 1, 'int32');
        const scores = this.model.loss(tf.gather(X, rows));
        return scores.argMax(1).equal(tf.gather(y, rows).cast('int32')).cast('float32').sum().dataSync()[0];
      });
    }
    return N > 0 ? correct / N : 0;
  }

  /** The live plot: the cell's output is replaced by the loss and accuracy curves so far. */
  private drawCurves(): void {
    clearOutput({ wait: true });
    // A diverged loss (NaN, ±Infinity) is a gap in the curve, not the end of training.
    const loss = this.lossHistory.map((v) => (Number.isFinite(v) ? v : null));
    plotLines({ series: { loss }, title: 'Training loss', yLabel: 'loss', points: false });
    plotLines({
      series: { train: this.trainAccHistory, val: this.valAccHistory },
      title: 'Classification accuracy',
      xLabel: 'accuracy check',
      yLabel: 'accuracy',
    });
  }

  /** Run optimization to train the model. */
  train(): void {
    const numTrain = this.data.XTrain.shape[0];
    const iterationsPerEpoch = Math.max(Math.floor(numTrain / this.batchSize), 1);
    const numIterations = this.numEpochs * iterationsPerEpoch;
    const bar = this.showProgress ? new TrainingBar(numIterations, { label: 'training' }) : null;
    try {
      for (let t = 0; t < numIterations; t++) {
        const loss = this.step();
        bar?.setLoss(loss);
        bar?.update(t + 1);

        // Maybe print training loss
        if (this.verbose && t % this.printEvery === 0) {
          console.log(`(Iteration ${t + 1} / ${numIterations}) loss: ${loss.toFixed(6)}`);
        }

        // At the end of every epoch, increment the epoch counter and decay the learning rate.
        const epochEnd = (t + 1) % iterationsPerEpoch === 0;
        if (epochEnd) {
          this.epoch += 1;
          for (const config of Object.values(this.optimConfigs)) {
            if (config.learningRate !== undefined) config.learningRate *= this.lrDecay;
          }
        }

        // Check train and val accuracy on the first iteration, the last iteration, and at the
        // end of each epoch.
        const firstIt = t === 0;
        const lastIt = t === numIterations - 1;
        if (firstIt || lastIt || epochEnd) {
          const trainAcc = this.checkAccuracy(this.data.XTrain, this.data.yTrain, this.numTrainSamples);
          const valAcc = this.checkAccuracy(this.data.XVal, this.data.yVal, this.numValSamples);
          this.trainAccHistory.push(trainAcc);
          this.valAccHistory.push(valAcc);
          if (epochEnd) this.saveCheckpoint();
          if (this.livePlot) this.drawCurves();
          if (this.verbose || this.livePlot) {
            console.log(
              `(Epoch ${this.epoch} / ${this.numEpochs}) train acc: ${trainAcc.toFixed(6)}; val_acc: ${valAcc.toFixed(6)}`,
            );
          }
          // Keep track of the best model
          if (valAcc > this.bestValAcc || Object.keys(this.bestParams).length === 0) {
            this.bestValAcc = Math.max(valAcc, this.bestValAcc);
            tf.dispose(this.bestParams);
            this.bestParams = {};
            for (const [k, v] of Object.entries(this.model.params)) this.bestParams[k] = v.clone();
          }
        }
      }
    } finally {
      bar?.close();
    }

    // At the end of training swap the best params into the model
    const current = this.model.params;
    const swapped: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(this.bestParams)) swapped[k] = v.clone();
    this.model.params = swapped;
    tf.dispose(current);
  }

  /** Write `<checkpointName>_epoch_<epoch>.json` (when checkpointName is set); returns its path. */
  saveCheckpoint(): string | undefined {
    if (!this.checkpointName) return undefined;
    const optimConfig: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.optimConfig)) if (typeof v === 'number') optimConfig[k] = v;
    const params: Checkpoint['params'] = {};
    for (const [k, v] of Object.entries(this.model.params))
      params[k] = { shape: v.shape.slice(), data: Array.from(v.dataSync()) };
    const checkpoint: Checkpoint = {
      updateRule: this.updateRuleName,
      lrDecay: this.lrDecay,
      optimConfig,
      batchSize: this.batchSize,
      numTrainSamples: this.numTrainSamples,
      numValSamples: this.numValSamples ?? null,
      epoch: this.epoch,
      lossHistory: this.lossHistory,
      trainAccHistory: this.trainAccHistory,
      valAccHistory: this.valAccHistory,
      params,
    };
    const file = `${this.checkpointName}_epoch_${this.epoch}.json`;
    if (this.verbose) console.log(`Saving checkpoint to "${file}"`);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(checkpoint));
    return file;
  }

  /**
   * Read a checkpoint written by saveCheckpoint; its parameters come back as new tensors (the
   * caller owns them, e.g. `model.params = Solver.loadCheckpoint(file).params`).
   */
  static loadCheckpoint(file: string): Omit<Checkpoint, 'params'> & { params: Record<string, tf.Tensor> } {
    let parsed: Checkpoint;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Checkpoint;
    } catch (e) {
      throw new Error(`Solver.loadCheckpoint: cannot read ${file}: ${(e as Error).message}`);
    }
    if (!parsed || typeof parsed.params !== 'object')
      throw new Error(`Solver.loadCheckpoint: ${file} is not a Solver checkpoint (no params)`);
    const params: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(parsed.params)) params[k] = tf.tensor(v.data, v.shape, 'float32');
    return { ...parsed, params };
  }

  /** Free the optimizer state (velocity, cache, m, v) of every parameter. */
  private disposeOptimState(): void {
    for (const config of Object.values(this.optimConfigs)) {
      for (const key of STATE_KEYS) {
        const t = config[key];
        if (t && !t.isDisposed) t.dispose();
      }
    }
  }

  /** Free what the Solver owns: the best parameters and the optimizer state. */
  dispose(): void {
    tf.dispose(this.bestParams);
    this.bestParams = {};
    this.disposeOptimState();
    this.optimConfigs = {};
  }
}
