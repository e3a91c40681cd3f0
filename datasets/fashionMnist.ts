/**
 * Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist): 60,000 train + 10,000 test
 * grey 28×28 images of clothing in 10 classes, in the IDX format of MNIST
 * (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-…`). The offline default of
 * the kit: Debian's `dataset-fashion-mnist` installs it in /usr/share/datasets/fashion-mnist.
 */
import * as path from 'path';
import { DatasetMissingError, LabelRangeError, RecordCountError } from './errors';
import { readIdx } from './idx';
import { DEBIAN_FASHION_MNIST_DIR } from './paths';
import { FASHION_MNIST_FILES, findFashionMnistFile as findFile } from './files';
import { rawToDataset } from './tensors';
import type { Dataset, RawDataset, RawSplit } from './types';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const FIX =
  'reinstall it (`sudo apt-get install --reinstall dataset-fashion-mnist`) or re-download it (`npm run datasets -- fashion-mnist --force`)';
const MISSING_FIX =
  'install it with `sudo apt-get install dataset-fashion-mnist` (or `npm run setup`), or download it with `npm run datasets -- fashion-mnist`';

function readPair(dir: string, prefix: 'train' | 't10k'): RawSplit & { shape: [number, number] } {
  const imagesFile = findFile(dir, `${prefix}-images-idx3-ubyte`)!;
  const labelsFile = findFile(dir, `${prefix}-labels-idx1-ubyte`)!;
  const images = readIdx(imagesFile, 3, 'images', FIX);
  const labels = readIdx(labelsFile, 1, 'labels', FIX);
  const n = images.dims[0];
  if (labels.dims[0] !== n) {
    throw new RecordCountError(
      labelsFile,
      n,
      labels.dims[0],
      `${labels.dims[0].toLocaleString('en-US')} labels for ${n.toLocaleString('en-US')} images in ${path.basename(imagesFile)}`,
    );
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (label > 9) throw new LabelRangeError(labelsFile, i, label, 10);
    y[i] = label;
  }
  return { images: images.data, labels: y, count: n, shape: [images.dims[1], images.dims[2]] };
}

/** Fashion-MNIST as bytes (uint8, `[N, 28, 28, 1]` order); what the registry caches. */
export function readFashionMnistRaw(dir: string = DEBIAN_FASHION_MNIST_DIR): RawDataset {
  const abs = path.resolve(dir);
  const missing = FASHION_MNIST_FILES.filter((b) => findFile(abs, b) === null).map((b) => `${b}.gz`);
  if (missing.length > 0) throw new DatasetMissingError('Fashion-MNIST', abs, missing, MISSING_FIX);
  const train = readPair(abs, 'train');
  const test = readPair(abs, 't10k');
  const [h, w] = train.shape;
  return {
    name: 'fashion-mnist',
    dir: abs,
    imageShape: [h, w, 1],
    train: { images: train.images, labels: train.labels, count: train.count },
    test: { images: test.images, labels: test.labels, count: test.count },
    classNames: [...FASHION_MNIST_CLASSES],
  };
}

/**
 * Loads Fashion-MNIST from its IDX files (gzip or uncompressed).
 *
 * Inputs:
 * - dir: folder with the four files; default /usr/share/datasets/fashion-mnist (Debian's package).
 *
 * Returns `{ XTrain, yTrain, XTest, yTest, classNames, name }`:
 * - XTrain: float32 `(60000, 28, 28, 1)`, pixel values 0–255
 * - yTrain: int32 `(60000,)`, labels 0..9 (classNames[label])
 * - XTest, yTest: the same for the 10,000 test images
 *
 * Throws DatasetMissingError or a DatasetFormatError (truncated file, wrong IDX magic number,
 * bad gzip stream, counts that do not match); no tensor is left behind when it throws.
 */
export function loadFashionMnist(dir: string = DEBIAN_FASHION_MNIST_DIR): Dataset {
  return rawToDataset(readFashionMnistRaw(dir));
}
