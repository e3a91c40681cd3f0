/**
 * Shapes of what the loaders return.
 *
 * A `Dataset` holds tensors in the original loaders' layout: X float32 `[N, H, W, C]` with pixel
 * values 0–255, y int32 `[N]`. A `RawDataset` is the same data as bytes (uint8 HWC), which is what
 * the registry caches and what `getData` slices from: 4× smaller than float32, no tensors held.
 */
import type { tf } from '../kernel/runtime/tensor';

export type DatasetName = 'cifar10' | 'fashion-mnist';

export interface Dataset {
  name: DatasetName;
  /** `[N, H, W, C]` float32, 0–255. */
  XTrain: tf.Tensor4D;
  /** `[N]` int32, 0..9. */
  yTrain: tf.Tensor1D;
  XTest: tf.Tensor4D;
  yTest: tf.Tensor1D;
  classNames: string[];
}

export interface RawSplit {
  /** N×H×W×C bytes, example-major, then row, column, channel (HWC). */
  images: Uint8Array;
  labels: Int32Array;
  count: number;
}

export interface RawDataset {
  name: DatasetName;
  /** Folder the files were read from. */
  dir: string;
  /** One example's shape `[H, W, C]`. */
  imageShape: [number, number, number];
  train: RawSplit;
  test: RawSplit;
  classNames: string[];
}
