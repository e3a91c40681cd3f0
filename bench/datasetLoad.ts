/**
 * Load time of a data set, for docs/datasets.md (peak memory: run it under `/usr/bin/time -v`).
 *
 *   tsx bench/datasetLoad.ts fashion-mnist|cifar10 [DIR] [--getData] [--reshapeRows]
 *   tsx bench/datasetLoad.ts --fake-cifar10 DIR     # writes a full-size CIFAR-10 binary set (184 MB)
 *
 * Without --getData it calls the loader (loadFashionMnist / loadCifar10: tensors of the whole
 * train and test sets); with it, getData with the course's default splits and preprocessing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ready, backendInfo, tf } from '../kernel/runtime/tensor';
import { getData, loadCifar10, loadFashionMnist, defaultFashionMnistDir, defaultCifar10Dir } from '../datasets';
import { CommandLineError, parseCommandLine } from '../scripts/commandLine';

function writeFakeCifar10(parent: string): void {
  // the real format (1 label byte + 3072 pixel bytes per record, 10,000 records per file) with
  // arbitrary content: loading cost depends on the sizes only
  const dir = path.join(parent, 'cifar-10-batches-bin');
  fs.mkdirSync(dir, { recursive: true });
  const record = 3073;
  const files = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin');
  files.forEach((f, b) => {
    const buf = Buffer.alloc(10000 * record);
    for (let i = 0; i < 10000; i++) {
      const o = i * record;
      buf[o] = (i * 7 + b) % 10;
      for (let k = 1; k < record; k++) buf[o + k] = (i * 31 + k * 7 + b) & 255;
    }
    fs.writeFileSync(path.join(dir, f), buf);
  });
  fs.writeFileSync(
    path.join(dir, 'batches.meta.txt'),
    'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n',
  );
  console.log(`wrote ${dir} (${files.length} × ${((10000 * record) / 1e6).toFixed(1)} MB)`);
}

const USAGE =
  'usage: npx tsx bench/datasetLoad.ts [cifar10|fashion-mnist [DIR]] [--getData] [--reshapeRows] | --fake-cifar10 [DIR]';

async function main(): Promise<void> {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    { 'fake-cifar10': { type: 'boolean' }, getData: { type: 'boolean' }, reshapeRows: { type: 'boolean' } },
    true,
  );
  if (values['fake-cifar10']) return writeFakeCifar10(positionals[0] ?? '/tmp/ts231n-fake-cifar');
  if (
    positionals.length > 2 ||
    (positionals[0] !== undefined && !['cifar10', 'fashion-mnist'].includes(positionals[0]))
  ) {
    throw new CommandLineError(
      `expected a data set name (cifar10 or fashion-mnist) and a folder, got ${positionals.join(' ')}`,
    );
  }
  const name = positionals[0] === 'cifar10' ? 'cifar10' : 'fashion-mnist';
  const dir = positionals[1] ?? (name === 'cifar10' ? defaultCifar10Dir() : defaultFashionMnistDir());
  await ready();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let shapes: string;
  if (values.getData) {
    const d = await getData({ dataset: name, dir, reshapeRows: values.reshapeRows ?? false });
    shapes = `XTrain [${d.XTrain.shape}] XVal [${d.XVal.shape}] XTest [${d.XTest.shape}] XDev [${d.XDev.shape}]`;
  } else {
    const d = name === 'cifar10' ? loadCifar10(dir) : loadFashionMnist(dir);
    shapes = `XTrain [${d.XTrain.shape}] XTest [${d.XTest.shape}]`;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const mem = process.memoryUsage();
  console.log(
    `${name}${values.getData ? ' getData' : ' load'}: ${(ms / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU on ${backendInfo().name}; ${shapes}; ` +
      `${(tf.memory().numBytes / 1e6) | 0} MB in tensors; rss now ${(mem.rss / 1e6).toFixed(0)} MB`,
  );
}

main().catch((e) => {
  console.error(`datasetLoad: ${(e as Error).message.split('\n')[0]}`);
  if (e instanceof CommandLineError) console.error(USAGE);
  process.exit(e instanceof CommandLineError ? 2 : 1);
});
