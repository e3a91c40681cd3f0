/**
 * Workspaces: a scratch folder per run that mirrors the repository's layout, so that notebook
 * imports like `../../kernel/runtime` resolve — `<ws>/assignments/<name>/` (see assignmentRelPath) holds the submission
 * (or the solution) and `<ws>/kernel`, `<ws>/datasets`, `<ws>/node_modules` link to the repository.
 * Nothing else of the repository (solutions, grader, specs) is reachable from a workspace.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Workspace {
  dir: string;
  assignmentRoot: string;
}

export const LINKED = ['kernel', 'datasets', 'node_modules'];

/**
 * The assignment folder sits at the solution tree's depth below the workspace root (solutions/x →
 * assignments/x), so that the relative imports of the solution's files resolve the same way.
 */
export function assignmentRelPath(repoRoot: string, solutionDir: string): string {
  const rel = path.relative(repoRoot, solutionDir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`the solution tree ${solutionDir} must be inside the repository ${repoRoot}`);
  return rel.replace(/^solutions(?=\/|$)/, 'assignments').split(path.sep).join('/');
}

export function createWorkspace(dir: string, repoRoot: string, assignmentRel: string): Workspace {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const name of LINKED) if (fs.existsSync(path.join(repoRoot, name))) fs.symlinkSync(path.join(repoRoot, name), path.join(dir, name), 'dir');
  const assignmentRoot = path.join(dir, assignmentRel);
  fs.mkdirSync(assignmentRoot, { recursive: true });
  return { dir, assignmentRoot };
}

/** Copy a folder tree (regular files only). */
export function copyTree(src: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const d of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, d.name);
    const t = path.join(dest, d.name);
    if (d.isDirectory()) {
      if (d.name !== 'node_modules' && d.name !== '.ipynb_checkpoints') copyTree(s, t);
    } else if (d.isFile()) fs.copyFileSync(s, t);
  }
}

/** Folders holding data sets the notebooks may read (read-only in the sandbox). */
export function dataReadPaths(repoRoot: string): string[] {
  const paths = ['/usr/share/datasets', process.env.TS231N_DATA_DIR ? path.resolve(process.env.TS231N_DATA_DIR) : path.join(repoRoot, 'data')];
  return paths.filter((p) => fs.existsSync(p));
}

/**
 * The backend every child uses, the reference's and the submissions' alike (so that they differ by
 * nothing but the student's code): TS231N_BACKEND, else wasm. Never tfjs-node in the sandbox: its
 * addon exposes TensorFlow's file ops, which the permission model does not see.
 */
export function gradingBackend(): string {
  return process.env.TS231N_BACKEND || 'wasm';
}

/** Everything a sandboxed child may read besides the kit's code: the data sets and the fonts plots are rasterised with. */
export function sandboxReadPaths(repoRoot: string): string[] {
  return [...dataReadPaths(repoRoot), '/usr/share/fonts'].filter((p) => fs.existsSync(p));
}

/** Environment passed to children: the kit's own switches only. */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['TS231N_QUICK', 'TS231N_DATA_DIR', 'TS231N_DATASET']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  env.TS231N_BACKEND = gradingBackend();
  // XNNPACK only, in the reference's children and the submissions' alike: the sandbox can neither
  // run the OpenBLAS core-type probe (no child processes) nor read the system library folder, so
  // OpenBLAS would run in the reference and not in the sandbox (docs/grader.md, "Native code").
  env.TS231N_BLAS = 'off';
  return env;
}
