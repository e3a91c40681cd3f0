/**
 * Autoreload (IPython's `%autoreload 2`, for the notebook's own modules): before each cell,
 * every changed local module under the notebook's folder is loaded again together with the
 * modules that import it, and the new code is patched into what the notebook already holds.
 *
 * - A class keeps its identity for old instances: the old prototype's own methods are removed
 *   and the new prototype is put behind it, so an instance made before the edit runs the new
 *   methods (and getters); static methods the same way. Names the notebook bound to the old class
 *   now name the new one, so `new K()` runs the new constructor, and `old instanceof K` holds.
 * - An exported function cannot change its code, so every notebook name bound to the old
 *   function (or to the old module object, `import * as m`) is rebound to the new one.
 * - A module that no longer type-checks, or throws while loading, is not replaced: the old
 *   version stays in use and the error is shown under the cell.
 *
 * Limits: a closure in the cell that did the import reads the module object it imported (tslab
 * compiles `import { f }` there to `mod_1.f`), so it keeps calling the old `f`; values copied
 * elsewhere (an object holding the old function) are not found; instances keep the fields their
 * old constructor made; methods that use `#private` fields of the new class fail on old instances.
 * A change to a module outside the notebook's folder (the runtime) is not reloaded, only dropped
 * from the require cache, so that an `import` picks it up.
 */
import * as path from 'path';
import type { CellStore } from './cellLocals';
import { compileError } from './errors';
import type { CachedModule, ModuleTracker } from './modules';
import type { Converter } from './tslab';

export interface ReloadResult {
  /** Files loaded again, relative to the notebook's folder. */
  reloaded: string[];
  /** Why the changed modules were not replaced (type errors, or the error their loading threw). */
  error?: string;
}

const isFunction = (v: unknown): v is Function => typeof v === 'function';

function isClass(v: unknown): v is new (...args: unknown[]) => unknown {
  return isFunction(v) && /^class[\s{]/.test(Function.prototype.toString.call(v));
}

/** Old instances (whose prototype is `old.prototype`) find their methods on `neu.prototype`. */
function patchClass(old: Function, neu: Function): void {
  if (old === neu) return;
  const proto = old.prototype as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(proto)) if (key !== 'constructor') delete proto[key];
  Object.setPrototypeOf(proto, neu.prototype as object);
  for (const key of Reflect.ownKeys(old)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const d = Object.getOwnPropertyDescriptor(old, key);
    if (d && d.configurable && (isFunction(d.value) || d.get || d.set))
      delete (old as unknown as Record<PropertyKey, unknown>)[key];
  }
  Object.setPrototypeOf(old, neu);
}

function exportsOf(mod: unknown): Array<[string, unknown]> {
  if ((typeof mod !== 'object' && !isFunction(mod)) || mod === null) return [];
  const out: Array<[string, unknown]> = [];
  for (const key of Object.keys(mod)) {
    try {
      out.push([key, (mod as Record<string, unknown>)[key]]);
    } catch {
      /* a getter that throws exports nothing we can patch */
    }
  }
  return out;
}

/**
 * Reloads the changed files (from `tracker.refresh()`) and patches the notebook's names. Changes
 * outside `cwd` are only dropped from the require cache.
 */
export function reloadChanged(
  changed: string[],
  opts: { cwd: string; tracker: ModuleTracker; converter: Converter; require: NodeJS.Require; cells: CellStore },
): ReloadResult {
  const { cwd, tracker } = opts;
  const inside = (f: string) => !path.relative(cwd, f).startsWith('..') && !path.isAbsolute(path.relative(cwd, f));
  const dropped = tracker.dropFromRequireCache(changed);
  // A changed runtime (outside the folder) must not be loaded twice under the notebook.
  if (!dropped.size || !changed.every(inside)) return { reloaded: [] };
  const files = [...dropped.keys()].filter(inside);
  const rel = files.map((f) => path.relative(cwd, f));
  const keepOld = (error: string): ReloadResult => {
    for (const f of files) delete (opts.require.cache as Record<string, unknown>)[f];
    tracker.restoreRequireCache(dropped);
    return { reloaded: [], error };
  };
  const diagnostics = opts.converter.diagnosticsOf(files.filter((f) => /\.tsx?$/.test(f)));
  if (diagnostics.length) {
    const info = compileError(diagnostics, cwd);
    return keepOld(
      [
        `${rel.join(', ')} not reloaded: the old version stays in use until this type-checks:`,
        ...info.traceback.slice(1),
      ].join('\n'),
    );
  }
  const fresh = new Map<string, unknown>();
  try {
    for (const f of files) fresh.set(f, opts.require(f));
  } catch (e) {
    const err = e as { name?: unknown; message?: unknown };
    return keepOld(
      `${rel.join(', ')} not reloaded: loading it threw ${String(err?.name ?? 'Error')}: ${String(err?.message ?? e)}; the old version stays in use`,
    );
  }
  // old value → new value, for every function, class and module object the edit replaced
  const replaced = new Map<unknown, unknown>();
  for (const f of files) {
    const oldMod = (dropped.get(f) as CachedModule).exports;
    const newMod = fresh.get(f);
    if (oldMod !== newMod) replaced.set(oldMod, newMod);
    const newExports = new Map(exportsOf(newMod));
    for (const [key, oldValue] of exportsOf(oldMod)) {
      const newValue = newExports.get(key);
      if (!isFunction(oldValue) || !isFunction(newValue) || oldValue === newValue) continue;
      if (isClass(oldValue) && isClass(newValue)) patchClass(oldValue, newValue);
      replaced.set(oldValue, newValue);
    }
  }
  const store = opts.cells.store;
  for (const name of opts.cells.names()) {
    let value: unknown;
    try {
      value = store[name];
    } catch {
      continue; // declared by a cell that failed before the declaration ran
    }
    if (!replaced.has(value)) continue;
    try {
      store[name] = replaced.get(value);
    } catch {
      opts.cells.bind(name, replaced.get(value)); // a const: later cells see the new value
    }
  }
  return { reloaded: rel };
}
