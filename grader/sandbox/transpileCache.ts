/**
 * The kit's own TypeScript (kernel/, datasets/), transpiled once per grading run by the grader
 * instead of once per child: every sandboxed child used to spend seconds transpiling the same
 * runtime files. Entries are keyed by the SHA-256 of the file's path and content, written only by
 * the grader (trusted code) into the runner folder, which children can read but not write — so a
 * submission can neither poison the cache for the next student nor see anything but the kit's
 * code in it. A file that is not in the cache (a submission's own module) is transpiled as before.
 *
 * This file is loaded by the child too (the grader transpiles it next to child.js): Node built-ins only.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import type * as TS from 'typescript';

export const TRANSPILE_CACHE_DIR = 'tscache';

export function transpileOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    inlineSourceMap: true,
  };
}

export function cacheKey(file: string, src: string): string {
  return crypto.createHash('sha256').update(`ts231n-transpile-1\0${file}\0${src}`).digest('hex');
}

/** Transpile every .ts file under the given folders into `<runnerDir>/tscache/<key>.js`; returns the count. */
export function fillTranspileCache(ts: typeof TS, runnerDir: string, roots: string[]): number {
  const dir = path.join(runnerDir, TRANSPILE_CACHE_DIR);
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const src = fs.readFileSync(p, 'utf8');
        const out = ts.transpileModule(src, { compilerOptions: transpileOptions(ts), fileName: p });
        fs.writeFileSync(path.join(dir, `${cacheKey(p, src)}.js`), out.outputText);
        n++;
      }
    }
  };
  for (const r of roots) walk(r);
  return n;
}
