/**
 * Identity, and a Cast to the dtype the tensor already has, without a copy.
 *
 * The stock wasm kernels copy the whole tensor, while the cpu backend hands out the same data
 * with one more reference (tensors are immutable, so nothing can tell the two apart). The copies
 * add up under a gradient tape, which clones every input it saves: 39 Identity copies per
 * ThreeLayerConvNet step (2.5 ms of 25) and 126 per FullyConnectedNet step. Here the output
 * shares the input's data, as Reshape's does on wasm and Identity's on cpu: the backend counts
 * the references and frees the memory with the last tensor. Strings keep the stock kernels.
 */
import * as tf from '@tensorflow/tfjs';

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function sharedIdentity(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype === 'string' ? stock(args) : share(x, args.backend);
  };
}

export function sharedCast(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    return x.dtype === dtype && dtype !== 'string' ? share(x, args.backend) : stock(args);
  };
}
