/**
 * Data sets for the course: CIFAR-10 (binary batches) and Fashion-MNIST (IDX), a registry that
 * picks the default, the course's splits and preprocessing, and typed errors.
 *
 *   import { getData } from 'ts231n/datasets';   // in a notebook or an assignment module
 *   const data = await getData({ reshapeRows: true, addBias: true });   // CIFAR-10 if downloaded, else Fashion-MNIST
 */
export * from './errors';
export type { Dataset, DatasetName, RawDataset, RawSplit } from './types';
export { CIFAR10_CLASSES, loadCifar10, readCifar10Raw } from './cifar10';
export { hasCifar10, hasFashionMnist, resolveCifar10Dir } from './files';
export { FASHION_MNIST_CLASSES, loadFashionMnist, readFashionMnistRaw } from './fashionMnist';
export { readIdx } from './idx';
export { DEBIAN_FASHION_MNIST_DIR, dataRoot, defaultCifar10Dir, defaultFashionMnistDir } from './paths';
export { clearDatasetCache, loadDataset, loadRaw } from './registry';
export { DATASET_NAMES, defaultDir, normalizeDatasetName, resolveDatasetName } from './names';
export { DEFAULT_SIZES, QUICK_SIZES, getData, resolveSizes, subsample } from './splits';
export type { CourseData, GetDataOptions, SplitSizes } from './splits';
export { rawToDataset } from './tensors';
export { fetchDataset } from './fetcher';
export type { FetchOptions, FetchResult } from './fetcher';
export { showExamples, ShowExamplesError } from './showExamples';
export type { ShowExamplesOptions } from './showExamples';
