/** The one summary of a large tensor (contract 3): the recorder writes it, the grader compares with it. */
import { RecordError, SUMMARY_SAMPLES, TensorSummaryRecord } from './record';

/** Flat indices of a summary's sample: floor(k · size / 256), k = 0…255 (every index when size < 256). */
export function sampleIndices(size: number): number[] {
  const n = Math.min(SUMMARY_SAMPLES, size);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(Math.floor((k * size) / n));
  return out;
}

/**
 * Summary statistics of flat numeric data, exactly as a large tensor is recorded: sums in float64
 * over the non-NaN elements; sum, sumSq, min and max NaN when any element is NaN (nanCount counts
 * them); min and max NaN for empty data.
 */
export function summarize(dtype: string, shape: readonly number[], data: ArrayLike<number>): TensorSummaryRecord {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let nanCount = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) {
      nanCount++;
      continue;
    }
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (nanCount > 0) sum = sumSq = min = max = NaN;
  if (data.length === 0) min = max = NaN;
  const sample = sampleIndices(data.length).map((i) => data[i]);
  return new TensorSummaryRecord(dtype, [...shape], data.length, sum, sumSq, min, max, nanCount, sample);
}

/** The summary a full tensor would have had, had it been large. */
export function summaryOf(t: {
  dtype: string;
  shape: readonly number[];
  data: ArrayLike<number> | string[];
}): TensorSummaryRecord {
  if (t.dtype === 'string') throw new RecordError('a string tensor has no numeric summary');
  return summarize(t.dtype, t.shape, t.data as ArrayLike<number>);
}
