/**
 * `npx tsx bench/convnetOneEpoch.ts`
 *
 * The "Train the net" cell of ConvolutionalNetworks.ipynb at full size, alone (same seeds and
 * settings: ThreeLayerConvNet with hidden 500 and reg 1e-3, Adam at 1e-3, batch 50, one epoch
 * over the whole training set): the assignment's accuracy target (≥ 0.87 validation on
 * Fashion-MNIST) with wall and CPU time. The Solver prints the loss every 100 iterations; the last
 * line is one JSON object with the accuracies and times.
 */
import * as os from 'os';
import { ready, seed } from '../kernel/runtime';
import { getData } from '../datasets';
import { ThreeLayerConvNet } from '../solutions/assignment2/cs231n/classifiers/cnn';
import { Solver } from '../solutions/assignment2/cs231n/solver';

async function main(): Promise<void> {
  const backend = await ready();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const data = await getData({ channelsFirst: true, subtractMean: false });
  const [, C, H, W] = data.XTrain.shape;
  const meanImage = data.XTrain.mean(0);
  const full = {
    XTrain: data.XTrain.sub(meanImage),
    yTrain: data.yTrain,
    XVal: data.XVal.sub(meanImage),
    yVal: data.yVal,
  };
  console.log(
    JSON.stringify({
      backend,
      dataset: data.name,
      train: full.XTrain.shape,
      val: full.XVal.shape,
      loadSeconds: (performance.now() - t0) / 1000,
    }),
  );
  seed(10);
  const model = new ThreeLayerConvNet({
    inputDim: [C, H, W] as [number, number, number],
    weightScale: 1e-3,
    hiddenDim: 500,
    reg: 1e-3,
  });
  const solver = new Solver(model, full, {
    numEpochs: 1,
    batchSize: 50,
    updateRule: 'adam',
    optimConfig: { learningRate: 1e-3 },
    verbose: true,
    printEvery: 100,
    seed: 10,
    progress: false,
  });
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  solver.train();
  const cpu = process.cpuUsage(c1);
  console.log(
    JSON.stringify({
      val: solver.valAccHistory.at(-1),
      train: solver.trainAccHistory.at(-1),
      iterations: solver.lossHistory.length,
      trainWallSeconds: (performance.now() - t1) / 1000,
      trainCpuSeconds: (cpu.user + cpu.system) / 1e6,
      totalWallSeconds: (performance.now() - t0) / 1000,
      totalCpuSeconds: (() => {
        const c = process.cpuUsage(c0);
        return (c.user + c.system) / 1e6;
      })(),
      load: os.loadavg(),
    }),
  );
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
