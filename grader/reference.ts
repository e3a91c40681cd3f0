/**
 * Reference: what the solution records and returns, computed once per grading run in a trusted
 * child process and cached by the content hash of the solution tree, the spec folder, the data
 * set and the configuration (quick mode, backend).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import type { Encoded, Reference, Spec } from './types';
import type { Task } from './sandbox/protocol';
import { runTasks, type RunLimits } from './run';
import { createWorkspace, copyTree, dataReadPaths, childEnv, gradingKernels } from './workspace';
import { notebookTaskName, hiddenTaskName } from './collect';
import { hiddenTestIds, testSeed } from './hidden';
import { ReferenceError_ } from './errors';
import { figureRequest } from './figures';
import type { SharedData } from './sharedData';

export interface ReferenceOptions {
  repoRoot: string;
  spec: Spec;
  specDir: string;
  solutionDir: string;
  hiddenCode: Record<string, string>;
  cacheDir: string;
  scratchRoot: string;
  runnerDir: string;
  limits: RunLimits;
  configuration: string;
  /** The data set decoded once for every child (./sharedData.ts); not part of the key (derived from the data). */
  sharedData?: SharedData | null;
  /** Progress of a reference run (not called when the cache has it). */
  onTaskStart?(task: Task, index: number, total: number): void;
}

function dataIdentity(repoRoot: string): string {
  const parts: string[] = [];
  for (const dir of dataReadPaths(repoRoot)) {
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) parts.push(`${p}:${fs.statSync(p).size}:${fs.statSync(p).mtimeMs}`);
      }
    };
    walk(dir);
  }
  return parts.join('\n');
}

/**
 * Hash of the code a child loads from a folder: files by path and content, dot-entries (scratch,
 * caches) and the folders in `skip` (relative paths) left out.
 */
function codeHash(dir: string, skip: string[] = []): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string, rel: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || skip.includes(`${rel}${e.name}`)) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else if (e.isFile()) h.update(`${rel}${e.name}\0`).update(fs.readFileSync(p)).update('\0');
    }
  };
  walk(dir, '');
  return h.digest('hex');
}

/** Bumped when the cached reference's shape changes (2: recordedAt, 3: figures), so older caches are recomputed. */
export const REFERENCE_FORMAT = 3;

/** Where the reference run's compile cache is kept (grader/sandbox/conversionCache.ts), beside its results. */
export function conversionsDir(cacheDir: string, key: string): string {
  return path.join(cacheDir, `conversions-${key}`);
}

export function referenceKey(o: ReferenceOptions): string {
  return (
    crypto
      .createHash('sha256')
      .update(codeHash(o.solutionDir))
      .update(codeHash(o.specDir))
      // Not blas/build: the addon is built from ts231n_blas.c (hashed), and the core-type verdict there
      // is rewritten whenever the addon's mtime changes; the configuration names the kernels in use.
      .update(codeHash(path.join(o.repoRoot, 'kernel', 'runtime'), ['blas/build']))
      .update(codeHash(path.join(o.repoRoot, 'kernel', 'engine')))
      .update(codeHash(path.join(o.repoRoot, 'datasets')))
      .update(dataIdentity(o.repoRoot))
      .update(o.configuration)
      .update(`format ${REFERENCE_FORMAT}`)
      .digest('hex')
      .slice(0, 24)
  );
}

/** The tasks a run performs for this spec: the notebooks the submission has, then one per hidden test. */
export function plannedTasks(spec: Spec, hiddenCode: Record<string, string>, have: (rel: string) => boolean): Task[] {
  const tasks: Task[] = spec.notebooks
    .filter(have)
    .map((p) => ({ kind: 'notebook', name: notebookTaskName(p), path: p }));
  const files = hiddenTestIds(hiddenCode);
  const modulesPresent = spec.modules.every(have);
  for (const item of spec.items.filter((i) => i.kind === 'hidden')) {
    const file = files.get(item.id);
    if (file && modulesPresent)
      tasks.push({
        kind: 'hidden',
        name: hiddenTaskName(item.id),
        id: item.id,
        file,
        seed: testSeed(spec.hiddenSeed, item.id),
      });
  }
  return tasks;
}

export async function computeReference(o: ReferenceOptions): Promise<Reference> {
  const key = referenceKey(o);
  const file = path.join(o.cacheDir, `reference-${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Reference;
  const missingHidden = o.spec.items.filter((i) => i.kind === 'hidden' && !hiddenTestIds(o.hiddenCode).has(i.id));
  if (missingHidden.length)
    throw new ReferenceError_(
      `no hidden test defines ${missingHidden.map((i) => i.id).join(', ')}; add it to a hidden*.ts file in ${o.specDir}`,
    );
  for (const f of o.spec.figures?.show ?? []) {
    let ids: unknown[] = [];
    try {
      const nb = JSON.parse(fs.readFileSync(path.join(o.solutionDir, f.notebook), 'utf8')) as {
        cells: { id?: unknown }[];
      };
      ids = nb.cells.map((c) => c.id);
    } catch {
      /* a notebook the solution lacks is reported by the run */
    }
    if (!ids.includes(f.cell))
      throw new ReferenceError_(
        `figures.show in ${o.specDir}/spec.json names cell id ${f.cell}, which ${f.notebook} of the solution does not have`,
      );
  }
  const ws = createWorkspace(path.join(o.scratchRoot, 'reference'), o.repoRoot, o.spec.assignment);
  copyTree(o.solutionDir, ws.assignmentRoot);
  const tasks = plannedTasks(o.spec, o.hiddenCode, (rel) => fs.existsSync(path.join(ws.assignmentRoot, rel)));
  const run = await runTasks({
    mode: 'trusted',
    repoRoot: o.repoRoot,
    scratch: ws.dir,
    assignmentRoot: ws.assignmentRoot,
    tasks,
    hiddenCode: o.hiddenCode,
    runnerDir: o.runnerDir,
    limits: o.limits,
    readPaths: [],
    env: childEnv(o.sharedData),
    figures: figureRequest(o.spec),
    blas: gradingKernels().blas,
    conversions: { dir: path.join(ws.dir, 'conversions'), write: true },
    onTaskStart: o.onTaskStart,
  });
  const problems: string[] = [];
  for (const t of run.tasks) {
    if (t.status === 'killed') problems.push(`${t.task}: ${t.reason}`);
    for (const e of t.errors) problems.push(`${e.where}: ${e.ename}: ${e.evalue}`);
  }
  for (const item of o.spec.items) {
    if (item.kind === 'record' && !(item.id in run.records)) problems.push(`the solution does not record ${item.id}`);
    const h = run.hidden[item.id];
    if (item.kind === 'hidden' && (!h || h.error))
      problems.push(
        `hidden test ${item.id} failed on the solution${h?.error ? `: ${h.error.ename}: ${h.error.evalue}` : ''}`,
      );
  }
  if (problems.length)
    throw new ReferenceError_(
      `the reference solution in ${o.solutionDir} did not run cleanly (${problems.length} problem${problems.length > 1 ? 's' : ''}); first: ${problems[0]}`,
    );
  const hidden: Record<string, Encoded> = {};
  for (const [id, h] of Object.entries(run.hidden)) if (h.value !== undefined) hidden[id] = h.value; // JSON drops undefined anyway
  const ref: Reference = {
    key,
    records: run.records,
    recordedAt: run.recordedAt,
    hidden,
    figures: run.figures,
    configuration: o.configuration,
  };
  fs.mkdirSync(o.cacheDir, { recursive: true });
  // The compile cache first: a reference in the cache means its conversions are there too.
  const conversions = conversionsDir(o.cacheDir, key);
  fs.rmSync(conversions, { recursive: true, force: true });
  if (fs.existsSync(path.join(ws.dir, 'conversions')))
    fs.cpSync(path.join(ws.dir, 'conversions'), conversions, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(ref));
  fs.renameSync(tmp, file);
  fs.rmSync(ws.dir, { recursive: true, force: true });
  return ref;
}
