/**
 * CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * `cifar-10-batches-bin/` holds `data_batch_1..5.bin` (train, 10,000 records each),
 * `test_batch.bin` and `batches.meta.txt` (class names, one a line). A record is 3073 bytes:
 * 1 label byte, then 1024 red, 1024 green, 1024 blue bytes, each plane 32×32 row-major (CHW).
 * The loaders here transpose to HWC while reading, like the course's `load_CIFAR10`
 * (`X.reshape(10000, 3, 32, 32).transpose(0, 2, 3, 1)`), and keep pixel values 0–255.
 *
 * Files are read in chunks straight into one preallocated array per split, so loading 50,000
 * images never holds more than that array plus one 3 MB chunk.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../kernel/runtime/tensor';
import { LabelRangeError, TruncatedFileError } from './errors';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, resolveCifar10Dir } from './files';
import type { Dataset, RawDataset, RawSplit } from './types';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const CIFAR10_META_FILE = 'batches.meta.txt';

const SIDE = 32;
const PLANE = SIDE * SIDE; // 1024
const IMAGE_BYTES = 3 * PLANE; // 3072
export const CIFAR10_RECORD_BYTES = 1 + IMAGE_BYTES; // 3073
const CHUNK_RECORDS = 1000;
const FIX = 're-download it with `npm run datasets -- cifar10 --force`';

function readClassNames(dir: string): string[] {
  const meta = path.join(dir, CIFAR10_META_FILE);
  if (!fs.existsSync(meta)) return [...CIFAR10_CLASSES];
  const names = fs
    .readFileSync(meta, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return names.length === 10 ? names : [...CIFAR10_CLASSES];
}

/** Records in a batch file, from its size; a size that is not a whole number of records is a truncated file. */
function countRecords(file: string): number {
  const size = fs.statSync(file).size;
  const n = Math.floor(size / CIFAR10_RECORD_BYTES);
  if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
    throw new TruncatedFileError(
      file,
      (n + 1) * CIFAR10_RECORD_BYTES,
      size,
      `it ends inside record ${n} (records are ${CIFAR10_RECORD_BYTES} bytes); ${FIX}`,
    );
  }
  return n;
}

type PixelArray = Float32Array | Uint8Array;

/**
 * Reads `files` in order into `X` (HWC) and `y`, starting at record 0 of the split.
 * `X[r, h, w, c] = file[r·3073 + 1 + c·1024 + h·32 + w]`.
 */
function readBatches(files: string[], X: PixelArray, y: Int32Array): void {
  const buf = Buffer.allocUnsafe(CHUNK_RECORDS * CIFAR10_RECORD_BYTES);
  let record = 0;
  for (const file of files) {
    const n = countRecords(file);
    const fd = fs.openSync(file, 'r');
    try {
      for (let done = 0; done < n;) {
        const want = Math.min(CHUNK_RECORDS, n - done) * CIFAR10_RECORD_BYTES;
        let got = 0;
        while (got < want) {
          const k = fs.readSync(fd, buf, got, want - got, done * CIFAR10_RECORD_BYTES + got);
          if (k === 0)
            throw new TruncatedFileError(
              file,
              n * CIFAR10_RECORD_BYTES,
              done * CIFAR10_RECORD_BYTES + got,
              `the file shrank while it was read; ${FIX}`,
            );
          got += k;
        }
        const recs = want / CIFAR10_RECORD_BYTES;
        for (let r = 0; r < recs; r++, record++) {
          const o = r * CIFAR10_RECORD_BYTES;
          const label = buf[o];
          if (label > 9) throw new LabelRangeError(file, done + r, label, 10);
          y[record] = label;
          const base = record * IMAGE_BYTES;
          for (let p = 0; p < PLANE; p++) {
            const dst = base + p * 3;
            X[dst] = buf[o + 1 + p];
            X[dst + 1] = buf[o + 1 + PLANE + p];
            X[dst + 2] = buf[o + 1 + 2 * PLANE + p];
          }
        }
        done += recs;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

interface Layout {
  dir: string;
  trainFiles: string[];
  testFiles: string[];
  nTrain: number;
  nTest: number;
}

/** Finds the files and checks every size before anything is allocated. */
function layout(dir: string): Layout {
  const d = resolveCifar10Dir(dir);
  const trainFiles = CIFAR10_TRAIN_FILES.map((f) => path.join(d, f));
  const testFiles = [path.join(d, CIFAR10_TEST_FILE)];
  const nTrain = trainFiles.reduce((s, f) => s + countRecords(f), 0);
  const nTest = countRecords(testFiles[0]);
  return { dir: d, trainFiles, testFiles, nTrain, nTest };
}

function readSplit<T extends PixelArray>(
  files: string[],
  n: number,
  alloc: (len: number) => T,
): { X: T; y: Int32Array } {
  const X = alloc(n * IMAGE_BYTES);
  const y = new Int32Array(n);
  readBatches(files, X, y);
  return { X, y };
}

/** CIFAR-10 as bytes (uint8 HWC); what the registry caches and getData slices from. */
export function readCifar10Raw(dir: string): RawDataset {
  const l = layout(dir);
  const train = readSplit(l.trainFiles, l.nTrain, (len) => new Uint8Array(len));
  const test = readSplit(l.testFiles, l.nTest, (len) => new Uint8Array(len));
  const split = (s: { X: Uint8Array; y: Int32Array }, count: number): RawSplit => ({ images: s.X, labels: s.y, count });
  return {
    name: 'cifar10',
    dir: l.dir,
    imageShape: [SIDE, SIDE, 3],
    train: split(train, l.nTrain),
    test: split(test, l.nTest),
    classNames: readClassNames(l.dir),
  };
}

/**
 * Loads CIFAR-10 from its binary batches.
 *
 * Inputs:
 * - dir: the `cifar-10-batches-bin` folder or its parent.
 *
 * Returns `{ XTrain, yTrain, XTest, yTest, classNames, name }`:
 * - XTrain: float32 `(50000, 32, 32, 3)`, HWC, pixel values 0–255 (not scaled, like the original)
 * - yTrain: int32 `(50000,)`, labels 0..9
 * - XTest, yTest: the same for the 10,000 test images
 *
 * Throws DatasetMissingError, TruncatedFileError or LabelRangeError; no tensor is left behind
 * when it throws. Memory: one float32 array per split (614 MB for train), read in 3 MB chunks.
 */
export function loadCifar10(dir: string): Dataset {
  const l = layout(dir);
  const classNames = readClassNames(l.dir);
  // Make the train tensor before reading the test file so the backend can take over (and the
  // GC free) the 614 MB array before the next one is allocated.
  const train = readSplit(l.trainFiles, l.nTrain, (len) => new Float32Array(len));
  const made: tf.Tensor[] = [];
  try {
    const XTrain = tf.tensor4d(train.X, [l.nTrain, SIDE, SIDE, 3], 'float32');
    made.push(XTrain);
    const yTrain = tf.tensor1d(train.y, 'int32');
    made.push(yTrain);
    train.X = new Float32Array(0);
    const test = readSplit(l.testFiles, l.nTest, (len) => new Float32Array(len));
    const XTest = tf.tensor4d(test.X, [l.nTest, SIDE, SIDE, 3], 'float32');
    made.push(XTest);
    const yTest = tf.tensor1d(test.y, 'int32');
    return { name: 'cifar10', XTrain, yTrain, XTest, yTest, classNames };
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}
