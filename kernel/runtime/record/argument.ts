/** What `record` and `check` do with their arguments before encoding: the id, a thunk, a Promise. */
import type { NotImplementedInfo } from '../../protocol';
import { isNotImplementedError } from '../errors';

export function checkId(fnName: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.trim() === '')
    throw new TypeError(`${fnName}(id, …): id must be a non-empty string such as 'knn.dists_two_loops'`);
}

export function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; notImplemented: NotImplementedInfo };

/** The value, or what a thunk returns; a thunk's `NotImplementedError` (an empty TODO) becomes an outcome. */
export function evaluate<T>(valueOrThunk: T | (() => T)): Outcome<T> {
  if (typeof valueOrThunk !== 'function') return { ok: true, value: valueOrThunk };
  try {
    return { ok: true, value: (valueOrThunk as () => T)() };
  } catch (e) {
    if (isNotImplementedError(e)) return { ok: false, notImplemented: { fn: e.fn, file: e.file } };
    throw e;
  }
}
