/**
 * Where data sets live by default.
 *
 * `npm run datasets` downloads into `<repo>/data/` (git never sees it: the fetcher writes a
 * `data/.gitignore`). `TS231N_DATA_DIR` points the kit at another data root (or straight at the
 * `cifar-10-batches-bin` folder). Fashion-MNIST falls back to where Debian's
 * `dataset-fashion-mnist` package installs it.
 */
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const CIFAR10_FOLDER = 'cifar-10-batches-bin';
export const FASHION_MNIST_FOLDER = 'fashion-mnist';

/** The data root: `TS231N_DATA_DIR`, else `<repo>/data`. */
export function dataRoot(): string {
  const env = process.env.TS231N_DATA_DIR;
  return env ? path.resolve(env) : path.join(REPO_ROOT, 'data');
}

/** `TS231N_DATA_DIR` may name the data root or the CIFAR-10 folder itself; loadCifar10 takes both. */
export function defaultCifar10Dir(): string {
  const root = dataRoot();
  return path.basename(root) === CIFAR10_FOLDER ? root : path.join(root, CIFAR10_FOLDER);
}

/** A downloaded copy under the data root if there is one, else Debian's. */
export function defaultFashionMnistDir(): string {
  const downloaded = path.join(dataRoot(), FASHION_MNIST_FOLDER);
  return fs.existsSync(downloaded) ? downloaded : DEBIAN_FASHION_MNIST_DIR;
}
