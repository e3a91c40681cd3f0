/** Tensors from the raw bytes the readers produce. */
import { tf } from '../kernel/runtime/tensor';
import type { Dataset, RawDataset } from './types';

/** Float32 tensors from a raw data set; disposes what it made if a later step throws. */
export function rawToDataset(raw: RawDataset): Dataset {
  const [h, w, c] = raw.imageShape;
  const made: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (made.push(t), t);
  try {
    const XTrain = keep(tf.tensor4d(Float32Array.from(raw.train.images), [raw.train.count, h, w, c], 'float32'));
    const yTrain = keep(tf.tensor1d(Int32Array.from(raw.train.labels), 'int32'));
    const XTest = keep(tf.tensor4d(Float32Array.from(raw.test.images), [raw.test.count, h, w, c], 'float32'));
    const yTest = keep(tf.tensor1d(Int32Array.from(raw.test.labels), 'int32'));
    return { name: raw.name, XTrain, yTrain, XTest, yTest, classNames: [...raw.classNames] };
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}
