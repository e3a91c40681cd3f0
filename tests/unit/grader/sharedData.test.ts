/**
 * The data set the grader inflates once per run (grader/sharedData.ts): the same bytes as the
 * archives hold, read by the loader exactly as the archives are, and only where the children
 * would load Fashion-MNIST anyway.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { shareDecodedData } from '../../../grader/sharedData';
import { readFashionMnistRaw } from '../../../datasets/fashionMnist';
import { tempDir, writeCifar10, writeFashionMnist } from '../../fixtures/datasets/generate';

const saved = { dir: process.env.TS231N_DATA_DIR, name: process.env.TS231N_DATASET };
afterEach(() => {
  for (const [k, v] of [
    ['TS231N_DATA_DIR', saved.dir],
    ['TS231N_DATASET', saved.name],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

function dataRootWithFashionMnist(): string {
  const root = tempDir('shared-data-src');
  writeFashionMnist(path.join(root, 'fashion-mnist'), 120, 30, true);
  process.env.TS231N_DATA_DIR = root;
  delete process.env.TS231N_DATASET;
  return root;
}

describe('shareDecodedData', () => {
  it('inflates the four IDX files once; the loader reads them as it reads the archives', () => {
    const root = dataRootWithFashionMnist();
    const scratch = tempDir('shared-data-scratch');
    const shared = shareDecodedData(scratch)!;
    expect(shared.env).toEqual({ TS231N_DATA_DIR: path.join(scratch, 'data'), TS231N_DATASET: 'fashion-mnist' });
    const out = path.join(shared.root, 'fashion-mnist');
    expect(fs.readdirSync(out).sort()).toEqual([
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
    ]);
    for (const f of fs.readdirSync(out))
      expect(
        fs
          .readFileSync(path.join(out, f))
          .equals(zlib.gunzipSync(fs.readFileSync(path.join(root, 'fashion-mnist', `${f}.gz`)))),
      ).toBe(true);
    const fromArchives = readFashionMnistRaw(path.join(root, 'fashion-mnist'));
    const fromShared = readFashionMnistRaw(out);
    expect(Buffer.from(fromShared.train.images).equals(Buffer.from(fromArchives.train.images))).toBe(true);
    expect(Array.from(fromShared.test.labels)).toEqual(Array.from(fromArchives.test.labels));
  });

  it('changes nothing where the children would load CIFAR-10 (named, or present), or an unknown name', () => {
    const root = dataRootWithFashionMnist();
    process.env.TS231N_DATASET = 'cifar10';
    expect(shareDecodedData(tempDir('shared-data-scratch'))).toBeNull();
    process.env.TS231N_DATASET = 'no-such-set';
    expect(shareDecodedData(tempDir('shared-data-scratch'))).toBeNull();
    delete process.env.TS231N_DATASET;
    writeCifar10(root);
    expect(shareDecodedData(tempDir('shared-data-scratch'))).toBeNull();
    process.env.TS231N_DATASET = 'fashion-mnist';
    expect(shareDecodedData(tempDir('shared-data-scratch'))).not.toBeNull();
  });
});
