/**
 * CIFAR-10 and Fashion-MNIST readers on generated files in the real formats: every pixel lands in
 * HWC order, labels and class names are right, and each kind of broken file gives its own typed,
 * one-line error without leaving tensors behind.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ready, tf } from '../../../kernel/runtime/tensor';
import {
  CIFAR10_CLASSES,
  DatasetFormatError,
  DatasetMissingError,
  FASHION_MNIST_CLASSES,
  GzipError,
  IdxMagicError,
  LabelRangeError,
  RecordCountError,
  TruncatedFileError,
  loadCifar10,
  loadFashionMnist,
} from '../../../datasets';
import {
  MNIST_TEST_OFFSET,
  TEST_OFFSET,
  cifarLabel,
  cifarPixel,
  idxImages,
  idxLabel,
  idxLabels,
  idxPixel,
  tempDir,
  writeCifar10,
  writeFashionMnist,
} from '../../fixtures/datasets/generate';

beforeAll(async () => {
  await ready();
});

/** Runs `fn`, expects it to throw an instance of `cls`, and checks no tensor was left behind. */
function expectThrowsClean<E extends Error>(fn: () => unknown, cls: new (...a: never[]) => E): E {
  const before = tf.memory().numTensors;
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  expect(tf.memory().numTensors).toBe(before);
  const err = caught as E;
  expect(err.message).not.toContain('\n');
  return err;
}

describe('CIFAR-10 binary batches', () => {
  const parent = tempDir('cifar');
  const fx = writeCifar10(parent, 40, 50);
  const nTrain = 5 * fx.perBatch;

  test('every pixel of the R, G, B planes lands in channels 0, 1, 2 of an HWC image, in file order', () => {
    const ds = loadCifar10(fx.dir);
    try {
      expect(ds.name).toBe('cifar10');
      expect(ds.XTrain.shape).toEqual([nTrain, 32, 32, 3]);
      expect(ds.XTrain.dtype).toBe('float32');
      expect(ds.yTrain.shape).toEqual([nTrain]);
      expect(ds.yTrain.dtype).toBe('int32');
      expect(ds.XTest.shape).toEqual([fx.testCount, 32, 32, 3]);
      const X = ds.XTrain.dataSync();
      let bad = 0;
      for (let i = 0; i < nTrain; i++)
        for (let r = 0; r < 32; r++)
          for (let col = 0; col < 32; col++)
            for (let c = 0; c < 3; c++) if (X[((i * 32 + r) * 32 + col) * 3 + c] !== cifarPixel(i, c, r, col)) bad++;
      expect(bad).toBe(0);
      expect(Array.from(ds.yTrain.dataSync())).toEqual(Array.from({ length: nTrain }, (_, i) => cifarLabel(i)));
      const Xt = ds.XTest.dataSync();
      // test image 7, row 5, column 9, blue
      expect(Xt[((7 * 32 + 5) * 32 + 9) * 3 + 2]).toBe(cifarPixel(TEST_OFFSET + 7, 2, 5, 9));
      expect(Array.from(ds.yTest.dataSync())).toEqual(
        Array.from({ length: fx.testCount }, (_, i) => cifarLabel(TEST_OFFSET + i)),
      );
      expect(ds.classNames).toEqual(CIFAR10_CLASSES);
    } finally {
      tf.dispose([ds.XTrain, ds.yTrain, ds.XTest, ds.yTest]);
    }
  });

  test('accepts the parent of cifar-10-batches-bin, and class names come from batches.meta.txt', () => {
    fs.writeFileSync(
      path.join(fx.dir, 'batches.meta.txt'),
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n',
    );
    const ds = loadCifar10(parent);
    try {
      expect(ds.XTrain.shape[0]).toBe(nTrain);
      expect(ds.classNames).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    } finally {
      tf.dispose([ds.XTrain, ds.yTrain, ds.XTest, ds.yTest]);
      fs.writeFileSync(path.join(fx.dir, 'batches.meta.txt'), CIFAR10_CLASSES.join('\n'));
    }
  });

  test('a missing folder names the files and the download command', () => {
    const empty = tempDir('cifar-empty');
    fs.mkdirSync(path.join(empty, 'cifar-10-batches-bin'));
    fs.writeFileSync(path.join(empty, 'cifar-10-batches-bin', 'data_batch_1.bin'), Buffer.alloc(3073));
    const err = expectThrowsClean(() => loadCifar10(empty), DatasetMissingError);
    expect(err.message).toContain('npm run datasets -- cifar10');
    expect(err.missing).toEqual([
      'data_batch_2.bin',
      'data_batch_3.bin',
      'data_batch_4.bin',
      'data_batch_5.bin',
      'test_batch.bin',
    ]);
    expect(err.dir).toBe(path.join(empty, 'cifar-10-batches-bin'));
  });

  test('a batch that ends inside a record is a TruncatedFileError naming the file', () => {
    const p = tempDir('cifar-trunc');
    const f = writeCifar10(p, 10, 10);
    const file = path.join(f.dir, 'data_batch_3.bin');
    fs.truncateSync(file, 10 * 3073 - 100);
    const err = expectThrowsClean(() => loadCifar10(f.dir), TruncatedFileError);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    expect(err.actualBytes).toBe(10 * 3073 - 100);
    expect(err.message).toContain('npm run datasets -- cifar10 --force');
  });

  test('a label byte above 9 in the test batch (read after the train tensors exist) disposes them and says which record', () => {
    const p = tempDir('cifar-label');
    const f = writeCifar10(p, 10, 10);
    const file = path.join(f.dir, 'test_batch.bin');
    const buf = fs.readFileSync(file);
    buf[4 * 3073] = 17;
    fs.writeFileSync(file, buf);
    const err = expectThrowsClean(() => loadCifar10(f.dir), LabelRangeError);
    expect(err.record).toBe(4);
    expect(err.label).toBe(17);
    expect(err.message).toContain(file);
  });
});

describe('Fashion-MNIST IDX files', () => {
  test('gzip files: shapes, every pixel, labels and class names', () => {
    const fx = writeFashionMnist(tempDir('fmnist'), 300, 60);
    const ds = loadFashionMnist(fx.dir);
    try {
      expect(ds.name).toBe('fashion-mnist');
      expect(ds.XTrain.shape).toEqual([300, 28, 28, 1]);
      expect(ds.XTest.shape).toEqual([60, 28, 28, 1]);
      expect(ds.XTrain.dtype).toBe('float32');
      expect(ds.yTrain.dtype).toBe('int32');
      const X = ds.XTrain.dataSync();
      let bad = 0;
      for (let i = 0; i < 300; i++)
        for (let r = 0; r < 28; r++)
          for (let c = 0; c < 28; c++) if (X[(i * 28 + r) * 28 + c] !== idxPixel(i, r, c)) bad++;
      expect(bad).toBe(0);
      expect(ds.XTest.dataSync()[(59 * 28 + 27) * 28 + 1]).toBe(idxPixel(MNIST_TEST_OFFSET + 59, 27, 1));
      expect(Array.from(ds.yTrain.dataSync())).toEqual(Array.from({ length: 300 }, (_, i) => idxLabel(i)));
      expect(Array.from(ds.yTest.dataSync())).toEqual(
        Array.from({ length: 60 }, (_, i) => idxLabel(MNIST_TEST_OFFSET + i)),
      );
      expect(ds.classNames).toEqual(FASHION_MNIST_CLASSES);
      expect(ds.classNames[9]).toBe('Ankle boot');
    } finally {
      tf.dispose([ds.XTrain, ds.yTrain, ds.XTest, ds.yTest]);
    }
  });

  test('uncompressed IDX files load the same', () => {
    const fx = writeFashionMnist(tempDir('fmnist-raw'), 50, 20, false);
    expect(fs.readdirSync(fx.dir).some((f) => f.endsWith('.gz'))).toBe(false);
    const ds = loadFashionMnist(fx.dir);
    try {
      expect(ds.XTrain.shape).toEqual([50, 28, 28, 1]);
      expect(ds.XTrain.dataSync()[(49 * 28 + 13) * 28 + 20]).toBe(idxPixel(49, 13, 20));
    } finally {
      tf.dispose([ds.XTrain, ds.yTrain, ds.XTest, ds.yTest]);
    }
  });

  test('a missing folder names the apt package', () => {
    const err = expectThrowsClean(
      () => loadFashionMnist(path.join(tempDir('fmnist-none'), 'nowhere')),
      DatasetMissingError,
    );
    expect(err.message).toContain('dataset-fashion-mnist');
    expect(err.missing).toHaveLength(4);
  });

  const corrupt = (name: string, data: Buffer, gzip = true) => {
    const fx = writeFashionMnist(tempDir('fmnist-bad'), 40, 10);
    const file = path.join(fx.dir, name + '.gz');
    fs.writeFileSync(file, gzip ? zlib.gzipSync(data) : data);
    return { dir: fx.dir, file };
  };

  test('a file shorter than its header promises is a TruncatedFileError', () => {
    const full = idxImages(40);
    const { dir, file } = corrupt('train-images-idx3-ubyte', full.subarray(0, full.length - 500));
    const err = expectThrowsClean(() => loadFashionMnist(dir), TruncatedFileError);
    expect(err.file).toBe(file);
    expect(err.expectedBytes).toBe(full.length);
    expect(err.actualBytes).toBe(full.length - 500);
    expect(err.message).toContain(file);
  });

  test('a labels file in place of the images is an IdxMagicError with both magic numbers', () => {
    const { dir, file } = corrupt('train-images-idx3-ubyte', idxLabels(40));
    const err = expectThrowsClean(() => loadFashionMnist(dir), IdxMagicError);
    expect(err.expected).toBe(0x803);
    expect(err.found).toBe(0x801);
    expect(err.message).toContain('0x00000803');
    expect(err.message).toContain('0x00000801');
    expect(err.message).toContain(file);
  });

  test('a .gz whose stream is damaged is a GzipError', () => {
    const good = zlib.gzipSync(idxLabels(40));
    const damaged = Buffer.from(good);
    for (let i = 12; i < damaged.length - 8; i++) damaged[i] ^= 0x5a;
    const { dir, file } = corrupt('train-labels-idx1-ubyte', damaged, false);
    const err = expectThrowsClean(() => loadFashionMnist(dir), GzipError);
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    // A .gz cut in half is a bad stream as well.
    const half = corrupt('t10k-images-idx3-ubyte', good.subarray(0, good.length >> 1), false);
    expectThrowsClean(() => loadFashionMnist(half.dir), GzipError);
  });

  test('more data than the header says, or label and image counts that differ, is a RecordCountError', () => {
    const extra = Buffer.concat([idxImages(40), Buffer.alloc(784 * 2)]);
    const a = corrupt('train-images-idx3-ubyte', extra);
    const e1 = expectThrowsClean(() => loadFashionMnist(a.dir), RecordCountError);
    expect(e1.expected).toBe(40);
    expect(e1.found).toBe(42);
    expect(e1.message).toContain(a.file);
    const b = corrupt('train-labels-idx1-ubyte', idxLabels(39));
    const e2 = expectThrowsClean(() => loadFashionMnist(b.dir), RecordCountError);
    expect(e2.message).toContain('39 labels for 40 images');
  });

  test('a label above 9 is a LabelRangeError', () => {
    const labels = idxLabels(40);
    labels[8 + 33] = 200;
    const { dir } = corrupt('train-labels-idx1-ubyte', labels);
    const err = expectThrowsClean(() => loadFashionMnist(dir), LabelRangeError);
    expect(err.record).toBe(33);
  });
});
