/**
 * Run: execute tasks (notebooks, hidden tests) in a child process, sandboxed for submissions.
 *
 * Sandbox, outside in: a cgroup (memory, CPU quota, process count; sandbox/cgroup.ts) + bubblewrap
 * (mount, network, PID, IPC, UTS namespaces over a file system with only what the child needs;
 * sandbox/bwrap.ts) — or, where bubblewrap is unavailable, `unshare` for the network and PIDs and
 * no native code after the runtime loaded — + Node's permission model (read: the submission copy,
 * the runner, kernel/, datasets/, node_modules/ (the kit's package `ts231n` links into kernel/) and
 * the data set folders; write: the submission
 * copy and the scratch home; no child processes, no workers, no inspector) + a V8 heap cap and an
 * RSS watchdog + per-cell and per-notebook timeouts + a cap on what the process writes to
 * stdout/stderr. Whatever ends the child early ends only its current task, with the reason; the
 * remaining tasks run in a fresh child.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { spawn, spawnSync } from 'child_process';
import * as ts from 'typescript';
import { payloadValue } from '../kernel/protocol';
import type { RunOutput, StudentError, TaskOutcome } from './types';
import type { ChildConfig, ChildMessage, Task } from './sandbox/protocol';
import { bubblewrap, bwrapArgs } from './sandbox/bwrap';
import { createCgroup, type Cgroup } from './sandbox/cgroup';
import { fillTranspileCache } from './sandbox/transpileCache';
import type { ConversionCacheConfig } from './sandbox/conversionCache';
import { FigureCollector, FIGURE_LIMITS } from './figures';
import type { FigureRequest } from './sandbox/protocol';
import type { BlasPlan } from '../kernel/runtime/blas/openblas';

export interface RunLimits {
  cellTimeoutS: number;
  notebookTimeoutS: number;
  /** RSS cap of the child; the V8 heap gets three quarters of it. */
  memoryMb: number;
  /** Most bytes the child may write to stdout + stderr before it is stopped. */
  outputCapBytes: number;
  /** Seconds a child may take to load the runtime before its first task. */
  startupTimeoutS: number;
  /** Size of the sandbox's tmpfs (submission copy + scratch home), under bubblewrap. */
  scratchMb?: number;
  /** CPU quota of a child's cgroup, in cores (the batch sets CPUs / jobs, at least 1). */
  cpuCores?: number;
  /** Most processes and threads in a child's cgroup. */
  pidsMax?: number;
}

/**
 * The full configuration's default cell timeout. Its longest cells are the naive-loop gradient
 * checks of svm.ipynb and softmax.ipynb: with 1,000 sampled entries they took 195–207 s on the
 * idle 2-core machine with two children at a time, which the quick configuration's 120 s stopped,
 * failing the reference run; with 200 entries, 22.6–30.7 s alone. The margin is for loaded
 * machines and slower students' code (docs/grader.md, *Throughput*).
 */
export const FULL_CELL_TIMEOUT_S = 600;

export const DEFAULT_RUN_LIMITS: RunLimits = {
  cellTimeoutS: 120,
  notebookTimeoutS: 1800,
  memoryMb: 3072,
  outputCapBytes: 10 * 1024 * 1024,
  startupTimeoutS: 120,
  scratchMb: 512,
  cpuCores: 1,
  pidsMax: 128,
};

export interface RunRequest {
  mode: 'sandbox' | 'trusted';
  repoRoot: string;
  /** The scratch folder of this run: the child may write here and nowhere else. */
  scratch: string;
  /** The assignment folder inside `scratch` (the submission copy or the solution copy). */
  assignmentRoot: string;
  tasks: Task[];
  hiddenCode: Record<string, string>;
  /** Folder holding the transpiled child (see prepareRunner). */
  runnerDir: string;
  limits: RunLimits;
  /** Extra folders the child may read (data sets). */
  readPaths: string[];
  env?: Record<string, string>;
  /** Which figures to keep, and the caps (default: every figure, FIGURE_LIMITS). */
  figures?: FigureRequest;
  /** OpenBLAS for the child's GEMM-shaped kernels, as the grader chose it (workspace.ts, gradingKernels). */
  blas?: BlasPlan;
  /** The compile cache (sandbox/conversionCache.ts); a folder read by a sandboxed child must be in readPaths too. */
  conversions?: ConversionCacheConfig;
  /** Called when a task starts (its position among all of the request's tasks), e.g. for a progress line. */
  onTaskStart?(task: Task, index: number, total: number): void;
}

/**
 * Transpile grader/sandbox/child.ts (and the transpile cache it reads) into `dir/` and fill the
 * cache with the kit's own TypeScript (once per grading run; see sandbox/transpileCache.ts).
 */
export function prepareRunner(dir: string, repoRoot?: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['child', 'transpileCache', 'conversionCache']) {
    const src = fs.readFileSync(path.join(__dirname, 'sandbox', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: `${name}.ts`,
    }).outputText;
    fs.writeFileSync(path.join(dir, `${name}.js`), js);
  }
  if (repoRoot)
    fillTranspileCache(
      ts,
      dir,
      ['kernel', 'datasets'].map((d) => path.join(repoRoot, d)),
    );
  return path.join(dir, 'child.js');
}

/**
 * The permission model's flags. Never the scratch root or `<scratch>/node_modules` as a whole:
 * they hold the symbolic links to the repository's packages, and the permission check is
 * lexical — write access there would let `<scratch>/node_modules/x/y` write into the repository's
 * packages, and read access to the scratch root would let `<scratch>/node_modules/ts231n/../../solutions`
 * (checked as `<scratch>/solutions`) reach the solutions. Each package's link is readable on its
 * own. kernel/ and datasets/ are read where they are (Node loads modules by their real path).
 * Under a link, `..` normalizes to a path above the link, which is not allowed. One flag per
 * folder, as `dir/*`: Node 20.20 mis-parses comma-separated lists (entries after the first are
 * dropped or shadow each other). Creating links needs full fs permissions, so a submission cannot
 * add its own.
 */
export function permissionFlags(
  req: Pick<RunRequest, 'scratch' | 'assignmentRoot' | 'runnerDir' | 'repoRoot' | 'readPaths'>,
  home: string,
): string[] {
  const packages = sandboxPackages(req.repoRoot);
  const read = [
    req.assignmentRoot,
    home,
    req.runnerDir,
    ...['kernel', 'datasets'].map((n) => path.join(req.repoRoot, n)),
    ...packages.map((p) => path.join(req.scratch, 'node_modules', p)),
    ...packages.map((p) => path.join(req.repoRoot, 'node_modules', p)),
    ...req.readPaths,
  ];
  const write = [req.assignmentRoot, home];
  const strip = (d: string) => d.replace(/[\\/]+$/, '');
  // Addons: the runtime rasterises plots with resvg (a native addon). The packages whose addons
  // could reach past the sandbox (zeromq: sockets; tfjs-node: TensorFlow's file ops) are not readable.
  return [
    '--allow-addons',
    ...read.map((d) => `--allow-fs-read=${strip(d)}/*`),
    ...write.map((d) => `--allow-fs-write=${strip(d)}/*`),
  ];
}

/** Packages a submission must not load in the sandbox (native addons that reach outside it). */
export const SANDBOX_DENIED_PACKAGES = [
  'zeromq',
  'cmake-ts',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '.bin',
];

/** The node_modules entries the sandbox may read: every installed package but the denied ones. */
export function sandboxPackages(repoRoot: string): string[] {
  const nm = path.join(repoRoot, 'node_modules');
  const out: string[] = [];
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(nm, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('@')) {
      for (const s of fs.readdirSync(path.join(nm, e.name)))
        if (!SANDBOX_DENIED_PACKAGES.includes(`${e.name}/${s}`)) out.push(`${e.name}/${s}`);
    } else if (!SANDBOX_DENIED_PACKAGES.includes(e.name)) out.push(e.name);
  }
  return out;
}

/** How this machine can isolate the network: a prefix for the command line, or a note saying why not. */
let isolation: { prefix: string[]; note?: string } | null = null;
export function networkIsolation(): { prefix: string[]; note?: string } {
  if (isolation) return isolation;
  const candidates =
    process.getuid?.() === 0
      ? [
          ['unshare', '--net', '--pid', '--fork', '--kill-child'],
          ['unshare', '-rn', '--pid', '--fork', '--kill-child'],
        ]
      : [['unshare', '-rn', '--pid', '--fork', '--kill-child']];
  for (const c of candidates) {
    const r = spawnSync(c[0], [...c.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
    if (r.status === 0) return (isolation = { prefix: c });
  }
  return (isolation = {
    prefix: [],
    note: 'no network/PID namespace: `unshare` is not permitted here, so the sandbox relies on the Node permission model alone (network not blocked)',
  });
}

/** How a sandboxed child is isolated on this machine: bubblewrap, or the fallback (with the reason). */
export interface SandboxLayers {
  bwrap: Exclude<ReturnType<typeof bubblewrap>, { note: string }> | null;
  /** The command prefix of the fallback (`unshare …`). */
  prefix: string[];
  /** One line for every report: which layers apply. */
  summary: string;
  /** What is missing, for the report's notes. */
  notes: string[];
}

export function sandboxLayers(): SandboxLayers {
  const b = bubblewrap();
  if (!('note' in b))
    return {
      bwrap: b,
      prefix: [],
      summary: `sandbox: bubblewrap (mount, network, PID, IPC, UTS${b.userNs ? ', user' : ''} namespaces; only the runtime, the data set and the submission visible) + Node permission model, native code refused after the runtime's own addons loaded`,
      notes: [],
    };
  const net = networkIsolation();
  return {
    bwrap: null,
    prefix: net.prefix,
    summary: `sandbox: FALLBACK without bubblewrap (${b.note}): Node permission model${net.note ? '' : ' + network/PID namespaces (unshare)'}, native code refused after the runtime loaded, scratch disk not capped`,
    notes: net.note ? [net.note] : [],
  };
}

function rssMb(pid: number): number {
  // node runs a few levels below the spawned process (sh → bwrap → bwrap → node): sum the tree.
  let total = 0;
  const pids = [pid];
  for (let i = 0; i < pids.length && pids.length < 4096; i++) {
    try {
      const kids = fs
        .readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      pids.push(...kids);
    } catch {
      /* /proc not available or process gone */
    }
  }
  for (const p of pids) {
    try {
      const m = fs.readFileSync(`/proc/${p}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
      if (m) total += Number(m[1]) / 1024;
    } catch {
      /* gone */
    }
  }
  return total;
}

interface Attempt {
  finished: Set<string>;
  /** The task in flight when the child ended, and why it ended (when it did not finish). */
  failed?: { task: string; reason: string };
  startupFailed?: string;
}

/** Run all tasks; never throws for anything the child does. */
export async function runTasks(req: RunRequest): Promise<RunOutput & { backend?: string }> {
  const started = Date.now();
  const out: RunOutput & { backend?: string } = {
    records: {},
    recordedAt: {},
    hidden: {},
    tasks: [],
    sandboxNotes: [],
    figures: [],
    figureNotes: [],
    wallSeconds: 0,
  };
  const figures = new FigureCollector(
    req.figures ?? FIGURE_LIMITS,
    req.tasks.flatMap((t) => (t.kind === 'notebook' ? [t.path] : [])),
  );
  const layers = req.mode === 'sandbox' ? sandboxLayers() : null;
  const applied = new Set<string>();
  if (layers) out.sandboxNotes.push(...layers.notes);
  const outcomes = new Map<string, TaskOutcome>(
    req.tasks.map((t) => [t.name, { task: t.name, status: 'skipped', errors: [] } as TaskOutcome]),
  );
  let remaining = [...req.tasks];
  while (remaining.length) {
    figures.newChild();
    const attempt = await runOnce(req, remaining, layers, out, outcomes, applied, figures);
    if (attempt.startupFailed) {
      for (const t of remaining)
        Object.assign(outcomes.get(t.name)!, { status: 'killed', reason: attempt.startupFailed });
      break;
    }
    const idx = remaining.findIndex((t) => !attempt.finished.has(t.name));
    if (idx < 0) break;
    const failed = remaining[idx];
    Object.assign(outcomes.get(failed.name)!, {
      status: 'killed',
      reason: attempt.failed?.reason ?? 'the process ended before this task ran',
    });
    remaining = remaining.slice(idx + 1).filter((t) => !attempt.finished.has(t.name));
  }
  out.tasks = req.tasks.map((t) => outcomes.get(t.name)!);
  out.figures = figures.figures;
  out.figureNotes = figures.notes();
  if (layers) out.sandboxNotes.unshift([layers.summary, ...applied].join('; '));
  out.wallSeconds = (Date.now() - started) / 1000;
  return out;
}

/** Where the intake copy is seen, read-only, inside bubblewrap (the child copies it to the tmpfs). */
const SOURCE_DIR = '.submission';

function runOnce(
  req: RunRequest,
  tasks: Task[],
  layers: SandboxLayers | null,
  out: RunOutput & { backend?: string },
  outcomes: Map<string, TaskOutcome>,
  applied: Set<string>,
  figures: FigureCollector,
): Promise<Attempt> {
  return new Promise((resolve) => {
    const nonce = crypto.randomBytes(16).toString('hex');
    const lim = { ...DEFAULT_RUN_LIMITS, ...req.limits };
    const nodeArgs = [
      `--max-old-space-size=${Math.max(256, Math.floor(lim.memoryMb * 0.75))}`,
      '--enable-source-maps',
      '--no-warnings',
    ];
    const home = path.join(req.scratch, 'home');
    const source = layers?.bwrap ? path.join(req.scratch, SOURCE_DIR) : undefined;
    if (req.mode === 'sandbox')
      nodeArgs.push(
        '--experimental-permission',
        ...permissionFlags({ ...req, readPaths: source ? [...req.readPaths, source] : req.readPaths }, home),
      );
    fs.mkdirSync(path.join(home, 'tmp'), { recursive: true });
    let prefix: string[] = layers?.prefix ?? [];
    if (layers?.bwrap) {
      prefix = [
        'bwrap',
        ...bwrapArgs(
          {
            repoRoot: req.repoRoot,
            scratch: req.scratch,
            intakeCopy: req.assignmentRoot,
            source: source!,
            home,
            runnerDir: req.runnerDir,
            readPaths: req.readPaths,
            deniedPackages: SANDBOX_DENIED_PACKAGES,
            scratchBytes: lim.scratchMb! * 1048576,
          },
          layers.bwrap,
        ),
        '--chdir',
        '/',
        '--',
      ];
      applied.add(`scratch tmpfs ${lim.scratchMb} MB`);
    }
    let cgroup: Cgroup | null = null;
    if (layers) {
      const cg = createCgroup({
        memoryBytes: (lim.memoryMb + (layers.bwrap ? lim.scratchMb! : 0) + 256) * 1048576,
        cpuCores: lim.cpuCores!,
        pidsMax: lim.pidsMax!,
      });
      if ('note' in cg) applied.add(cg.note);
      else {
        cgroup = cg;
        applied.add(cg.applied);
        // Join the cgroup before exec, so that every process of the sandbox is in it from the start.
        prefix = [
          '/bin/sh',
          '-c',
          'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; shift; done; shift; exec "$@"',
          'sh',
          ...cg.procsFiles,
          '--',
          ...prefix,
        ];
      }
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      TMPDIR: path.join(home, 'tmp'),
      LANG: 'C.UTF-8',
      TS231N_GRADER_NONCE: nonce,
      ...(req.env ?? {}),
    };
    const cmd = [...prefix, process.execPath, ...nodeArgs, path.join(req.runnerDir, 'child.js')];
    const spawnedAt = Date.now();
    let readyAfter = 0;
    const child = spawn(cmd[0], cmd.slice(1), {
      cwd: req.assignmentRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    const attempt: Attempt = { finished: new Set() };
    let current: { task: Task; where: string } | null = null;
    let started = false;
    let stopReason: string | null = null;
    let exitNote: string | null = null;
    let fatal: string | null = null;
    let outBytes = 0;
    let stderrTail = '';
    let cellTimer: NodeJS.Timeout | undefined;
    let taskTimer: NodeJS.Timeout | undefined;
    const stop = (reason: string) => {
      if (stopReason) return;
      stopReason = reason;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const arm = (kind: 'cell' | 'task' | 'startup') => {
      const seconds = kind === 'cell' ? lim.cellTimeoutS : kind === 'task' ? lim.notebookTimeoutS : lim.startupTimeoutS;
      const timer = setTimeout(() => {
        const what = current ? current.where : 'loading the runtime';
        stop(
          kind === 'task'
            ? `${current?.task.kind === 'notebook' ? current.task.path : what} ran longer than ${lim.notebookTimeoutS} s (notebook timeout); stopped`
            : kind === 'cell'
              ? `${what} ran longer than ${lim.cellTimeoutS} s (cell timeout); stopped`
              : `the runtime did not start within ${seconds} s`,
        );
      }, seconds * 1000);
      if (kind === 'task') (clearTimeout(taskTimer), (taskTimer = timer));
      else (clearTimeout(cellTimer), (cellTimer = timer));
    };
    arm('startup');
    const poll = setInterval(() => {
      const anon = cgroup?.anonBytes();
      const mb = anon ? anon / 1048576 : rssMb(child.pid!);
      if (mb > lim.memoryMb)
        stop(`${current?.where ?? 'the process'} used more than ${lim.memoryMb} MB of memory; stopped`);
    }, 300);
    const count = (buf: Buffer, isErr: boolean) => {
      outBytes += buf.length;
      if (isErr) stderrTail = (stderrTail + buf.toString()).slice(-4000);
      if (process.env.TS231N_GRADER_ECHO) process.stderr.write(buf);
      if (outBytes > lim.outputCapBytes)
        stop(
          `${current?.where ?? 'the process'} wrote more than ${Math.round(lim.outputCapBytes / 1048576)} MB to stdout/stderr; stopped`,
        );
    };
    child.stdout!.on('data', (b: Buffer) => count(b, false));
    child.stderr!.on('data', (b: Buffer) => count(b, true));
    child.on('message', (raw: ChildMessage & { nonce?: string }) => {
      if (!raw || raw.nonce !== nonce) return; // not from our runner: submission code cannot forge messages
      const m = raw as ChildMessage;
      switch (m.t) {
        case 'profile': {
          const p = (out.profile ??= { phases: {}, cells: [] });
          p.phases['process start (spawn, sandbox, node)'] =
            (p.phases['process start (spawn, sandbox, node)'] ?? 0) + readyAfter;
          for (const [k, ms] of Object.entries(m.phases)) p.phases[k] = (p.phases[k] ?? 0) + ms / 1000;
          if (m.cpuMs !== undefined) p.cpuS = (p.cpuS ?? 0) + m.cpuMs / 1000;
          if (m.conversions) {
            const c = (p.conversions ??= { hits: 0, misses: 0 });
            c.hits += m.conversions.hits;
            c.misses += m.conversions.misses;
            if (m.conversions.off) c.off = m.conversions.off;
          }
          p.cells.push(...m.cells.map(([w, ms]): [string, number] => [w, ms / 1000]));
          p.cells.sort((a, b) => b[1] - a[1]);
          break;
        }
        case 'ready': {
          readyAfter = (Date.now() - spawnedAt) / 1000;
          const config: ChildConfig = {
            mode: req.mode,
            repoRoot: req.repoRoot,
            assignmentRoot: req.assignmentRoot,
            scratch: req.scratch,
            tasks,
            hiddenCode: req.hiddenCode,
            outputCapBytes: Math.min(lim.outputCapBytes, 1024 * 1024),
            copyFrom: source,
            // Both sandboxes: after the runtime's own addons, no native code (sandbox/child.ts).
            refuseNativeCode: req.mode === 'sandbox',
            figures: figures.remaining(),
            blas: req.blas,
            conversions: req.conversions,
          };
          child.send({ t: 'config', config });
          break;
        }
        case 'backend':
          started = true;
          out.backend = m.blas?.coreType ? `${m.name} + OpenBLAS (${m.blas.coreType})` : m.name;
          if (m.blas && !m.blas.coreType) {
            const note = `OpenBLAS did not start in the child (${m.blas.note ?? 'no reason given'}): its matrix products ran on XNNPACK, not on the reference's kernels`;
            if (!out.sandboxNotes.includes(note)) out.sandboxNotes.push(note);
          }
          break;
        case 'taskStart': {
          const task = tasks.find((t) => t.name === m.task)!;
          current = { task, where: task.kind === 'notebook' ? task.path : `hidden test ${task.id}` };
          req.onTaskStart?.(
            task,
            req.tasks.findIndex((t) => t.name === task.name),
            req.tasks.length,
          );
          arm('cell');
          if (task.kind === 'notebook') arm('task');
          break;
        }
        case 'cell':
          if (current) current.where = `${(current.task as { path: string }).path} cell ${m.index + 1}`; // numbered like the notebook, as in the error texts
          arm('cell');
          break;
        case 'record':
          out.records[m.id] = payloadValue(m);
          out.recordedAt[m.id] = m.where;
          break;
        case 'figure':
          figures.add(m);
          break;
        case 'figurePart':
          figures.part(m.data);
          break;
        case 'figuresCleared':
          figures.clearCell(m.notebook, m.cell);
          break;
        case 'figuresDropped':
          figures.dropped(m.where, m.count);
          break;
        case 'hiddenValue':
          out.hidden[m.id] = m.error ? { error: m.error } : { value: m.value };
          break;
        case 'taskDone': {
          attempt.finished.add(m.task);
          const o = outcomes.get(m.task)!;
          Object.assign(o, {
            status: m.status,
            errors: m.errors as StudentError[],
            reason: m.notes.length ? m.notes.join('; ') : undefined,
          });
          clearTimeout(taskTimer);
          current = null;
          break;
        }
        case 'exitCalled':
          exitNote = `the submission called process.exit(${m.code}) in ${m.where}; its run stopped there`;
          break;
        case 'fatal':
          fatal = m.message;
          break;
      }
    });
    child.on('error', (e) => stop(`could not start the child process: ${e.message}`));
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(cellTimer);
      clearTimeout(taskTimer);
      const heap = /heap out of memory|Reached heap limit|Allocation failed/i.test(stderrTail);
      const oom = cgroup?.oomKilled()
        ? `${current?.where ?? 'the process'} used more than its memory cgroup allows (${lim.memoryMb} MB + scratch); stopped`
        : null;
      cgroup?.remove();
      const reason =
        stopReason ??
        oom ??
        exitNote ??
        fatal ??
        (heap
          ? `${current?.where ?? 'the process'} ran out of memory (heap limit ${Math.floor(lim.memoryMb * 0.75)} MB)`
          : null) ??
        (signal
          ? `the process was killed by ${signal} during ${current?.where ?? 'startup'}`
          : `the process exited with code ${code} during ${current?.where ?? 'startup'}`);
      if (!started)
        attempt.startupFailed = `the runtime could not start in the grading sandbox: ${reason}${stderrTail ? ` (${lastLine(stderrTail)})` : ''}`;
      else attempt.failed = { task: current?.task.name ?? '', reason };
      resolve(attempt);
    });
  });
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at /.test(l) && !/^Node\.js v/.test(l) && !/^\s*\^+\s*$/.test(l));
  // Prefer the error line ("Error: …", "code: 'ERR_…'") over the last line, which is often a detail.
  const err = [...lines].reverse().find((l) => /^\w*(Error|Exception)\b/.test(l.trim()));
  return (err ?? lines[lines.length - 1] ?? '').trim().slice(0, 300);
}
