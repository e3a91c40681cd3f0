/**
 * Workspaces: a scratch folder per run. `<ws>/<name>/` holds the submission (or the solution), and
 * `<ws>/node_modules/` holds one link per package the sandbox may load, to the repository's copy,
 * so that the notebooks' and modules' imports of the kit's package (`ts231n`, `ts231n/datasets`:
 * node_modules/ts231n links to kernel/runtime) resolve as they do in the repository. The folder
 * itself is real, not a link: Node resolves a module's real path link by link, and the sandbox
 * may read each package's link but not the whole of node_modules. Nothing else of the repository
 * (solutions, grader, specs) is reachable from a workspace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SOURCE_SUFFIX } from '../scripts/notebooks/build';
import { sandboxPackages } from './run';
import { openBlasPlan, type BlasPlan } from '../kernel/runtime/blas/openblas';
import type { SharedData } from './sharedData';

export interface Workspace {
  dir: string;
  assignmentRoot: string;
}

/** The folder of a workspace that holds links to the repository's packages. */
const NODE_MODULES = 'node_modules';

/** A fresh workspace `dir` whose assignment folder is `dir/<assignment>` (e.g. `assignment1`). */
export function createWorkspace(dir: string, repoRoot: string, assignment: string): Workspace {
  if (
    !/^[\w.-]+$/.test(assignment) ||
    assignment === '..' ||
    assignment === '.' ||
    [NODE_MODULES, 'home'].includes(assignment)
  ) {
    throw new Error(`createWorkspace: "${assignment}" is not a plain folder name for an assignment`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const pkg of sandboxPackages(repoRoot)) {
    const target = path.join(repoRoot, NODE_MODULES, pkg);
    if (pkg.startsWith('.') || !fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) continue;
    const link = path.join(dir, NODE_MODULES, pkg);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(target, link, 'dir');
  }
  const assignmentRoot = path.join(dir, assignment);
  fs.mkdirSync(assignmentRoot, { recursive: true });
  return { dir, assignmentRoot };
}

/**
 * Copy a folder tree (regular files only). Notebook sources (`*.nb.ts`) stay behind: the grader
 * runs the `.ipynb` notebooks built from them, as a student's copy of the starter has them.
 */
export function copyTree(src: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const d of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, d.name);
    const t = path.join(dest, d.name);
    if (d.isDirectory()) {
      if (d.name !== 'node_modules' && d.name !== '.ipynb_checkpoints') copyTree(s, t);
    } else if (d.isFile() && !d.name.endsWith(SOURCE_SUFFIX)) fs.copyFileSync(s, t);
  }
}

/** Folders holding data sets the notebooks may read (read-only in the sandbox). */
export function dataReadPaths(repoRoot: string): string[] {
  const paths = [
    '/usr/share/datasets',
    process.env.TS231N_DATA_DIR ? path.resolve(process.env.TS231N_DATA_DIR) : path.join(repoRoot, 'data'),
  ];
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
export function sandboxReadPaths(repoRoot: string, shared?: SharedData | null): string[] {
  return [...dataReadPaths(repoRoot), ...(shared ? [shared.root] : []), '/usr/share/fonts'].filter((p) =>
    fs.existsSync(p),
  );
}

/** The tensor kernels every child runs, the reference's and the submissions' alike. */
export interface GradingKernels {
  /** The backend (TS231N_BACKEND, else wasm). */
  backend: string;
  /** Under wasm: OpenBLAS for the GEMM-shaped kernels, loaded by this plan (made here, in the trusted grader). */
  blas?: BlasPlan;
  /** For the configuration line: `wasm + OpenBLAS (SkylakeX)`, `wasm (XNNPACK)`, `cpu`. */
  label: string;
  /** Why OpenBLAS is not used, under wasm. */
  note?: string;
}

let kernels: GradingKernels | undefined;

/**
 * Chosen once per grader process. Under wasm, OpenBLAS runs the matrix products when the kit's
 * addon and the library are there and the core-type verdict is cached (npm run setup): the child
 * loads exactly the plan's addon and library before any submission code runs, then loads no native
 * code at all (docs/grader.md, "Native code"). `TS231N_BLAS=off` grades on XNNPACK.
 */
export function gradingKernels(): GradingKernels {
  if (kernels) return kernels;
  const backend = gradingBackend();
  if (backend !== 'wasm') return (kernels = { backend, label: backend });
  const { plan, note } = openBlasPlan();
  return (kernels = plan
    ? { backend, blas: plan, label: `wasm + OpenBLAS (${plan.coreType || 'the library default'})` }
    : { backend, label: 'wasm (XNNPACK)', note });
}

/** Environment passed to children: the kit's own switches only. */
export function childEnv(shared?: SharedData | null): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['TS231N_QUICK', 'TS231N_DATA_DIR', 'TS231N_DATASET'])
    if (process.env[k] !== undefined) env[k] = process.env[k]!;
  // The data set the grader decoded once for all children (./sharedData.ts).
  Object.assign(env, shared?.env);
  const k = gradingKernels();
  env.TS231N_BACKEND = k.backend;
  // OpenBLAS only by the grader's plan (RunRequest.blas), never found by the child itself.
  env.TS231N_BLAS = k.blas ? 'openblas' : 'off';
  return env;
}
