/**
 * Typed errors that notebooks, assignment code and the grader share.
 *
 * `NotImplementedError` is what a starter function throws until the student fills in its TODO
 * block; `record` and `check` recognise it and print a polite line instead of failing the cell.
 * `ShapeError` is for argument checks: name the argument and the shapes seen.
 */

/** Thrown by a starter function whose TODO block is still empty. */
export class NotImplementedError extends Error {
  readonly fn: string;
  readonly file: string;

  constructor(fn: string, file: string) {
    super(`not implemented yet: ${fn} in ${file}`);
    this.name = 'NotImplementedError';
    this.fn = fn;
    this.file = file;
  }
}

/**
 * Throws a `NotImplementedError` for `fn` in `file`. Typed `never` so a starter body can be
 * `throw notImplemented('svmLossNaive', 'cs231n/classifiers/linearSvm.ts')` or just the call.
 */
export function notImplemented(fn: string, file: string): never {
  throw new NotImplementedError(fn, file);
}

/**
 * True for a `NotImplementedError`, also one thrown by another copy of this module (a
 * notebook and the grader may load the runtime from different paths).
 */
export function isNotImplementedError(e: unknown): e is NotImplementedError {
  if (e instanceof NotImplementedError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const o = e as { name?: unknown; fn?: unknown; file?: unknown };
  return o.name === 'NotImplementedError' && typeof o.fn === 'string' && typeof o.file === 'string';
}

/** An argument has the wrong shape; the message names the argument and both shapes. */
export class ShapeError extends Error {
  readonly argument: string;
  readonly expected: string;
  readonly actual: readonly number[];

  constructor(argument: string, expected: string, actual: readonly number[], where?: string) {
    super(`${where ? where + ': ' : ''}${argument} must have shape ${expected}, got [${actual.join(', ')}]`);
    this.name = 'ShapeError';
    this.argument = argument;
    this.expected = expected;
    this.actual = [...actual];
  }
}
