/**
 * The grader's child process. The grader transpiles this file on its own (it imports only Node
 * built-ins and types; kernel/protocol and kernel/engine it requires from the repository at run
 * time) and starts it under the Node permission model (see ../run.ts).
 *
 * It receives its configuration over IPC, installs a `.ts` loader (TypeScript's transpileModule:
 * no esbuild service process, which the sandbox forbids), hardens the runtime when it runs a
 * submission, then runs each task — a notebook through kernel/engine cell by cell, or one hidden
 * test — reporting records, cells and errors as they happen so that a kill loses nothing earlier.
 */
import * as fs from 'fs';
import * as path from 'path';
import Module = require('module');
import type { ChildConfig, ChildMessage, ParentMessage, Task } from './protocol';
import type { StudentError } from '../types';
import { cacheKey, transpileOptions, TRANSPILE_CACHE_DIR } from './transpileCache';
import { cacheConversions, type CacheableConverter, type CacheStats } from './conversionCache';
import type { EngineLike, RecordPayload } from '../../kernel/protocol';

// Under the permission model fs.existsSync throws for a path outside the allowed folders; code
// that probes for optional files (data roots, fonts) expects `false`, as Node documents.
const nodeFs = require('fs') as typeof fs; // the module object itself (an `import *` is a read-only view)
const existsSync = nodeFs.existsSync;
nodeFs.existsSync = (p: fs.PathLike) => {
  try {
    return existsSync(p);
  } catch {
    return false;
  }
};

const nonce = process.env.TS231N_GRADER_NONCE ?? '';
delete process.env.TS231N_GRADER_NONCE;
const rawSend = process.send!.bind(process);
const realExit = process.exit.bind(process);

function send(m: ChildMessage): void {
  rawSend({ ...m, nonce });
}

let currentWhere = 'startup';

/** Milliseconds per phase of this child's life (see the 'profile' message and `grade --profile`). */
const phases: Record<string, number> = {};
const cellTimes: Array<[string, number]> = [];
const TIMED = Symbol('timed');
/** Compile-cache counts of this child (absent without a cache). */
let conversionStats: CacheStats | undefined;
function timed<T>(phase: string, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    phases[phase] = (phases[phase] ?? 0) + performance.now() - t0;
  }
}

/** kernel/runtime/blas/openblas, required from the repository like the runtime. */
type BlasModule = Pick<typeof import('../../kernel/runtime/blas/openblas'), 'useBlasPlan' | 'blasStatus'>;

/** kernel/engine's Engine, as far as the child uses it (contract 2 in docs/architecture.md). */
type EngineClass = new (opts: { cwd: string; leakMeter?: boolean }) => Pick<EngineLike, 'execute' | 'dispose'> & {
  toolchain: string;
};

/** kernel/protocol, required from the repository (this file is transpiled alone, so no relative import). */
function protocol(repoRoot: string): typeof import('../../kernel/protocol') {
  return require(path.join(repoRoot, 'kernel', 'protocol'));
}

/**
 * The permission model refuses to list or stat a folder the child may not read as a whole, and
 * TypeScript's module resolution skips every lookup under a folder it believes missing. Two such
 * folders matter:
 * - the scratch root and the folders above the assignment (the scratch root holds node_modules/):
 *   TypeScript is told what they hold, the next folder down and, in the scratch root, node_modules;
 * - the repository root and its node_modules/. The cells import the runtime as `ts231n`, whose
 *   real path is kernel/runtime: its `../../datasets` (ts231n/datasets) and its `@tensorflow/tfjs`
 *   resolve through them. The child may read kernel/, datasets/ and each package, not these two
 *   folders themselves, so TypeScript is told they exist (reading them stays refused). Without
 *   that, `ts231n/datasets` would export nothing and `tf` would have no types.
 * (tslab's system object inherits from ts.sys.)
 */
function showAncestors(repoRoot: string, assignmentRoot: string, scratch: string): void {
  // kernel/engine knows which TypeScript builds tslab type-checks with.
  const { checkerSystems } = require(path.join(repoRoot, 'kernel', 'engine')) as {
    checkerSystems(): import('typescript').System[];
  };
  const repoFolders = new Set([path.resolve(repoRoot), path.resolve(repoRoot, 'node_modules')]);
  for (const sys of checkerSystems()) patchSys(sys, assignmentRoot, scratch, repoFolders);
}

function patchSys(
  sys: import('typescript').System,
  assignmentRoot: string,
  scratch: string,
  repoFolders: Set<string>,
): void {
  const { directoryExists, getDirectories } = {
    directoryExists: sys.directoryExists.bind(sys),
    getDirectories: sys.getDirectories.bind(sys),
  };
  const ancestor = (p: string) => {
    const dir = path.resolve(p);
    return (
      dir !== assignmentRoot &&
      (assignmentRoot + path.sep).startsWith(dir === path.sep ? dir : dir + path.sep) &&
      (dir + path.sep).startsWith(scratch + path.sep)
    );
  };
  // The scratch node_modules holds one link per readable package (inside scope folders such as
  // `@types`, which are not readable themselves), and the permission model answers a stat of such a
  // link as missing although its files can be read: the type checker is told that a scope folder
  // exists, and that a package link with a package.json is a folder (else `@types/node` is not found).
  const scratchModules = path.join(scratch, 'node_modules');
  const packageLink = (dir: string) => {
    if (!(dir + path.sep).startsWith(scratchModules + path.sep) || dir === scratchModules) return false;
    if (path.dirname(dir) === scratchModules && path.basename(dir).startsWith('@')) return true;
    return sys.fileExists(path.join(dir, 'package.json'));
  };
  sys.directoryExists = (p: string) =>
    ancestor(p) || repoFolders.has(path.resolve(p)) || directoryExists(p) || packageLink(path.resolve(p));
  sys.getDirectories = (p: string) => {
    if (!ancestor(p)) return getDirectories(p);
    const dir = path.resolve(p);
    const next = path.relative(dir, assignmentRoot).split(path.sep)[0];
    return dir === scratch ? [...new Set([next, 'node_modules', 'home'])] : [next];
  };
}

function installTsLoader(repoRoot: string): void {
  const ts = require(path.join(repoRoot, 'node_modules', 'typescript')) as typeof import('typescript');
  const exts = (
    Module as unknown as {
      _extensions: Record<string, (m: { _compile(code: string, file: string): void }, file: string) => void>;
    }
  )._extensions;
  exts['.ts'] = (m, file) => {
    const src = fs.readFileSync(file, 'utf8');
    const js = timed('transpile .ts modules', () => {
      try {
        return fs.readFileSync(path.join(__dirname, TRANSPILE_CACHE_DIR, `${cacheKey(file, src)}.js`), 'utf8');
      } catch {
        return ts.transpileModule(src, { compilerOptions: transpileOptions(ts), fileName: file }).outputText;
      }
    });
    m._compile(js, file);
  };
}

/** Freeze what a submission could patch to forge values: tf, the runtime's modules (record, check, …), the codec. */
function harden(repoRoot: string): void {
  const frozenDirs = ['runtime', 'protocol'].map((d) => path.join(repoRoot, 'kernel', d) + path.sep);
  const tf = require(path.join(repoRoot, 'node_modules', '@tensorflow', 'tfjs'));
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!mod) continue;
    if (frozenDirs.some((d) => file.startsWith(d)) || /node_modules[\\/]@tensorflow[\\/]/.test(file)) {
      try {
        Object.freeze(mod.exports);
      } catch {
        /* exotic exports objects stay as they are */
      }
    }
  }
  Object.freeze(tf);
  for (const cls of [tf.Tensor, tf.Variable]) if (cls?.prototype) Object.freeze(cls.prototype);
  const ownPid = process.pid;
  const kill = process.kill.bind(process);
  const guardedKill = (pid: number, signal?: string | number) => {
    if (pid !== ownPid) throw new Error('the grading sandbox does not allow signalling other processes');
    return kill(pid, signal);
  };
  Object.defineProperty(process, 'kill', { value: guardedKill, writable: false, configurable: false });
}

/** Node's permission error says only "Access to this API has been restricted": say what the sandbox allows. */
function explainDenied(message: string): string {
  return /Access to this API has been restricted/.test(message) && !message.includes('grading sandbox')
    ? `${message} (the grading sandbox lets a submission read only its own files, the kit's runtime and the data set, write only its own folder, and start no processes)`
    : message;
}

function studentError(e: unknown, where: string, root: string): StudentError {
  const err = e instanceof Error ? e : new Error(String(e));
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((l) => l.includes(root))
    .map((l) => l.trim().replace(root + path.sep, ''));
  const at = frames[0]?.match(/\(?([^()\s]+:\d+):\d+\)?$/)?.[1];
  return {
    where: at ? `${where} (${at})` : where,
    ename: err.name || 'Error',
    evalue: explainDenied(err.message),
    traceback: frames.slice(0, 8),
  };
}

function cellSource(src: string | string[]): string {
  return Array.isArray(src) ? src.join('') : src;
}

async function runNotebook(cfg: ChildConfig, task: Extract<Task, { kind: 'notebook' }>): Promise<void> {
  const file = path.join(cfg.assignmentRoot, task.path);
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    cells: Array<{ cell_type: string; source: string | string[]; id?: string }>;
  };
  const cwd = path.dirname(file);
  process.chdir(cwd);
  const { Engine } = require(path.join(cfg.repoRoot, 'kernel', 'engine')) as { Engine: EngineClass };
  const { RECORD_MIME } = protocol(cfg.repoRoot);
  // No leak meter: nobody reads this output, and it must not walk a submission's objects.
  const engine = timed('type checker start', () => new Engine({ cwd, leakMeter: false }));
  // The engine's converter compiles and type-checks each cell: through the compile cache where the
  // grader gave one, and timed apart from running the cell. (Engines of one folder share a converter.)
  const conv = (engine as unknown as { converter: CacheableConverter & { [TIMED]?: true } }).converter;
  if (conv && cfg.conversions && !conversionStats)
    conversionStats = cacheConversions(conv, cfg.conversions, engine.toolchain, cfg.assignmentRoot, cfg.scratch);
  if (conv && !conv[TIMED]) {
    const convert = conv.convert.bind(conv);
    conv.convert = (prevDecl, src) => timed('cells: compile + type-check', () => convert(prevDecl, src));
    conv[TIMED] = true;
  }
  const errors: StudentError[] = [];
  const notes: string[] = [];
  let outputBytes = 0;
  let truncated = false;
  const keep = (text: string) => {
    outputBytes += Buffer.byteLength(text);
    if (outputBytes > cfg.outputCapBytes && !truncated) {
      truncated = true;
      notes.push(`cell output beyond ${Math.round(cfg.outputCapBytes / 1024)} KiB was dropped`);
    }
  };
  const code = nb.cells.map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === 'code');
  const wanted = cfg.figures.cells ? new Set(cfg.figures.cells[task.path] ?? []) : null;
  for (const { c, i } of code) {
    const where = `${task.path} cell ${i + 1}`;
    currentWhere = where;
    send({ t: 'cell', task: task.name, index: i, total: nb.cells.length });
    const cellId = typeof c.id === 'string' ? c.id : undefined;
    const figures = {
      sent: 0,
      bytes: 0,
      dropped: 0,
      clearPending: false,
      wanted: !wanted || (cellId !== undefined && wanted.has(cellId)),
    };
    // clearOutput (a plot redrawn in place): the cell's figures so far are gone, as in the notebook.
    const clear = () => {
      figures.clearPending = false;
      if (!figures.sent) return;
      send({ t: 'figuresCleared', notebook: task.path, cell: i + 1 });
      figureCount -= figures.sent;
      figureBytes -= figures.bytes;
      figures.sent = figures.bytes = 0;
    };
    const output = (text: string) => {
      if (figures.clearPending) clear();
      keep(text);
    };
    const figure = (bundle: Record<string, unknown>, options?: { update?: boolean; metadata?: unknown }) => {
      if (figures.clearPending) clear();
      if (!figures.wanted || options?.update) return;
      const png = bundle['image/png'],
        svg = bundle['image/svg+xml'];
      const mime = typeof png === 'string' ? 'image/png' : typeof svg === 'string' ? 'image/svg+xml' : null;
      if (!mime) return;
      const data = (mime === 'image/png' ? png : svg) as string;
      const bytes = mime === 'image/png' ? Math.floor((data.length * 3) / 4) : data.length; // about what the grader counts
      if (figureCount >= cfg.figures.maxCount || figureBytes + bytes > cfg.figures.maxBytes) {
        figures.dropped++;
        return;
      }
      figureCount++;
      figureBytes += bytes;
      figures.bytes += bytes;
      const size = (options?.metadata as Record<string, { width?: unknown; height?: unknown }> | undefined)?.[mime];
      const text = bundle['text/plain'];
      const title = typeof text === 'string' ? text.slice(0, 300) : undefined;
      // In pieces: one IPC message of hundreds of KB can stall the channel (seen with a 350 KB PNG
      // under load: every later message lost), so no message carries more than FIGURE_PART characters.
      let k = 0;
      for (; data.length - k > FIGURE_PART; k += FIGURE_PART)
        send({ t: 'figurePart', data: data.slice(k, k + FIGURE_PART) });
      send({
        t: 'figure',
        notebook: task.path,
        cell: i + 1,
        cellId,
        index: figures.sent++,
        mime,
        data: data.slice(k),
        title,
        width: typeof size?.width === 'number' ? size.width : undefined,
        height: typeof size?.height === 'number' ? size.height : undefined,
      });
    };
    const t0 = performance.now();
    const reply = await engine.execute(cellSource(c.source), {
      stdout: output,
      stderr: output,
      clearOutput(wait) {
        if (wait) figures.clearPending = true;
        else clear();
      },
      display(bundle, options) {
        const rec = bundle[RECORD_MIME] as Partial<RecordPayload> | undefined;
        if (rec && typeof rec.id === 'string')
          send({
            t: 'record',
            task: task.name,
            id: rec.id,
            value: rec.value,
            notImplemented: rec.notImplemented,
            where,
          });
        else {
          figure(bundle, options);
          if (bundle['text/plain']) keep(String(bundle['text/plain']));
        }
      },
    });
    if (reply.result) figure(reply.result);
    if (figures.dropped) send({ t: 'figuresDropped', where, count: figures.dropped });
    // An empty TODO ends a cell early without failing it (reply.todo); it still explains a missing record.
    const failure = reply.status === 'error' ? reply.error : reply.todo;
    if (failure) {
      const tb = failure.traceback.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')).slice(0, 12);
      const at = tb.join('\n').match(new RegExp(`${escape(cfg.assignmentRoot + path.sep)}([^\\s:()]+:\\d+)`))?.[1];
      errors.push({
        where: at ? `${where} (${at})` : where,
        ename: failure.ename,
        evalue: explainDenied(failure.evalue),
        traceback: tb.map((l) => l.split(cfg.assignmentRoot + path.sep).join('')),
      });
    }
    const ms = performance.now() - t0;
    cellTimes.push([where, ms]);
    phases['cells: total'] = (phases['cells: total'] ?? 0) + ms;
  }
  engine.dispose();
  send({ t: 'taskDone', task: task.name, status: errors.length ? 'error' : 'ok', errors, notes });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Figures this child has sent, and their bytes (the caps of ChildConfig.figures; the grader counts across children). */
let figureCount = 0;
let figureBytes = 0;
/** Most characters of figure data per IPC message (a figure is sent as parts, then the figure message). */
const FIGURE_PART = 32 * 1024;

const hiddenModules = new Map<string, { tests?: Array<{ id: string; run(ctx: unknown): unknown }> }>();

async function runHidden(cfg: ChildConfig, task: Extract<Task, { kind: 'hidden' }>): Promise<void> {
  const runtime = require(path.join(cfg.repoRoot, 'kernel', 'runtime'));
  let mod = hiddenModules.get(task.file);
  if (!mod) {
    // Compiled under a name inside the assignment folder so that nothing outside it is implied.
    const m = new Module(path.join(cfg.assignmentRoot, `.hidden-${task.file}.js`)) as Module & {
      _compile(code: string, file: string): void;
    };
    m.filename = path.join(cfg.assignmentRoot, `.hidden-${task.file}.js`);
    m.paths = [];
    m._compile(cfg.hiddenCode[task.file], m.filename);
    mod = m.exports as typeof mod;
    hiddenModules.set(task.file, mod!);
  }
  const test = mod!.tests?.find((t) => t.id === task.id);
  const where = `hidden test ${task.id}`;
  currentWhere = where;
  process.chdir(cfg.assignmentRoot);
  if (!test) {
    send({
      t: 'hiddenValue',
      task: task.name,
      id: task.id,
      error: { where, ename: 'GraderError', evalue: 'hidden test not found', traceback: [] },
    });
  } else {
    const ctx = {
      load: (rel: string) => require(path.join(cfg.assignmentRoot, rel)),
      runtime,
      rng: new runtime.RandomGenerator(task.seed),
      seed: task.seed,
    };
    try {
      const value = await test.run(ctx);
      const encoded = runtime.encodeValue(value);
      send({ t: 'hiddenValue', task: task.name, id: task.id, value: encoded });
    } catch (e) {
      const err = e as { name?: string; fn?: string; file?: string };
      if (err && err.name === 'NotImplementedError')
        send({
          t: 'hiddenValue',
          task: task.name,
          id: task.id,
          error: {
            where,
            ename: 'NotImplementedError',
            evalue: `not implemented yet: ${err.fn} in ${err.file}`,
            traceback: [],
          },
        });
      else send({ t: 'hiddenValue', task: task.name, id: task.id, error: studentError(e, where, cfg.assignmentRoot) });
    }
  }
  send({ t: 'taskDone', task: task.name, status: 'ok', errors: [], notes: [] });
}

/** Copy a folder tree (regular files and folders), before any submission code runs. */
function copyInto(src: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const d of fs.readdirSync(src, { withFileTypes: true })) {
    if (d.isDirectory()) copyInto(path.join(src, d.name), path.join(dest, d.name));
    else if (d.isFile()) fs.copyFileSync(path.join(src, d.name), path.join(dest, d.name));
  }
}

/**
 * Once the runtime's own addons are loaded (resvg, and OpenBLAS's by the grader's plan), refuse
 * every later process.dlopen (a `.node` require goes through it too). Without bubblewrap, native
 * code would run with the grader's rights; with it, it would still run inside the child, where it
 * could patch the hardened runtime or read the message nonce from memory and forge values.
 */
function refuseNativeCode(): void {
  const refuse = () => {
    throw new Error(
      "the grading sandbox does not load native code (only the kit's own addons, loaded before the submission's code)",
    );
  };
  Object.defineProperty(process, 'dlopen', { value: refuse, writable: false, configurable: false });
}

async function main(cfg: ChildConfig): Promise<void> {
  if (cfg.copyFrom) timed('copy submission', () => copyInto(cfg.copyFrom!, cfg.assignmentRoot));
  installTsLoader(cfg.repoRoot);
  if (cfg.mode === 'sandbox')
    timed('load engine (tslab, TypeScript)', () => showAncestors(cfg.repoRoot, cfg.assignmentRoot, cfg.scratch));
  const t0 = performance.now();
  // OpenBLAS as the grader chose it: this child may neither run the probe nor read the library folder.
  const openblas = require(path.join(cfg.repoRoot, 'kernel', 'runtime', 'blas', 'openblas')) as BlasModule;
  if (cfg.blas) openblas.useBlasPlan(cfg.blas);
  const runtime = timed('load runtime', () => require(path.join(cfg.repoRoot, 'kernel', 'runtime')));
  const backend = await runtime.ready();
  phases['load runtime + tensor backend'] = performance.now() - t0;
  delete phases['load runtime'];
  const blas = openblas.blasStatus();
  send({
    t: 'backend',
    name: backend,
    blas: cfg.blas ? { coreType: blas.info?.coreType, note: blas.info ? undefined : blas.note } : undefined,
  });
  if (cfg.tasks.some((t) => t.kind === 'notebook'))
    timed('load engine (tslab, TypeScript)', () => require(path.join(cfg.repoRoot, 'kernel', 'engine')));
  if (cfg.mode === 'sandbox') timed('harden', () => harden(cfg.repoRoot));
  if (cfg.refuseNativeCode) refuseNativeCode();
  process.exit = ((code?: number) => {
    send({ t: 'exitCalled', code: Number(code ?? 0), where: currentWhere });
    realExit(Number(code ?? 0));
  }) as typeof process.exit;
  for (const task of cfg.tasks) {
    send({ t: 'taskStart', task: task.name });
    const t0 = performance.now();
    if (task.kind === 'notebook') await runNotebook(cfg, task);
    else await runHidden(cfg, task);
    if (task.kind === 'hidden') phases['hidden tests'] = (phases['hidden tests'] ?? 0) + performance.now() - t0;
  }
  // Exit once the last message is written: process.exit drops IPC writes still queued (figures are large).
  const cpu = process.cpuUsage();
  rawSend(
    {
      t: 'profile',
      phases,
      cells: cellTimes,
      cpuMs: (cpu.user + cpu.system) / 1000,
      conversions: conversionStats,
      nonce,
    },
    undefined,
    undefined,
    () => realExit(0),
  );
}

process.on('uncaughtException', (e) => {
  send({ t: 'fatal', message: `uncaught ${e?.name ?? 'error'} in ${currentWhere}: ${e?.message ?? String(e)}` });
  realExit(70);
});
process.on('unhandledRejection', (e) => {
  const err = e as Error;
  send({ t: 'fatal', message: `unhandled promise rejection in ${currentWhere}: ${err?.message ?? String(e)}` });
  realExit(70);
});

// The grader went away (killed mid-batch): stop instead of running on as an orphan.
process.on('disconnect', () => realExit(0));

process.once('message', (m: ParentMessage) => {
  if (m?.t !== 'config') return;
  main(m.config).catch((e) => {
    send({ t: 'fatal', message: `grader child failed in ${currentWhere}: ${(e as Error).message}` });
    realExit(70);
  });
});
send({ t: 'ready' });
