/**
 * Where `npm run datasets` downloads from, with the published checksums.
 *
 * - CIFAR-10 binary version, from the dataset's home page (https://www.cs.toronto.edu/~kriz/cifar.html),
 *   md5 as published there.
 * - Fashion-MNIST, the four gzip files from the zalandoresearch/fashion-mnist repository
 *   (data/fashion/), md5s as published in its README ("Get the Data"). Debian's package
 *   recompresses them, so its .gz files have other md5s; the decoded bytes are the same.
 *
 * `TS231N_CIFAR10_URL` (and `TS231N_CIFAR10_MD5` for a mirror that repacked it) and
 * `TS231N_FASHION_MNIST_URL` (a base URL ending in /) point the fetcher at a mirror or a local server.
 */
import type { DatasetName } from '../types';

export interface RemoteFile {
  url: string;
  /** File name on disk. */
  name: string;
  md5: string;
}

export interface Source {
  name: DatasetName;
  title: string;
  /** Folder under the data root that the loader reads. */
  folder: string;
  /** 'tar.gz': one archive, extracted into the data root (it holds `folder/`); 'files': saved into `folder/`. */
  kind: 'tar.gz' | 'files';
  files: RemoteFile[];
  /** Shown in the size estimate before a download. */
  approxBytes: number;
}

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const FASHION_MNIST_BASE_URL =
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/';
export const FASHION_MNIST_MD5: Record<string, string> = {
  'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
  't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
  't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
};

export function sourceFor(name: DatasetName, env: NodeJS.ProcessEnv = process.env): Source {
  if (name === 'cifar10') {
    return {
      name,
      title: 'CIFAR-10',
      folder: 'cifar-10-batches-bin',
      kind: 'tar.gz',
      files: [
        {
          url: env.TS231N_CIFAR10_URL || CIFAR10_URL,
          name: 'cifar-10-binary.tar.gz',
          md5: (env.TS231N_CIFAR10_MD5 || CIFAR10_MD5).toLowerCase(),
        },
      ],
      approxBytes: 170e6,
    };
  }
  let base = env.TS231N_FASHION_MNIST_URL || FASHION_MNIST_BASE_URL;
  if (!base.endsWith('/')) base += '/';
  return {
    name,
    title: 'Fashion-MNIST',
    folder: 'fashion-mnist',
    kind: 'files',
    files: Object.entries(FASHION_MNIST_MD5).map(([file, md5]) => ({ url: base + file, name: file, md5 })),
    approxBytes: 30.9e6,
  };
}
