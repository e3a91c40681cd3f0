/**
 * How cells load local `.ts` modules, and how an edited module is picked up on re-import.
 *
 * Cells `require` through Node's own loader (one shared copy of every module, so the runtime a cell
 * imports is the runtime the grader hardens). If nothing has taught Node to load `.ts` yet (tsx,
 * the grader's child and ts-node do), we install a transpile-only loader; errors.ts maps its
 * stack frames back to .ts lines.
 *
 * Before each cell the tracker looks at the modification time of every local file it has seen
 * (required modules outside node_modules, and every file the type checker read outside
 * node_modules). The type checker is told about a changed file, and the file is dropped from
 * Node's require cache together with the modules that imported it (reload.ts then loads the
 * student's modules again and patches them into what the notebook holds).
 */
import * as fs from 'fs';
import * as path from 'path';
import { NodeModule as RealModule, mainGlobal, mainProcess } from './mainContext';
import type { TslabTs, WatchCallback } from './tslab';
import { lineTable } from './lineMap';

type Cached = { id: string; filename: string; exports: unknown; children?: Cached[] };
const NodeModule = RealModule as unknown as {
  _cache: Record<string, Cached | undefined>;
  _extensions: Record<string, (m: { _compile(code: string, file: string): void }, file: string) => void>;
};

/**
 * For each .ts file our loader compiled: JavaScript line (0-based) → .ts line (0-based). The
 * engine maps traceback frames itself rather than through Node's source-map support, which a
 * host may have replaced (jest installs its own Error.prepareStackTrace).
 */
// One map per process, like the `.ts` loader that fills it: a second copy of this module (a host
// that evaluates it again, as jest does per test file) must see the lines the first loader recorded.
const LINE_TABLES_KEY = Symbol.for('ts231n.engine.loadedLineTables');
export const loadedLineTables: Map<string, Array<number | undefined>> = ((mainGlobal as Record<symbol, unknown>)[
  LINE_TABLES_KEY
] ??= new Map<string, Array<number | undefined>>()) as Map<string, Array<number | undefined>>;

/** Teaches Node's require to load .ts files, unless something already did (tsx, the grader's child). */
export function ensureTsLoader(ts: TslabTs): void {
  if (NodeModule._extensions['.ts']) {
    // Their loaders emit inline source maps; Node maps stack frames through them when enabled.
    (mainProcess as NodeJS.Process & { setSourceMapsEnabled?(on: boolean): void }).setSourceMapsEnabled?.(true);
    return;
  }
  NodeModule._extensions['.ts'] = (m, file) => {
    const src = fs.readFileSync(file, 'utf8');
    const out = ts.transpileModule(src, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: true,
      },
    });
    if (out.sourceMapText) loadedLineTables.set(file, lineTable(out.sourceMapText));
    m._compile(out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'), file);
  };
}

const ENGINE_DIR = __dirname + path.sep;

function isTracked(file: string): boolean {
  return (
    path.isAbsolute(file) &&
    !file.includes(`${path.sep}node_modules${path.sep}`) &&
    !file.startsWith(ENGINE_DIR) &&
    /\.(ts|tsx|js|cjs|mjs|json)$/.test(file)
  );
}

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

export class ModuleTracker {
  private readonly mtimes = new Map<string, number>();
  private readonly watchers = new Map<string, Set<WatchCallback>>();

  constructor(private readonly kinds: TslabTs['FileWatcherEventKind']) {}

  /** Given to tslab's converter in place of TypeScript's polling file watcher. */
  watchFile = (file: string, cb: WatchCallback): { close(): void } => {
    const abs = path.resolve(file);
    if (!this.watchers.has(abs)) this.watchers.set(abs, new Set());
    this.watchers.get(abs)!.add(cb);
    if (isTracked(abs) && !this.mtimes.has(abs)) this.mtimes.set(abs, mtimeOf(abs));
    return { close: () => this.watchers.get(abs)?.delete(cb) };
  };

  /** Directory watches are not needed: a file that appears later is found when a cell imports it. */
  watchDirectory = (): { close(): void } => ({ close() {} });

  /** Remembers the modification time of every local module loaded so far. */
  noteLoaded(): void {
    for (const file of Object.keys(NodeModule._cache))
      if (isTracked(file) && !this.mtimes.has(file)) this.mtimes.set(file, mtimeOf(file));
  }

  /** Finds changed files and tells the type checker; the caller drops or reloads them (reload.ts). */
  refresh(): string[] {
    const changed: string[] = [];
    for (const [file, old] of this.mtimes) {
      const now = mtimeOf(file);
      if (now !== old) {
        changed.push(file);
        this.mtimes.set(file, now);
      }
    }
    for (const file of changed) {
      const kind = mtimeOf(file) < 0 ? this.kinds.Deleted : this.kinds.Changed;
      for (const cb of this.watchers.get(file) ?? []) cb(file, kind);
    }
    return changed;
  }

  /**
   * Drops changed modules and every module that imports them from Node's require cache, so the
   * next `require` loads them afresh. Returns what was dropped (module id → cache entry), which
   * `restoreRequireCache` puts back.
   */
  dropFromRequireCache(changed: string[]): Map<string, CachedModule> {
    const cache = NodeModule._cache;
    const importers = new Map<string, string[]>();
    for (const [id, mod] of Object.entries(cache)) {
      for (const child of mod?.children ?? []) {
        if (!importers.has(child.id)) importers.set(child.id, []);
        importers.get(child.id)!.push(id);
      }
    }
    const todo = changed.filter((f) => cache[f]);
    const dropped = new Map<string, CachedModule>();
    while (todo.length) {
      const id = todo.pop()!;
      const mod = cache[id];
      if (dropped.has(id) || !mod || !isTracked(id)) continue;
      dropped.set(id, mod);
      delete cache[id];
      todo.push(...(importers.get(id) ?? []));
    }
    return dropped;
  }

  /** Puts dropped modules back (a reload that failed keeps the old versions). */
  restoreRequireCache(dropped: Map<string, CachedModule>): void {
    for (const [id, mod] of dropped) NodeModule._cache[id] = mod;
  }
}

/** A module in Node's require cache, as far as reloading needs it. */
export type CachedModule = Cached;
