import * as path from 'path';
import type { Converter, Tslab } from './tslab';
import { ModuleTracker } from './modules';
import { kitPackagePaths } from './kitPackage';

/**
 * Type checkers by folder. Building one takes seconds (parsing the standard library and Node's
 * types), and it keeps no state of its own between cells — each call passes the earlier cells'
 * declarations — so engines for the same folder share one, also one after another (the grader
 * runs an assignment's notebooks in sequence). Only the most recently used idle one is kept.
 */
export interface Checker {
  converter: Converter;
  tracker: ModuleTracker;
  users: number;
  lastUsed: number;
}
const checkers = new Map<string, Checker>();
const MAX_IDLE_CHECKERS = 1;

export function acquireChecker(tslab: Tslab, cwd: string): Checker {
  let c = checkers.get(cwd);
  if (!c) {
    const tracker = new ModuleTracker(tslab.ts.FileWatcherEventKind);
    const converter = tslab.createConverter({
      cwd: cwd.split(path.sep).join('/'),
      watchFile: tracker.watchFile,
      watchDirectory: tracker.watchDirectory,
      paths: kitPackagePaths(),
    });
    c = { converter, tracker, users: 0, lastUsed: 0 };
    checkers.set(cwd, c);
  }
  c.users += 1;
  c.lastUsed = Date.now();
  return c;
}

export function releaseChecker(cwd: string): void {
  const c = checkers.get(cwd);
  if (!c) return;
  c.users -= 1;
  c.lastUsed = Date.now();
  const idle = [...checkers].filter(([, x]) => x.users <= 0).sort((a, b) => b[1].lastUsed - a[1].lastUsed);
  for (const [dir, x] of idle.slice(MAX_IDLE_CHECKERS)) {
    checkers.delete(dir);
    x.converter.close();
  }
}
