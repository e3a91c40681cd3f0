/**
 * Hidden tests: `grader/specs/<assignment>/hidden*.ts` export `tests: HiddenTest[]`.
 * Each test runs twice: on the solution's modules in a trusted process (the expected value) and
 * on the student's modules inside the sandbox (the found value); compare judges them by the spec item
 * with the same id. The file is sent to the sandbox over IPC, never as a readable path.
 *
 * A hidden test file may only `import type` from elsewhere: everything it needs comes through `ctx`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import type { Spec } from './types';
import type { RandomGenerator } from '../kernel/runtime/random';

export interface HiddenContext {
  /** require() a module of the assignment by its path relative to the assignment folder, e.g. 'cs231n/classifiers/linearSvm'. */
  load<T = Record<string, unknown>>(rel: string): T;
  /** The notebook runtime (tf, random, …) — the same instance the student's modules use. */
  runtime: typeof import('../kernel/runtime');
  /** A generator seeded from the spec's secret seed and the test id: inputs the student never saw. */
  rng: RandomGenerator;
  seed: number;
}

export interface HiddenTest {
  /** The spec item id this test scores. */
  id: string;
  run(ctx: HiddenContext): unknown | Promise<unknown>;
}

/** Transpile the spec's hidden test files to CommonJS source, by file name. */
export function compileHiddenTests(specDir: string, spec: Spec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of spec.hiddenTests) {
    const src = fs.readFileSync(path.join(specDir, file), 'utf8');
    out[file] = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
  }
  return out;
}

/** Which file defines each hidden item id (read by evaluating the files in this trusted process with a stub context). */
export function hiddenTestIds(code: Record<string, string>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [file, js] of Object.entries(code)) {
    const m = { exports: {} as { tests?: HiddenTest[] } };
    new Function('exports', 'module', 'require', js)(m.exports, m, () => ({}));
    for (const t of m.exports.tests ?? []) ids.set(t.id, file);
  }
  return ids;
}

/** Seed of one hidden test: the spec's secret seed mixed with the id, so tests are independent. */
export function testSeed(seed: number, id: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 2654435761) >>> 0;
  return h;
}
