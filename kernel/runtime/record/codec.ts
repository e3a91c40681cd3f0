/**
 * The record codec as the runtime uses it: kernel/protocol's codec (contract 3 in
 * docs/architecture.md), plus the two things that need tf.
 */
import { tf } from '../tensor';
import { isTensorLike, type TensorRecord } from '../../protocol';

export {
  RECORD_MIME,
  FULL_TENSOR_LIMIT,
  SUMMARY_SAMPLES,
  RecordError,
  TensorRecord,
  TensorSummaryRecord,
  NotImplementedRecord,
  sampleIndices,
  summarize,
  encodeValue,
  decodeValue,
} from '../../protocol';
export type { Encoded, EncodedNumber, RecordPayload, NotImplementedInfo } from '../../protocol';

/** True for a tf.Tensor, also one from another copy of tfjs. */
export function isTensor(v: unknown): v is tf.Tensor {
  return v instanceof tf.Tensor || isTensorLike(v);
}

/** A tf.Tensor with a decoded record's dtype, shape and data (the caller owns and disposes it). */
export function tensorFromRecord(r: TensorRecord): tf.Tensor {
  if (r.dtype === 'string') return tf.tensor(r.data as string[], r.shape, 'string');
  return tf.tensor(r.data as number[], r.shape, r.dtype as 'float32' | 'int32' | 'bool');
}
