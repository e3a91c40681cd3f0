/**
 * Runs TypeScript cells with shared state, the way a notebook kernel does (contract 2 in
 * docs/architecture.md; the types are in kernel/protocol/engine.ts).
 *
 * Each cell is type-checked and converted by tslab's converter against the declarations of the
 * cells before it; its top-level names are local variables of the cell's function, published into
 * one store of names that later cells read and write (cellLocals.ts). Edited local modules are
 * reloaded before a cell (reload.ts). The code runs in the process's main context with
 * `breakOnSigint`, so SIGINT stops a `while (true) {}`; awaiting cells are stopped by the same
 * signal through a rejected promise.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import * as vm from 'vm';
import { EARLIER_CELLS_ID, loadTslab, type Converter, type Tslab } from './tslab';
import { acquireChecker, releaseChecker } from './checkers';
import { composeLineMaps, type LineMap } from './lineMap';
import { captureOutput } from './capture';
import { mainGlobal, mainProcess, NodeModule } from './mainContext';
import { cellFileName, compileError, runtimeError } from './errors';
import { ensureTsLoader, type ModuleTracker } from './modules';
import {
  createInterruptBoard,
  DISPLAYED_RESULT_KEY,
  interruptRequests,
  MIME_BUNDLE_OF_KEY,
  setRunningCell,
  setSynchronousRun,
  type InterruptBoard,
  type CompleteReply,
  type EngineLike,
  type ErrorInfo,
  type ExecuteHooks,
  type ExecuteOptions,
  type ExecuteReply,
  type MimeBundle,
  type TensorCount,
} from '../protocol';
import { installKitResolution } from './kitPackage';
import { routeTslabDisplay } from './tslabDisplay';

export type {
  CompleteReply,
  DisplayOptions,
  ExecuteHooks,
  ExecuteOptions,
  ExecuteReply,
  MimeBundle,
} from '../protocol';
import { CellStore, localizeCell, PUBLISH_ID } from './cellLocals';
import { reloadChanged } from './reload';
import { LeakMeter } from './leakMeter';
import { completionTypes } from './completions';
import { inspectPositions, quickInfoBundle } from './inspection';
import { isNotImplementedError } from '../runtime/errors';

/** Thrown into a running cell by SIGINT or `interrupt()` (Python's KeyboardInterrupt). */
export class InterruptError extends Error {
  constructor(message = 'the cell was interrupted') {
    super(message);
    this.name = 'InterruptError';
  }
}

/** A misuse of the engine itself (bad options, use after dispose). */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Private to this file: how a cell's script finds its exports and require (no other module reads it). */
const CELL_ARGS = Symbol.for('ts231n.engine.cellArgs');
/** tslab puts `export {};` and a newline before the cell. */
const PREFIX_LINES = 1;

/** Jupyter counts cursor positions in code points; JavaScript strings in UTF-16 units. */
function codePointToUnit(s: string, cp: number): number {
  let unit = 0;
  for (let i = 0; i < cp && unit < s.length; i++) unit += (s.codePointAt(unit) ?? 0) > 0xffff ? 2 : 1;
  return unit;
}
function unitToCodePoint(s: string, unit: number): number {
  return [...s.slice(0, unit)].length;
}

function isScriptInterrupt(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
}

export class Engine implements EngineLike {
  readonly cwd: string;
  /** tslab's and its TypeScript's versions: what a cell's compiled output depends on besides its inputs. */
  readonly toolchain: string;
  private readonly tslab: Tslab;
  private readonly converter: Converter;
  private readonly tracker: ModuleTracker;
  private readonly cells = new CellStore();
  private readonly locals = this.cells.store;
  private readonly cellRequire: NodeJS.Require;
  private readonly lineMaps = new Map<number, LineMap>();
  private prevDecl = '';
  private count = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private abortRunning: ((e: Error) => void) | null = null;
  /** True from the start of a cell until its reply; SIGINT in that window interrupts it. */
  private busy = false;
  /** SIGINT arrived while the cell was still being compiled. */
  private interruptPending = false;
  private disposed = false;
  /** SIGINT between cells is ignored, as a Jupyter kernel does. */
  private readonly onSigint = () => this.interrupt();
  /** The runtime's backend choice (see chooseBackend); made once, before the first importing cell. */
  private backend: Promise<void> | null = null;
  private readonly leaks: LeakMeter;
  /** Interrupts asked for from other threads (kernel/protocol/interrupts.ts). */
  readonly board: InterruptBoard;
  /** With a board from outside (the kernel), only a request on it since the cell started interrupts. */
  private readonly boardDriven: boolean;
  private requestsAtStart = 0;
  /** Board requests when the last cell ended: those were meant for it or for an earlier one. */
  private requestsAtEnd = 0;

  /**
   * `leakMeter: false` turns the tensor-leak meter off for good (the grader's runs; see leakMeter.ts).
   * `interrupts`: a board another thread writes (the kernel's socket thread); a fresh one otherwise.
   */
  constructor(opts: { cwd: string; leakMeter?: boolean; interrupts?: InterruptBoard }) {
    if (!opts || typeof opts.cwd !== 'string' || !opts.cwd)
      throw new EngineError('new Engine({ cwd }) needs cwd: the folder the notebook is in');
    const cwd = path.resolve(opts.cwd);
    if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory())
      throw new EngineError(`Engine cwd ${cwd} is not a folder: pass the folder the notebook is in`);
    this.cwd = cwd;
    this.tslab = loadTslab();
    this.toolchain = `tslab ${this.tslab.version}, TypeScript ${this.tslab.ts.version}`;
    ensureTsLoader(this.tslab.ts);
    installKitResolution();
    const checker = acquireChecker(this.tslab, cwd);
    this.tracker = checker.tracker;
    this.converter = checker.converter;
    this.cellRequire = NodeModule.createRequire(path.join(cwd, '__cell__.ts'));
    routeTslabDisplay([NodeModule.createRequire(__filename), this.cellRequire]);
    this.leaks = new LeakMeter(opts.leakMeter !== false);
    this.board = opts.interrupts ?? createInterruptBoard();
    this.boardDriven = opts.interrupts !== undefined;
    mainProcess.on('SIGINT', this.onSigint);
  }

  /** Runs one cell. Calls are queued: a second call starts when the first has finished. */
  execute(code: string, hooks: ExecuteHooks = {}, options: ExecuteOptions = {}): Promise<ExecuteReply> {
    const run = this.queue.then(() => this.run(code, hooks, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(code: string, hooks: ExecuteHooks, options: ExecuteOptions): Promise<ExecuteReply> {
    if (this.disposed) throw new EngineError('this Engine was disposed: create a new one');
    if (typeof code !== 'string')
      throw new EngineError(`execute(code) needs the cell's source as a string, got ${typeof code}`);
    const executionCount = ++this.count;
    const restore = captureOutput(hooks);
    this.busy = true;
    this.interruptPending = false;
    // Requests since the cell's request arrived count, except those an earlier cell ended with.
    // Without a stamp, the count now (never below requestsAtEnd) is the baseline.
    const now = interruptRequests(this.board);
    const arrival = Number.isInteger(options.interruptsAtArrival) ? (options.interruptsAtArrival as number) : now;
    this.requestsAtStart = Math.max(Math.min(arrival, now), this.requestsAtEnd);
    setRunningCell(this.board, executionCount);
    // A cell awaiting a promise nothing will settle must not let Node exit under it: it waits
    // for an interrupt, as in Jupyter.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    // Deep stacks (tfjs internals under a student's function) must still reach the cell's frame.
    const ErrorCtor = mainGlobal.Error as ErrorConstructor;
    const stackLimit = ErrorCtor.stackTraceLimit;
    ErrorCtor.stackTraceLimit = Math.max(stackLimit ?? 10, 64);
    let tensorsBefore: TensorCount | undefined;
    try {
      if (/\bimport\b|\brequire\s*\(/.test(code)) await this.chooseBackend();
      tensorsBefore = this.leaks.start();
      return await this.runCaptured(code, executionCount);
    } finally {
      const leak = this.leaks.finish(tensorsBefore, () => this.cells.names().map((n) => this.valueOf(n)));
      if (leak) mainProcess.stderr.write(`${leak}\n`);
      ErrorCtor.stackTraceLimit = stackLimit;
      clearInterval(keepAlive);
      this.busy = false;
      this.requestsAtEnd = interruptRequests(this.board);
      setRunningCell(this.board, 0);
      restore();
      this.tracker.noteLoaded();
    }
  }

  /**
   * Lets the runtime pick its tensor backend before a cell can compute. wasm initialises
   * asynchronously, and a cell that imports the runtime and computes at once would otherwise get
   * tfjs's synchronous fallback, the cpu backend (20–200× slower). tfjs keeps one engine per
   * process, so this is the backend every copy of the runtime a cell imports will use.
   * Costs about 0.4 s once; cells that import nothing (`1 + 1`) do not wait for it.
   */
  private chooseBackend(): Promise<void> {
    if (!this.backend) {
      this.backend = (async () => {
        try {
          const tensor = this.cellRequire(path.resolve(__dirname, '..', 'runtime', 'tensor')) as {
            ready(): Promise<string>;
          };
          await tensor.ready();
          // The leak meter's probe (registered by the runtime on load) counts from the first cell on.
          this.cellRequire(path.resolve(__dirname, '..', 'runtime', 'leakMeter'));
        } catch (e) {
          process.stderr.write(
            `ts231n: could not prepare the tensor backend (${e instanceof Error ? e.message : String(e)}); tfjs will choose one itself\n`,
          );
        }
      })();
    }
    return this.backend;
  }

  private async runCaptured(code: string, executionCount: number): Promise<ExecuteReply> {
    const fail = (error: ErrorInfo): ExecuteReply => ({ status: 'error', executionCount, error });
    this.reloadChangedModules();
    let conv;
    try {
      conv = this.converter.convert(this.prevDecl, code);
    } catch (e) {
      const info = runtimeError(e, this.lineMaps, executionCount);
      return fail({ ...info, ename: 'InternalError', evalue: `the TypeScript converter failed: ${info.evalue}` });
    }
    if (conv.diagnostics.length) return fail(compileError(conv.diagnostics, this.cwd));
    if (!conv.output) {
      this.prevDecl = conv.declOutput ?? '';
      return { status: 'ok', executionCount };
    }
    // Top-level names become real locals of the cell's function (cellLocals.ts).
    const cell = conv.esOutput
      ? localizeCell(this.tslab.ts as unknown as typeof import('typescript'), conv.esOutput)
      : undefined;
    const cjs = cell
      ? this.toCommonJs(cell.es)
      : { output: conv.output, map: this.commonJsMap(conv.esOutput, conv.output) };
    this.lineMaps.set(
      executionCount,
      composeLineMaps(conv.sourceMap, cjs.map, PREFIX_LINES, cjs.output.split('\n').length),
    );
    // A name the cell imports again must not go through an earlier cell's setter (tslab's header
    // sets it to undefined first); it is bound afresh.
    for (const name of cell?.imported ?? []) this.cells.bind(name, undefined);

    const interrupted = new Promise<never>((_, reject) => {
      this.abortRunning = reject;
    });
    interrupted.catch(() => undefined);
    try {
      // The function and its call are one script, so breakOnSigint covers the synchronous part.
      const params = `exports, require, ${EARLIER_CELLS_ID}, ${PUBLISH_ID}`;
      const head = conv.hasToplevelAwait ? `(async function (${params}) { ` : `(function (${params}) { `;
      const args = `globalThis[Symbol.for(${JSON.stringify(CELL_ARGS.description)})]`;
      const script = `${head}${cjs.output}\n})(${args}.exports, ${args}.require, ${args}.store, ${args}.publish)`;
      mainGlobal[CELL_ARGS] = {
        exports: this.cells.exports,
        require: this.cellRequire,
        store: this.cells.store,
        publish: this.cells.publish,
      };
      delete mainGlobal[DISPLAYED_RESULT_KEY];
      // An interrupt asked for while the cell compiled (synchronously) must stop it before it starts.
      // The board (shared memory) always shows it; a SIGINT is an event still queued, which a turn
      // of the event loop usually, but not always, delivers to its handler.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (this.interruptPending || interruptRequests(this.board) > this.requestsAtStart) throw new InterruptError();
      let ret: unknown;
      setSynchronousRun(this.board, true);
      try {
        ret = vm.runInThisContext(script, { filename: cellFileName(executionCount), breakOnSigint: true });
      } finally {
        setSynchronousRun(this.board, false);
      }
      delete mainGlobal[CELL_ARGS];
      if (conv.hasToplevelAwait) await Promise.race([ret, interrupted]);
    } catch (e) {
      delete mainGlobal[CELL_ARGS];
      // Like Python, what the cell defined before it failed stays defined (functions are hoisted).
      this.prevDecl = conv.declOutput ?? this.prevDecl;
      if (isScriptInterrupt(e) || e instanceof InterruptError)
        return fail({
          ename: 'InterruptError',
          evalue: 'the cell was interrupted',
          traceback: ['InterruptError: the cell was interrupted'],
        });
      // An empty TODO (in a module or in the cell itself) is a notice, not an error, so that Run All
      // on a starter notebook goes on to the end, as the starter's module TODOs do inside record().
      if (isNotImplementedError(e)) {
        mainProcess.stdout.write(`${e.message} (the rest of this cell was skipped)\n`);
        return { status: 'ok', executionCount, todo: runtimeError(e, this.lineMaps, executionCount, this.cwd) };
      }
      return fail(runtimeError(e, this.lineMaps, executionCount, this.cwd));
    } finally {
      this.abortRunning = null;
    }
    this.prevDecl = conv.declOutput ?? '';
    if (!conv.lastExpressionVar) return { status: 'ok', executionCount };
    const value = this.locals[conv.lastExpressionVar];
    this.cells.bind(conv.lastExpressionVar, undefined);
    // A helper that displayed its own result (check, a plot, showImages) leaves no Out[n].
    const shown = mainGlobal[DISPLAYED_RESULT_KEY] as { value: unknown } | undefined;
    delete mainGlobal[DISPLAYED_RESULT_KEY];
    if (shown && Object.is(shown.value, value)) return { status: 'ok', executionCount };
    const result = this.bundleOf(value);
    return result ? { status: 'ok', executionCount, result } : { status: 'ok', executionCount };
  }

  /** A top-level name's value; undefined for one whose `let` the cell never reached. */
  private valueOf(name: string): unknown {
    try {
      return this.locals[name];
    } catch {
      return undefined;
    }
  }

  /** Autoreload before a cell (reload.ts): one line under the cell says what was reloaded or why not. */
  private reloadChangedModules(): void {
    const changed = this.tracker.refresh();
    if (!changed.length) return;
    const r = reloadChanged(changed, {
      cwd: this.cwd,
      tracker: this.tracker,
      converter: this.converter,
      require: this.cellRequire,
      cells: this.cells,
    });
    if (r.reloaded.length) mainProcess.stdout.write(`reloaded ${r.reloaded.join(', ')}\n`);
    if (r.error) mainProcess.stderr.write(`${r.error}\n`);
  }

  /** tslab's ES → CommonJS step (same options), with its source map. */
  private toCommonJs(es: string): { output: string; map?: string } {
    const ts = this.tslab.ts;
    const out = ts.transpileModule(es, {
      fileName: 'custom.js',
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        esModuleInterop: true,
        target: ts.ScriptTarget.ES2022,
        newLine: ts.NewLineKind.LineFeed,
        noImplicitUseStrict: true,
        sourceMap: true,
      },
    });
    return { output: out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'), map: out.sourceMapText };
  }

  /** The source map of tslab's own ES → CommonJS step, when its output is the code that runs. */
  private commonJsMap(esOutput: string | undefined, output: string): string | undefined {
    if (!esOutput) return undefined;
    const out = this.toCommonJs(esOutput);
    // Only trust the map when it describes exactly the code that runs.
    return out.output.trimEnd() === output.trimEnd() ? out.map : undefined;
  }

  private bundleOf(value: unknown): MimeBundle | undefined {
    if (value === undefined) return undefined;
    const viaRuntime = mainGlobal[MIME_BUNDLE_OF_KEY];
    if (typeof viaRuntime === 'function') {
      try {
        const bundle = (viaRuntime as (v: unknown) => MimeBundle | undefined)(value);
        if (bundle) return bundle;
      } catch {
        /* fall back to the plain-text form */
      }
    }
    return { 'text/plain': util.inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 }) };
  }

  /** Completions at a cursor (code-point offset, as Jupyter sends it). */
  complete(code: string, cursorPos: number): CompleteReply {
    const pos = codePointToUnit(code, cursorPos);
    try {
      const info = this.converter.complete(this.prevDecl, code, pos);
      const cursorStart = unitToCodePoint(code, info.start);
      const cursorEnd = unitToCodePoint(code, info.end);
      const span = { start: cursorStart, end: cursorEnd };
      const types = completionTypes(this.converter, pos, info.candidates, info.original?.entries ?? [], span);
      return { matches: info.candidates, cursorStart, cursorEnd, types };
    } catch {
      return { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos };
    }
  }

  /** Type and TSDoc of the name at a cursor, or of the function whose call's parentheses hold it (inspection.ts). */
  inspect(code: string, cursorPos: number, _detailLevel = 0): { found: boolean; data: MimeBundle } {
    try {
      const ts = this.tslab.ts as unknown as typeof import('typescript');
      for (const pos of inspectPositions(ts, code, codePointToUnit(code, cursorPos))) {
        const info = this.converter.inspect(this.prevDecl, code, pos);
        const data = info && quickInfoBundle(info);
        if (data) return { found: true, data };
      }
    } catch {
      /* nothing found */
    }
    return { found: false, data: {} };
  }

  /** Whether the code is a whole cell (Jupyter console asks before running on Enter). */
  isComplete(code: string): { status: 'complete' | 'incomplete' | 'invalid'; indent?: string } {
    try {
      const r = this.tslab.isCompleteCode(code);
      if (!r.completed) return { status: 'incomplete', indent: r.indent ?? '' };
      // Complete but not parseable (`x = )`): Jupyter runs it anyway to show the error.
      const ts = this.tslab.ts;
      const parsed = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
      return parsed.parseDiagnostics?.length ? { status: 'invalid' } : { status: 'complete' };
    } catch {
      return { status: 'invalid' };
    }
  }

  /** Stops the running cell if it is awaiting; a busy synchronous loop needs SIGINT to the process. */
  interrupt(): void {
    if (!this.busy) return;
    // The kernel asks three ways at once (board, message, SIGINT); whichever comes late must not
    // stop the next cell: it counts only if a request was made since this cell's baseline (run()).
    if (this.boardDriven && interruptRequests(this.board) <= this.requestsAtStart) return;
    this.interruptPending = true;
    if (this.abortRunning) this.abortRunning(new InterruptError());
  }

  /** Removes the SIGINT handler and hands the type checker back (kept for the next engine in this folder). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    mainProcess.removeListener('SIGINT', this.onSigint);
    releaseChecker(this.cwd);
  }
}
