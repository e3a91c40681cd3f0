/**
 * `npx tsx bench/fcBestModel.ts [config.json | inline JSON]`
 *
 * The "Train a good model!" cell of FullyConnectedNets.ipynb at full size, alone: the same data
 * (the whole Fashion-MNIST training split, mean image subtracted, N×C×H×W) and the same
 * evaluation (batches of 500 over the validation and test splits), for one configuration of
 * FullyConnectedNet + Solver. Without an argument it runs the notebook's configuration. The Solver
 * prints the accuracies after every epoch; the last line is one JSON object with the
 * configuration, the accuracies and wall / CPU seconds. This is how the best model's settings
 * were chosen and measured (docs/assignment2.md).
 */
import * as fs from 'fs';
import * as os from 'os';
import { ready, seed, tf } from '../kernel/runtime';
import { getData } from '../datasets';
import { FullyConnectedNet } from '../solutions/assignment2/cs231n/classifiers/fcNet';
import { Solver } from '../solutions/assignment2/cs231n/solver';

interface Config {
  hiddenDims: number[];
  weightScale: number;
  normalization: 'batchnorm' | null;
  dropout: number;
  reg: number;
  learningRate: number;
  lrDecay: number;
  numEpochs: number;
  batchSize: number;
  seed: number;
}

/** The notebook's solution cell. */
const NOTEBOOK: Config = {
  hiddenDims: [512, 256],
  weightScale: 1e-2,
  normalization: 'batchnorm',
  dropout: 0.8,
  reg: 1e-4,
  learningRate: 1e-3,
  lrDecay: 0.9,
  numEpochs: 15,
  batchSize: 200,
  seed: 12,
};

function parseConfig(arg: string | undefined): Config {
  if (arg === undefined) return NOTEBOOK;
  const text = fs.existsSync(arg) ? fs.readFileSync(arg, 'utf8') : arg;
  try {
    return { ...NOTEBOOK, ...(JSON.parse(text) as Partial<Config>) };
  } catch (e) {
    throw new Error(`fcBestModel: the argument is neither a JSON file nor JSON (${(e as Error).message})`);
  }
}

/** Fraction of correct predictions on (X, y) in batches of 500, as the notebook's evaluate(). */
function evaluate(model: FullyConnectedNet, X: tf.Tensor, y: tf.Tensor): number {
  let correct = 0;
  for (let i = 0; i < X.shape[0]; i += 500) {
    const n = Math.min(500, X.shape[0] - i);
    correct += tf.tidy(() => model.loss(X.slice(i, n)).argMax(1).equal(y.slice(i, n)).sum().dataSync()[0]);
  }
  return correct / X.shape[0];
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv[2]);
  const backend = await ready();
  const t0 = performance.now();
  const data = await getData({ channelsFirst: true, subtractMean: true });
  const D = data.XTrain.size / data.XTrain.shape[0];
  console.log(JSON.stringify({ backend, dataset: data.name, train: data.XTrain.shape, val: data.XVal.shape }));
  seed(config.seed);
  const model = new FullyConnectedNet(config.hiddenDims, {
    inputDim: D,
    numClasses: data.classNames.length,
    weightScale: config.weightScale,
    normalization: config.normalization,
    dropout: config.dropout,
    reg: config.reg,
  });
  const solver = new Solver(model, data, {
    updateRule: 'adam',
    optimConfig: { learningRate: config.learningRate },
    lrDecay: config.lrDecay,
    numEpochs: config.numEpochs,
    batchSize: config.batchSize,
    printEvery: 1e9,
    verbose: true,
    progress: false,
    seed: config.seed,
  });
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  solver.train();
  const cpu = process.cpuUsage(c1);
  const valAcc = evaluate(model, data.XVal, data.yVal);
  const testAcc = evaluate(model, data.XTest, data.yTest);
  console.log(
    JSON.stringify({
      config,
      valAcc,
      testAcc,
      valAccHistory: solver.valAccHistory,
      trainAccHistory: solver.trainAccHistory,
      trainWallSeconds: Math.round((performance.now() - t1) / 1000),
      trainCpuSeconds: Math.round((cpu.user + cpu.system) / 1e6),
      totalWallSeconds: Math.round((performance.now() - t0) / 1000),
      loadAverage: os.loadavg().map((v) => +v.toFixed(1)),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
