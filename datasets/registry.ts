/**
 * One copy of a data set per process. Which one, and from where: ./names.ts (the argument, else
 * `TS231N_DATASET`, else CIFAR-10 when its files are present, else Fashion-MNIST: a `npm run
 * datasets` download under the data root, else Debian's /usr/share/datasets/fashion-mnist).
 *
 * The cache keeps the bytes (uint8, 4× smaller than float32, no tensors) keyed by name and folder;
 * `loadDataset` also keeps its float32 tensors and rebuilds them if someone disposed them.
 */
import { readCifar10Raw } from './cifar10';
import { readFashionMnistRaw } from './fashionMnist';
import { defaultDir, resolveDatasetName } from './names';
import { rawToDataset } from './tensors';
import type { Dataset, DatasetName, RawDataset } from './types';

export { DATASET_NAMES, defaultDir, normalizeDatasetName, resolveDatasetName } from './names';

const rawCache = new Map<string, RawDataset>();
const tensorCache = new Map<string, Dataset>();

function key(name: DatasetName, dir: string): string {
  return `${name}\0${dir}`;
}

/** The bytes of a data set, read once per process (and per folder). */
export function loadRaw(name?: string, dir?: string): RawDataset {
  const n = resolveDatasetName(name);
  const d = dir ?? defaultDir(n);
  const k = key(n, d);
  let raw = rawCache.get(k);
  if (!raw) {
    raw = n === 'cifar10' ? readCifar10Raw(d) : readFashionMnistRaw(d);
    rawCache.set(k, raw);
  }
  return raw;
}

function alive(ds: Dataset): boolean {
  return [ds.XTrain, ds.yTrain, ds.XTest, ds.yTest].every((t) => !t.isDisposed);
}

/**
 * The default data set (or `name`) as float32 tensors `{ XTrain, yTrain, XTest, yTest, classNames, name }`,
 * cached per process: calling it again returns the same tensors (rebuilt if they were disposed).
 * Do not dispose them while other cells use them; `clearDatasetCache()` frees everything.
 */
export function loadDataset(name?: string, dir?: string): Dataset {
  const n = resolveDatasetName(name);
  const d = dir ?? defaultDir(n);
  const k = key(n, d);
  const cached = tensorCache.get(k);
  if (cached && alive(cached)) return cached;
  if (cached)
    for (const t of [cached.XTrain, cached.yTrain, cached.XTest, cached.yTest]) if (!t.isDisposed) t.dispose();
  const ds = rawToDataset(loadRaw(n, d));
  tensorCache.set(k, ds);
  return ds;
}

/** Forget every cached data set and dispose the cached tensors. */
export function clearDatasetCache(): void {
  for (const ds of tensorCache.values())
    for (const t of [ds.XTrain, ds.yTrain, ds.XTest, ds.yTest]) if (!t.isDisposed) t.dispose();
  tensorCache.clear();
  rawCache.clear();
}
