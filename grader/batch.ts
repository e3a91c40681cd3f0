/**
 * The batch: grade every submission in a folder through the pipeline
 * intake → validate → run → collect/compare → hidden tests → score → report,
 * in parallel, resumably (a graded student is skipped unless --force or the submission changed).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as crypto from 'crypto';
import type { Reference, RunProfile, Spec, StudentResult } from './types';
import { loadSpec, maxPoints } from './spec';
import { intake, listSubmissions, studentName, hashFolder, DEFAULT_LIMITS, type IntakeLimits } from './intake';
import { validateSubmission } from './validate';
import { runTasks, prepareRunner, sandboxLayers, DEFAULT_RUN_LIMITS, FULL_CELL_TIMEOUT_S, type RunLimits } from './run';
import { computeReference, conversionsDir, plannedTasks } from './reference';
import { shareDecodedData, type SharedData } from './sharedData';
import { notebookTaskName } from './collect';
import { compileHiddenTests } from './hidden';
import { scoreItems, totals } from './score';
import { loadGivenCells, restoreGivenCells, type GivenCells } from './given';
import type { NotebookV4 } from './validate';
import { createWorkspace, sandboxReadPaths, childEnv, gradingKernels } from './workspace';
import { writeStudentReports, writeBatchReports, readStudentResult, type ReportFormat, type Summary } from './report';
import { UsageError, GraderError } from './errors';
import { quickMode } from '../kernel/protocol/config';
import { figureRequest, figuresShown } from './figures';

export const REPO_ROOT = path.resolve(__dirname, '..');

export interface GradeOptions {
  assignment: string;
  submissions: string;
  out: string;
  jobs?: number;
  cellTimeoutS?: number;
  notebookTimeoutS?: number;
  memoryMb?: number;
  force?: boolean;
  student?: string;
  formats?: ReportFormat[];
  /** Defaults: grader/specs/<assignment> and solutions/<assignment>. */
  specDir?: string;
  solutionDir?: string;
  repoRoot?: string;
  runLimits?: Partial<RunLimits>;
  intakeLimits?: Partial<IntakeLimits>;
  /** Where the reference is cached (default `<out>/.cache`); the key covers everything it depends on. */
  cacheDir?: string;
  onProgress?(p: Progress): void;
  /** A student's run finished with a profile (where its time went) and its wall time in seconds. */
  onProfile?(student: string, profile: RunProfile, wallS: number): void;
  onReferenceStart?(): void;
  /** A task of the reference run started (only when the reference is not cached). */
  onReferenceTask?(what: string, index: number, total: number): void;
}

export interface Progress {
  total: number;
  done: number;
  skipped: number;
  running: number;
  etaS: number | null;
  last?: { student: string; total: number; maxTotal: number; skipped: boolean };
}

export interface BatchResult {
  results: StudentResult[];
  summary: Summary;
  graded: number;
  skipped: number;
  outDir: string;
  configuration: string;
  sandboxNotes: string[];
  /** Students the grader itself failed on (a bug or a machine problem), with the cause. */
  failures: Array<{ student: string; error: string }>;
}

/** The content hash intake would compute, without copying (for the resume check). */
function sourceHash(entry: string, limits: IntakeLimits): string | null {
  try {
    if (fs.statSync(entry).isFile()) return crypto.createHash('sha256').update(fs.readFileSync(entry)).digest('hex');
    return hashFolder(entry, limits);
  } catch {
    return null;
  }
}

async function pool<T>(items: T[], jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

export async function gradeBatch(o: GradeOptions): Promise<BatchResult> {
  const repoRoot = o.repoRoot ?? REPO_ROOT;
  const specDir = path.resolve(o.specDir ?? path.join(repoRoot, 'grader', 'specs', o.assignment));
  const solutionDir = path.resolve(o.solutionDir ?? path.join(repoRoot, 'solutions', o.assignment));
  const outDir = path.resolve(o.out);
  const subsDir = path.resolve(o.submissions);
  if (!fs.existsSync(specDir))
    throw new UsageError(`no grading spec for assignment ${o.assignment}: ${specDir} does not exist`);
  if (!fs.existsSync(subsDir) || !fs.statSync(subsDir).isDirectory())
    throw new UsageError(`--submissions ${o.submissions} is not a folder`);
  if (!fs.existsSync(solutionDir))
    throw new UsageError(`no reference solution for ${o.assignment}: ${solutionDir} does not exist`);
  if (outDir === subsDir || outDir.startsWith(subsDir + path.sep))
    throw new UsageError('--out must not be inside --submissions');
  const spec: Spec = loadSpec(specDir);
  if (spec.assignment !== o.assignment)
    throw new UsageError(`${specDir}/spec.json is for assignment ${spec.assignment}, not ${o.assignment}`);
  const formats = o.formats ?? [];
  const quick = quickMode();
  const limits: RunLimits = {
    ...DEFAULT_RUN_LIMITS,
    ...(quick ? {} : { cellTimeoutS: FULL_CELL_TIMEOUT_S }),
    ...o.runLimits,
  };
  if (o.cellTimeoutS) limits.cellTimeoutS = o.cellTimeoutS;
  if (o.notebookTimeoutS) limits.notebookTimeoutS = o.notebookTimeoutS;
  if (o.memoryMb) limits.memoryMb = o.memoryMb;
  // One core's worth of CPU per child, more when there are more cores than jobs.
  if (o.runLimits?.cpuCores === undefined)
    limits.cpuCores = Math.max(1, Math.floor((os.cpus().length / (o.jobs ?? os.cpus().length)) * 100) / 100);
  const intakeLimits = { ...DEFAULT_LIMITS, ...o.intakeLimits };
  const configuration = `${quick ? 'quick (TS231N_QUICK=1)' : 'full'} configuration, backend ${gradingKernels().label}`;
  fs.mkdirSync(outDir, { recursive: true });

  const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-grade-'));
  const cacheDir = o.cacheDir ? path.resolve(o.cacheDir) : path.join(outDir, '.cache');
  try {
    // inside the try: the scratch root, where it writes, is removed however the batch ends
    const sharedData = shareDecodedData(scratchRoot);
    const runnerDir = path.join(scratchRoot, 'runner');
    prepareRunner(runnerDir, repoRoot);
    const hiddenCode = compileHiddenTests(specDir, spec);
    const given = loadGivenCells(specDir);
    const references = new Map<string, NotebookV4>();
    for (const rel of Object.keys(given ?? {}))
      if (fs.existsSync(path.join(solutionDir, rel)))
        references.set(rel, JSON.parse(fs.readFileSync(path.join(solutionDir, rel), 'utf8')));
    o.onReferenceStart?.();
    const ref: Reference = await computeReference({
      repoRoot,
      spec,
      specDir,
      solutionDir,
      hiddenCode,
      cacheDir,
      sharedData,
      scratchRoot,
      runnerDir,
      limits,
      configuration,
      onTaskStart: (t, i, n) => o.onReferenceTask?.(t.kind === 'notebook' ? t.path : `hidden test ${t.id}`, i, n),
    });
    const configKey = crypto
      .createHash('sha256')
      .update(JSON.stringify({ ref: ref.key, limits, configuration }))
      .digest('hex')
      .slice(0, 24);
    const layers = sandboxLayers();
    const sandboxNotes = [layers.summary, ...layers.notes];

    // Students: one per folder or .zip; names made unique.
    const seen = new Map<string, number>();
    let entries = listSubmissions(subsDir).map((entry) => {
      let name = studentName(entry);
      const k = (seen.get(name) ?? 0) + 1;
      seen.set(name, k);
      if (k > 1) name = `${name}-${k}`;
      return { entry, student: name };
    });
    if (o.student) {
      entries = entries.filter((e) => e.student === o.student);
      if (!entries.length) throw new UsageError(`no submission named ${o.student} in ${o.submissions}`);
    }

    const results = new Map<string, StudentResult>();
    const failures: BatchResult['failures'] = [];
    let done = 0,
      skipped = 0,
      running = 0;
    const t0 = Date.now();
    let gradedTime = 0,
      gradedCount = 0;
    const report = (last?: Progress['last']) => {
      const left = entries.length - done;
      const per = gradedCount ? gradedTime / gradedCount : null;
      o.onProgress?.({
        total: entries.length,
        done,
        skipped,
        running,
        etaS: per === null ? null : (left * per) / Math.max(1, Math.min(o.jobs ?? os.cpus().length, left || 1)),
        last,
      });
    };
    report();
    await pool(entries, o.jobs ?? os.cpus().length, async ({ entry, student }) => {
      const hash = sourceHash(entry, intakeLimits);
      const previous = readStudentResult(outDir, student);
      if (!o.force && previous && previous.submissionHash === hash && previous.configKey === configKey) {
        results.set(student, previous);
        (done++, skipped++);
        report({ student, total: previous.total, maxTotal: previous.maxTotal, skipped: true });
        return;
      }
      running++;
      const started = Date.now();
      let profile: RunProfile | undefined;
      try {
        const r = await gradeOne({
          entry,
          student,
          spec,
          ref,
          repoRoot,
          scratchRoot,
          runnerDir,
          hiddenCode,
          limits,
          intakeLimits,
          configKey,
          quick,
          given,
          references,
          conversions: conversionsDir(cacheDir, ref.key),
          sharedData,
          onProfile: (p) => (profile = p),
        });
        writeStudentReports(outDir, spec, r, formats);
        if (profile) o.onProfile?.(student, profile, r.wallSeconds);
        results.set(student, r);
      } catch (e) {
        failures.push({ student, error: (e as Error).message.split('\n')[0] });
      } finally {
        running--;
        done++;
        gradedCount++;
        gradedTime += (Date.now() - started) / 1000;
        const r = results.get(student);
        report(r ? { student, total: r.total, maxTotal: r.maxTotal, skipped: false } : undefined);
      }
    });
    void t0;
    const all = entries.map((e) => results.get(e.student)).filter((r): r is StudentResult => !!r);
    // With --student only one row changes: keep the others' rows from their reports.
    const rows = o.student
      ? listSubmissions(subsDir)
          .map((e) => results.get(studentName(e)) ?? readStudentResult(outDir, studentName(e)))
          .filter((r): r is StudentResult => !!r)
      : all;
    const summary = writeBatchReports(outDir, spec, rows, configuration, formats, failures);
    return { results: all, summary, graded: done - skipped, skipped, outDir, configuration, sandboxNotes, failures };
  } finally {
    fs.rmSync(scratchRoot, { recursive: true, force: true });
  }
}

interface OneJob {
  entry: string;
  student: string;
  spec: Spec;
  ref: Reference;
  repoRoot: string;
  scratchRoot: string;
  runnerDir: string;
  hiddenCode: Record<string, string>;
  limits: RunLimits;
  intakeLimits: IntakeLimits;
  configKey: string;
  quick: boolean;
  /** Given cells to restore (none when the spec has no given.json), and the reference notebooks they come from. */
  given?: GivenCells | null;
  references?: Map<string, NotebookV4>;
  /** The reference run's compile cache (read-only for the child), if the cache holds one. */
  conversions?: string;
  /** The data set decoded once for all children (./sharedData.ts). */
  sharedData?: SharedData | null;
  onProfile?(p: RunProfile): void;
}

/** One student through the whole pipeline. Throws only for grader problems, never for the submission's. */
export async function gradeOne(j: OneJob): Promise<StudentResult> {
  const started = Date.now();
  const ws = createWorkspace(
    path.join(j.scratchRoot, 'students', crypto.createHash('sha1').update(j.student).digest('hex').slice(0, 12)),
    j.repoRoot,
    j.spec.assignment,
  );
  try {
    const sub = await intake(j.entry, ws.assignmentRoot, j.spec, j.intakeLimits);
    sub.student = j.student;
    const checks = sub.root ? validateSubmission(sub.root, j.spec.notebooks) : [];
    for (const c of checks) {
      const cells = j.given?.[c.path];
      const reference = j.references?.get(c.path);
      if (!c.ok || !cells || !reference) continue;
      const restored = restoreGivenCells(path.join(sub.root!, c.path), c.path, cells, reference);
      if (restored.length) c.restored = restored;
    }
    let run = null;
    if (sub.root) {
      const conversions = j.conversions && fs.existsSync(j.conversions) ? j.conversions : undefined;
      const valid = new Set(checks.filter((c) => c.ok).map((c) => c.path));
      const tasks = plannedTasks(j.spec, j.hiddenCode, (rel) =>
        rel.endsWith('.ipynb') ? valid.has(rel) : fs.existsSync(path.join(sub.root!, rel)),
      );
      if (tasks.length)
        run = await runTasks({
          mode: 'sandbox',
          repoRoot: j.repoRoot,
          scratch: ws.dir,
          assignmentRoot: ws.assignmentRoot,
          tasks,
          hiddenCode: j.hiddenCode,
          runnerDir: j.runnerDir,
          limits: j.limits,
          readPaths: [...sandboxReadPaths(j.repoRoot, j.sharedData), ...(conversions ? [conversions] : [])],
          env: childEnv(j.sharedData),
          figures: figureRequest(j.spec),
          blas: gradingKernels().blas,
          conversions: conversions ? { dir: conversions, write: false } : undefined,
        });
    }
    if (run?.profile) j.onProfile?.(run.profile);
    const items = scoreItems(j.spec, sub, checks, run, j.ref);
    const { total, maxTotal } = totals(items);
    if (maxTotal !== maxPoints(j.spec))
      throw new GraderError('internal error: item points do not add up to the spec maximum', 'SCORE');
    const ran = new Set((run?.tasks ?? []).filter((t) => t.status !== 'skipped').map((t) => t.task));
    const figures = figuresShown(
      j.spec,
      run?.figures ?? [],
      j.ref.figures ?? [],
      new Set(j.spec.notebooks.filter((nb) => ran.has(notebookTaskName(nb)))),
    );
    return {
      student: j.student,
      assignment: j.spec.assignment,
      submissionHash: sub.hash,
      configKey: j.configKey,
      configuration: {
        quick: j.quick,
        backend: (run as { backend?: string } | null)?.backend,
        cellTimeoutS: j.limits.cellTimeoutS,
        notebookTimeoutS: j.limits.notebookTimeoutS,
        memoryMb: j.limits.memoryMb,
      },
      gradedAt: new Date().toISOString(),
      total,
      maxTotal,
      ...(sub.invalid ? { invalid: sub.invalid } : {}),
      items,
      notebooks: checks,
      tasks: run?.tasks ?? [],
      missing: sub.missing,
      sandboxNotes: [...(run?.sandboxNotes ?? []), ...sub.notes],
      ...(figures.length ? { figures } : {}),
      ...(run?.figureNotes?.length ? { figureNotes: run.figureNotes } : {}),
      wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    fs.rmSync(ws.dir, { recursive: true, force: true });
  }
}
