/**
 * Which data set a notebook gets: the argument, else `TS231N_DATASET`, else CIFAR-10 when its
 * files are present (`TS231N_DATA_DIR` or `<repo>/data/cifar-10-batches-bin`), else Fashion-MNIST;
 * and the folder it is read from. No tensors (see ./files.ts).
 */
import { hasCifar10 } from './files';
import { UnknownDatasetError } from './errors';
import { defaultCifar10Dir, defaultFashionMnistDir } from './paths';
import type { DatasetName } from './types';

export const DATASET_NAMES: DatasetName[] = ['cifar10', 'fashion-mnist'];

const ALIASES: Record<string, DatasetName> = {
  cifar10: 'cifar10',
  cifar: 'cifar10',
  fashionmnist: 'fashion-mnist',
  fmnist: 'fashion-mnist',
};

/** Canonical name for `name` ("CIFAR-10", "cifar10", "fashion_mnist", …); unknown names throw. */
export function normalizeDatasetName(name: string): DatasetName {
  const key = name.toLowerCase().replace(/[-_\s]/g, '');
  const found = ALIASES[key];
  if (!found) throw new UnknownDatasetError(name, DATASET_NAMES);
  return found;
}

/** The name `loadDataset(name)` would load, following argument → TS231N_DATASET → CIFAR-10 if present → Fashion-MNIST. */
export function resolveDatasetName(name?: string): DatasetName {
  if (name) return normalizeDatasetName(name);
  const env = process.env.TS231N_DATASET;
  if (env) return normalizeDatasetName(env);
  return hasCifar10(defaultCifar10Dir()) ? 'cifar10' : 'fashion-mnist';
}

/** The folder a data set is read from by default. */
export function defaultDir(name: DatasetName): string {
  return name === 'cifar10' ? defaultCifar10Dir() : defaultFashionMnistDir();
}
