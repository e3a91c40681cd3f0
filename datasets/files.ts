/**
 * Which files make up each data set on disk, and whether they are there: no tensors, no decoding,
 * so that tools which only need to know where a data set is (the grader, the fetcher's status)
 * can ask without loading the tensor core.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetMissingError } from './errors';
import { CIFAR10_FOLDER } from './paths';

export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';

/**
 * The folder that holds the batches: `dir` itself, or `dir/cifar-10-batches-bin`.
 * Throws DatasetMissingError naming every missing file.
 */
export function resolveCifar10Dir(dir: string): string {
  const abs = path.resolve(dir);
  const nested = path.join(abs, CIFAR10_FOLDER);
  const candidates =
    fs.existsSync(path.join(abs, CIFAR10_TEST_FILE)) || !fs.existsSync(nested) ? [abs, nested] : [nested, abs];
  const needed = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const missingIn = (d: string) => needed.filter((f) => !fs.existsSync(path.join(d, f)));
  for (const d of candidates) if (missingIn(d).length === 0) return d;
  const best = candidates[0];
  throw new DatasetMissingError(
    'CIFAR-10',
    best,
    missingIn(best),
    'run `npm run datasets -- cifar10` (170 MB download), or use Fashion-MNIST: TS231N_DATASET=fashion-mnist',
  );
}

/** True when all six batch files are in `dir` (or `dir/cifar-10-batches-bin`). */
export function hasCifar10(dir: string): boolean {
  try {
    resolveCifar10Dir(dir);
    return true;
  } catch {
    return false;
  }
}

export const FASHION_MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

/** `dir/base.gz` if present, else the uncompressed `dir/base`, else null. */
export function findFashionMnistFile(dir: string, base: string): string | null {
  for (const name of [`${base}.gz`, base]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** True when all four IDX files (compressed or not) are in `dir`. */
export function hasFashionMnist(dir: string): boolean {
  return FASHION_MNIST_FILES.every((b) => findFashionMnistFile(dir, b) !== null);
}
