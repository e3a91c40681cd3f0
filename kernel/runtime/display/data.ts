/** Turning what notebooks have at hand (arrays, typed arrays, tensors) into plain numbers. */
import { tf } from '../tensor';
import { isTensor } from '../record';

/** Numbers, a typed array or a tensor (read synchronously, flattened). */
export type NumberSeries = ArrayLike<number> | tf.Tensor;

/** Thrown by the display helpers for arguments they cannot draw; the message names the argument. */
export class DisplayArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DisplayArgumentError';
  }
}

export function toNumbers(v: NumberSeries, name: string, where: string): number[] {
  if (isTensor(v)) {
    if (v.isDisposed) throw new DisplayArgumentError(`${where}: ${name} is a disposed tensor`);
    return Array.from(v.dataSync() as ArrayLike<number>);
  }
  if (v == null || typeof (v as ArrayLike<number>).length !== 'number') {
    throw new DisplayArgumentError(`${where}: ${name} must be an array of numbers or a tensor`);
  }
  return Array.from(v as ArrayLike<number>, Number);
}

/** JSON-safe for Vega: non-finite numbers become null, which Vega-Lite drops as invalid. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
