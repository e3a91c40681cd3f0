/**
 * The real Fashion-MNIST from Debian's dataset-fashion-mnist (installed by `npm run setup` and in
 * CI): counts, classes, pixel range, one fixed image, and the course splits on it.
 *
 * The sha256 below was recorded once from the real file, independently of this code, with
 *   python3 -c "import gzip,hashlib; b=gzip.open('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz').read(); print(hashlib.sha256(b[16:16+784]).hexdigest())"
 * (the first training image's 784 bytes after the 16-byte IDX header; its label is 9, Ankle boot).
 */
import * as crypto from 'crypto';
import { ready, tf } from '../../../kernel/runtime/tensor';
import { DEBIAN_FASHION_MNIST_DIR, getData, loadFashionMnist } from '../../../datasets';

const FIRST_IMAGE_SHA256 = '5bd44e331a6d6998daf675700cd0c13dcd7af8ab954b7585124124da61459e7b';

beforeAll(async () => {
  await ready();
});

test('Fashion-MNIST from the Debian package: 60,000/10,000 images, 6,000 per class, 0–255, a known first image', () => {
  const ds = loadFashionMnist(DEBIAN_FASHION_MNIST_DIR);
  try {
    expect(ds.XTrain.shape).toEqual([60000, 28, 28, 1]);
    expect(ds.yTrain.shape).toEqual([60000]);
    expect(ds.XTest.shape).toEqual([10000, 28, 28, 1]);
    expect(ds.yTest.shape).toEqual([10000]);
    const perClass = (y: Int32Array | Float32Array | Uint8Array) => {
      const counts = new Array(10).fill(0);
      for (let i = 0; i < y.length; i++) counts[y[i]]++;
      return counts;
    };
    expect(perClass(ds.yTrain.dataSync())).toEqual(new Array(10).fill(6000));
    expect(perClass(ds.yTest.dataSync())).toEqual(new Array(10).fill(1000));
    // Range and integrality with tensor ops: a JS loop over 47M elements is slow inside jest's vm.
    const [min, max, fractional] = tf.tidy(() =>
      [tf.min(ds.XTrain), tf.max(ds.XTrain), tf.sum(tf.notEqual(ds.XTrain, tf.floor(ds.XTrain)).toInt())].map(
        (t) => t.dataSync()[0],
      ),
    );
    expect([min, max, fractional]).toEqual([0, 255, 0]);
    const first = Buffer.from(
      Uint8Array.from(tf.tidy(() => tf.slice(ds.XTrain, [0, 0, 0, 0], [1, 28, 28, 1]).dataSync())),
    );
    expect(crypto.createHash('sha256').update(first).digest('hex')).toBe(FIRST_IMAGE_SHA256);
    expect(ds.yTrain.dataSync()[0]).toBe(9);
    expect(ds.classNames[9]).toBe('Ankle boot');
  } finally {
    tf.dispose([ds.XTrain, ds.yTrain, ds.XTest, ds.yTest]);
  }
});

test('the course splits on the real data: 59,000/1,000/1,000/500 rows of 785 with a centred train split', async () => {
  const before = tf.memory().numTensors;
  const d = await getData({ dataset: 'fashion-mnist', dir: DEBIAN_FASHION_MNIST_DIR, addBias: true, quick: false });
  try {
    expect([d.XTrain.shape, d.XVal.shape, d.XTest.shape, d.XDev.shape]).toEqual([
      [59000, 785],
      [1000, 785],
      [1000, 785],
      [500, 785],
    ]);
    expect(d.meanImage!.shape).toEqual([784]);
    const centred = tf.tidy(
      () =>
        tf
          .abs(tf.mean(tf.slice(d.XTrain, [0, 0], [59000, 784]), 0))
          .max()
          .dataSync()[0],
    );
    // The float32 column sums of 59,000 centred values carry rounding of order 1e-4 per pixel.
    expect(centred).toBeLessThan(1e-2);
    const m = d.meanImage!.dataSync();
    expect(Math.min(...m)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...m)).toBeLessThanOrEqual(255);
  } finally {
    tf.dispose([d.XTrain, d.yTrain, d.XVal, d.yVal, d.XTest, d.yTest, d.XDev, d.yDev, d.meanImage!]);
  }
  expect(tf.memory().numTensors).toBe(before);
});
