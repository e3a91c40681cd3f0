/**
 * Run: execute tasks (notebooks, hidden tests) in a child process, sandboxed for submissions.
 *
 * Sandbox = Node's permission model (read: the submission's scratch copy, the runner, kernel/,
 * datasets/, node_modules/ (the kit's package `ts231n` links into kernel/) and the data set folders; write: the scratch folder; no child
 * processes, no workers, no native addons, no inspector) + a fresh network and PID namespace
 * (`unshare`, when the OS allows) + a V8 heap cap and an RSS watchdog + per-cell and per-notebook
 * timeouts + a cap on what the process writes to stdout/stderr. Whatever ends the child early ends
 * only its current task, with the reason; the remaining tasks run in a fresh child.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { spawn, spawnSync } from 'child_process';
import * as ts from 'typescript';
import { payloadValue } from '../kernel/protocol';
import type { RunOutput, StudentError, TaskOutcome } from './types';
import type { ChildConfig, ChildMessage, Task } from './sandbox/protocol';

export interface RunLimits {
  cellTimeoutS: number;
  notebookTimeoutS: number;
  /** RSS cap of the child; the V8 heap gets three quarters of it. */
  memoryMb: number;
  /** Most bytes the child may write to stdout + stderr before it is stopped. */
  outputCapBytes: number;
  /** Seconds a child may take to load the runtime before its first task. */
  startupTimeoutS: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = { cellTimeoutS: 120, notebookTimeoutS: 1800, memoryMb: 3072, outputCapBytes: 10 * 1024 * 1024, startupTimeoutS: 120 };

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
  /** Called when a task starts (its position among all of the request's tasks), e.g. for a progress line. */
  onTaskStart?(task: Task, index: number, total: number): void;
}

/** Transpile grader/sandbox/child.ts into `dir/child.js` (once per grading run). */
export function prepareRunner(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const src = fs.readFileSync(path.join(__dirname, 'sandbox', 'child.ts'), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: 'child.ts' }).outputText;
  fs.writeFileSync(path.join(dir, 'child.js'), js);
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
export function permissionFlags(req: Pick<RunRequest, 'scratch' | 'assignmentRoot' | 'runnerDir' | 'repoRoot' | 'readPaths'>, home: string): string[] {
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
  return ['--allow-addons', ...read.map((d) => `--allow-fs-read=${strip(d)}/*`), ...write.map((d) => `--allow-fs-write=${strip(d)}/*`)];
}

/** Packages a submission must not load in the sandbox (native addons that reach outside it). */
export const SANDBOX_DENIED_PACKAGES = ['zeromq', 'cmake-ts', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '.bin'];

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
      for (const s of fs.readdirSync(path.join(nm, e.name))) if (!SANDBOX_DENIED_PACKAGES.includes(`${e.name}/${s}`)) out.push(`${e.name}/${s}`);
    } else if (!SANDBOX_DENIED_PACKAGES.includes(e.name)) out.push(e.name);
  }
  return out;
}

/** How this machine can isolate the network: a prefix for the command line, or a note saying why not. */
let isolation: { prefix: string[]; note?: string } | null = null;
export function networkIsolation(): { prefix: string[]; note?: string } {
  if (isolation) return isolation;
  const candidates = process.getuid?.() === 0 ? [['unshare', '--net', '--pid', '--fork', '--kill-child'], ['unshare', '-rn', '--pid', '--fork', '--kill-child']] : [['unshare', '-rn', '--pid', '--fork', '--kill-child']];
  for (const c of candidates) {
    const r = spawnSync(c[0], [...c.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
    if (r.status === 0) return (isolation = { prefix: c });
  }
  return (isolation = { prefix: [], note: 'no network/PID namespace: `unshare` is not permitted here, so the sandbox relies on the Node permission model alone (network not blocked)' });
}

function rssMb(pid: number): number {
  // The node process is the direct child of `unshare`; sum the tree one level down.
  let total = 0;
  const pids = [pid];
  try {
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    pids.push(...kids);
  } catch {
    /* /proc not available or process gone */
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
  const out: RunOutput & { backend?: string } = { records: {}, recordedAt: {}, hidden: {}, tasks: [], sandboxNotes: [], wallSeconds: 0 };
  const iso = req.mode === 'sandbox' ? networkIsolation() : { prefix: [] };
  if (iso.note) out.sandboxNotes.push(iso.note);
  const outcomes = new Map<string, TaskOutcome>(req.tasks.map((t) => [t.name, { task: t.name, status: 'skipped', errors: [] } as TaskOutcome]));
  let remaining = [...req.tasks];
  while (remaining.length) {
    const attempt = await runOnce(req, remaining, iso.prefix, out, outcomes);
    if (attempt.startupFailed) {
      for (const t of remaining) Object.assign(outcomes.get(t.name)!, { status: 'killed', reason: attempt.startupFailed });
      break;
    }
    const idx = remaining.findIndex((t) => !attempt.finished.has(t.name));
    if (idx < 0) break;
    const failed = remaining[idx];
    Object.assign(outcomes.get(failed.name)!, { status: 'killed', reason: attempt.failed?.reason ?? 'the process ended before this task ran' });
    remaining = remaining.slice(idx + 1).filter((t) => !attempt.finished.has(t.name));
  }
  out.tasks = req.tasks.map((t) => outcomes.get(t.name)!);
  out.wallSeconds = (Date.now() - started) / 1000;
  return out;
}

function runOnce(req: RunRequest, tasks: Task[], prefix: string[], out: RunOutput & { backend?: string }, outcomes: Map<string, TaskOutcome>): Promise<Attempt> {
  return new Promise((resolve) => {
    const nonce = crypto.randomBytes(16).toString('hex');
    const lim = req.limits;
    const nodeArgs = [`--max-old-space-size=${Math.max(256, Math.floor(lim.memoryMb * 0.75))}`, '--enable-source-maps', '--no-warnings'];
    const home = path.join(req.scratch, 'home');
    if (req.mode === 'sandbox') nodeArgs.push('--experimental-permission', ...permissionFlags(req, home));
    fs.mkdirSync(path.join(home, 'tmp'), { recursive: true });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      TMPDIR: path.join(home, 'tmp'),
      LANG: 'C.UTF-8',
      TS231N_GRADER_NONCE: nonce,
      ...(req.env ?? {}),
    };
    const cmd = [...prefix, process.execPath, ...nodeArgs, path.join(req.runnerDir, 'child.js')];
    const child = spawn(cmd[0], cmd.slice(1), { cwd: req.assignmentRoot, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
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
        stop(kind === 'task' ? `${current?.task.kind === 'notebook' ? current.task.path : what} ran longer than ${lim.notebookTimeoutS} s (notebook timeout); stopped` : kind === 'cell' ? `${what} ran longer than ${lim.cellTimeoutS} s (cell timeout); stopped` : `the runtime did not start within ${seconds} s`);
      }, seconds * 1000);
      if (kind === 'task') (clearTimeout(taskTimer), (taskTimer = timer));
      else (clearTimeout(cellTimer), (cellTimer = timer));
    };
    arm('startup');
    const poll = setInterval(() => {
      const mb = rssMb(child.pid!);
      if (mb > lim.memoryMb) stop(`${current?.where ?? 'the process'} used more than ${lim.memoryMb} MB of memory; stopped`);
    }, 300);
    const count = (buf: Buffer, isErr: boolean) => {
      outBytes += buf.length;
      if (isErr) stderrTail = (stderrTail + buf.toString()).slice(-4000);
      if (process.env.TS231N_GRADER_ECHO) process.stderr.write(buf);
      if (outBytes > lim.outputCapBytes) stop(`${current?.where ?? 'the process'} wrote more than ${Math.round(lim.outputCapBytes / 1048576)} MB to stdout/stderr; stopped`);
    };
    child.stdout!.on('data', (b: Buffer) => count(b, false));
    child.stderr!.on('data', (b: Buffer) => count(b, true));
    child.on('message', (raw: ChildMessage & { nonce?: string }) => {
      if (!raw || raw.nonce !== nonce) return; // not from our runner: submission code cannot forge messages
      const m = raw as ChildMessage;
      switch (m.t) {
        case 'ready': {
          const config: ChildConfig = { mode: req.mode, repoRoot: req.repoRoot, assignmentRoot: req.assignmentRoot, scratch: req.scratch, tasks, hiddenCode: req.hiddenCode, outputCapBytes: Math.min(lim.outputCapBytes, 1024 * 1024) };
          child.send({ t: 'config', config });
          break;
        }
        case 'backend':
          started = true;
          out.backend = m.name;
          break;
        case 'taskStart': {
          const task = tasks.find((t) => t.name === m.task)!;
          current = { task, where: task.kind === 'notebook' ? task.path : `hidden test ${task.id}` };
          req.onTaskStart?.(task, req.tasks.findIndex((t) => t.name === task.name), req.tasks.length);
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
        case 'hiddenValue':
          out.hidden[m.id] = m.error ? { error: m.error } : { value: m.value };
          break;
        case 'taskDone': {
          attempt.finished.add(m.task);
          const o = outcomes.get(m.task)!;
          Object.assign(o, { status: m.status, errors: m.errors as StudentError[], reason: m.notes.length ? m.notes.join('; ') : undefined });
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
      const reason =
        stopReason ??
        exitNote ??
        fatal ??
        (heap ? `${current?.where ?? 'the process'} ran out of memory (heap limit ${Math.floor(lim.memoryMb * 0.75)} MB)` : null) ??
        (signal ? `the process was killed by ${signal} during ${current?.where ?? 'startup'}` : `the process exited with code ${code} during ${current?.where ?? 'startup'}`);
      if (!started) attempt.startupFailed = `the runtime could not start in the grading sandbox: ${reason}${stderrTail ? ` (${lastLine(stderrTail)})` : ''}`;
      else attempt.failed = { task: current?.task.name ?? '', reason };
      resolve(attempt);
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() && !/^\s+at /.test(l) && !/^Node\.js v/.test(l) && !/^\s*\^+\s*$/.test(l));
  // Prefer the error line ("Error: …", "code: 'ERR_…'") over the last line, which is often a detail.
  const err = [...lines].reverse().find((l) => /^\w*(Error|Exception)\b/.test(l.trim()));
  return (err ?? lines[lines.length - 1] ?? '').trim().slice(0, 300);
}
