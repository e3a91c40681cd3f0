/** Turning what notebooks have at hand (arrays, typed arrays, tensors) into plain numbers. */
import { tf } from '../tensor';
import { isTensor } from '../record';

/** Numbers, a typed array or a tensor (read synchronously, flattened). */
export type NumberSeries = ArrayLike<number> | tf.Tensor;

/** Like NumberSeries, but `null` entries are allowed and mean "no value here" (a gap in a line). */
export type GappedSeries = ArrayLike<number | null> | tf.Tensor;

/** Thrown by the display helpers for arguments they cannot draw; the message names the argument. */
export class DisplayArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DisplayArgumentError';
  }
}

function describeNonFinite(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  return `${JSON.stringify(v) ?? String(v)} (not a number)`;
}

/**
 * Reads a series as finite numbers. A NaN, ±Infinity, a hole or a non-number is an error that
 * names the argument and the first bad index, so a diverged loss is not drawn as a silent zero.
 * With `allowNull`, `null` entries are kept as gaps.
 */
export function toNumbers(v: NumberSeries, name: string, where: string): number[];
export function toNumbers(
  v: GappedSeries,
  name: string,
  where: string,
  opts: { allowNull: true },
): Array<number | null>;
export function toNumbers(
  v: GappedSeries,
  name: string,
  where: string,
  opts: { allowNull?: boolean } = {},
): Array<number | null> {
  let raw: unknown[];
  if (isTensor(v)) {
    if (v.isDisposed) throw new DisplayArgumentError(`${where}: ${name} is a disposed tensor`);
    raw = Array.from(v.dataSync() as ArrayLike<number>);
  } else if (v == null || typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') {
    throw new DisplayArgumentError(`${where}: ${name} must be an array of numbers or a tensor`);
  } else {
    raw = Array.from(v as ArrayLike<unknown>);
  }
  return raw.map((x, i) => {
    if (x === null && opts.allowNull) return null;
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    const hint = opts.allowNull
      ? 'pass null for a gap, or cap the values first, e.g. v.map((y) => (Number.isFinite(y) ? y : null))'
      : 'remove or replace it first';
    throw new DisplayArgumentError(`${where}: ${name}[${i}] is ${describeNonFinite(x)}; ${hint}`);
  });
}

/** A single finite number, or a DisplayArgumentError naming it. */
export function finiteNumber(x: unknown, name: string, where: string): number {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  throw new DisplayArgumentError(`${where}: ${name} is ${describeNonFinite(x)}; remove or replace it first`);
}

/** Values ≤ 0 cannot be placed on a log axis: an error naming the first one. */
export function requirePositive(values: Array<number | null>, name: string, axis: string, where: string): void {
  const i = values.findIndex((v) => v !== null && v <= 0);
  if (i >= 0)
    throw new DisplayArgumentError(
      `${where}: ${name}[${i}] = ${values[i]} cannot be drawn on a log ${axis} axis; drop values ≤ 0 or use a linear axis`,
    );
}
