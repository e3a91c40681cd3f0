/**
 * Runs a notebook's code cells in order, headless, and returns what Jupyter would have stored:
 * nbformat outputs per cell, and the values the cells recorded for the grader.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Engine, type ExecuteReply, type MimeBundle, type DisplayOptions } from './engine';
import { mainProcess } from './mainContext';
import { Watchdog } from './watchdog';
import { RECORD_MIME, type Encoded, type RecordPayload } from '../protocol';

export type NbOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; execution_count: number; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

export interface NotebookCellRun {
  /** Index of the cell in the notebook (markdown cells included). */
  index: number;
  reply: ExecuteReply;
  outputs: NbOutput[];
}

export interface NotebookRun {
  cells: NotebookCellRun[];
  /** id → encoded value (contract 3 in docs/architecture.md), the last record of each id. */
  records: Record<string, Encoded | undefined>;
}

export interface ExecuteNotebookOptions {
  /** Extra environment for the run (e.g. `{ TS231N_QUICK: '1' }`), restored afterwards. */
  env?: Record<string, string>;
  /** Interrupt a cell that runs longer than this; its reply is a TimeoutError. */
  cellTimeoutMs?: number;
  /**
   * Stop at the first cell that ends with an error, as Jupyter's Run All does (`stop_on_error`);
   * the cells after it get no reply and are not in `cells`. Default false: every cell runs.
   */
  stopOnError?: boolean;
  /** Called before each code cell: i of n code cells. */
  onCell?(i: number, n: number): void;
}

export class NotebookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotebookError';
  }
}

interface RawNotebook {
  cells: Array<{ cell_type: string; source: string | string[] }>;
}

function readNotebook(file: string): RawNotebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new NotebookError(`cannot read notebook ${file}: check the path`);
  }
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`${file} is not JSON (${(e as Error).message}): is it an .ipynb file?`);
  }
  if (!nb || typeof nb !== 'object' || !Array.isArray((nb as RawNotebook).cells))
    throw new NotebookError(`${file} has no "cells" list: is it an nbformat 4 notebook?`);
  return nb as RawNotebook;
}

/**
 * Collects a cell's outputs as nbformat does: consecutive stream text merged, updates in place,
 * `clear_output` as nbclient (nbconvert) applies it.
 */
class OutputCollector {
  readonly records: Record<string, Encoded | undefined> = {};
  private readonly byDisplayId = new Map<string, Array<{ data: MimeBundle; metadata: Record<string, unknown> }>>();
  private outs: NbOutput[] = [];
  /** clearOutput({ wait: true }) was called: clear when the next output arrives. */
  private clearPending = false;

  /** The current cell's outputs (a fresh list per cell). */
  get outputs(): NbOutput[] {
    return this.outs;
  }

  startCell(): void {
    this.outs = [];
    this.clearPending = false;
  }

  clear(wait: boolean): void {
    if (wait) this.clearPending = true;
    else this.clearNow();
  }

  /** A cleared display can no longer be updated (nbclient forgets its display id for the cell). */
  private clearNow(): void {
    const gone = new Set<object>(this.outs);
    for (const [id, list] of this.byDisplayId) {
      const kept = list.filter((o) => !gone.has(o));
      if (kept.length) this.byDisplayId.set(id, kept);
      else this.byDisplayId.delete(id);
    }
    this.outs.length = 0;
    this.clearPending = false;
  }

  add(output: NbOutput): void {
    if (this.clearPending) this.clearNow();
    this.outs.push(output);
  }

  stream(name: 'stdout' | 'stderr', text: string): void {
    if (this.clearPending) this.clearNow();
    const last = this.outputs[this.outputs.length - 1];
    if (last && last.output_type === 'stream' && last.name === name) last.text += text;
    else this.outputs.push({ output_type: 'stream', name, text });
  }

  display(bundle: MimeBundle, options: DisplayOptions): void {
    const rec = bundle[RECORD_MIME] as Partial<RecordPayload> | undefined;
    if (rec && typeof rec.id === 'string') this.records[rec.id] = rec.value;
    const metadata = options.metadata ?? {};
    if (options.update && options.displayId) {
      for (const out of this.byDisplayId.get(options.displayId) ?? []) {
        out.data = bundle;
        out.metadata = metadata;
      }
      return;
    }
    const out = { output_type: 'display_data' as const, data: bundle, metadata };
    this.add(out);
    if (options.displayId) {
      if (!this.byDisplayId.has(options.displayId)) this.byDisplayId.set(options.displayId, []);
      this.byDisplayId.get(options.displayId)!.push(out);
    }
  }
}

/** Runs every code cell of `file` with cwd = its folder; errors stop the run only with `stopOnError`. */
export async function executeNotebook(file: string, opts: ExecuteNotebookOptions = {}): Promise<NotebookRun> {
  const abs = path.resolve(file);
  const nb = readNotebook(abs);
  const dir = path.dirname(abs);
  const code = nb.cells.map((c, index) => ({ c, index })).filter(({ c }) => c.cell_type === 'code');
  if (opts.cellTimeoutMs !== undefined && !(opts.cellTimeoutMs > 0))
    throw new NotebookError(`cellTimeoutMs must be a positive number of milliseconds, got ${opts.cellTimeoutMs}`);

  const env = mainProcess.env;
  const savedEnv = new Map(Object.keys(opts.env ?? {}).map((k) => [k, env[k]]));
  Object.assign(env, opts.env ?? {});
  const savedCwd = mainProcess.cwd();
  try {
    mainProcess.chdir(dir);
  } catch {
    /* worker threads cannot chdir; imports still resolve from the notebook's folder */
  }
  const engine = new Engine({ cwd: dir });
  const watchdog = opts.cellTimeoutMs ? new Watchdog() : null;
  const collector = new OutputCollector();
  const cells: NotebookCellRun[] = [];
  // A timer's throw or a promise nobody awaited must not end the run: it becomes stderr of the
  // cell that is current when Node reports it, as the Jupyter kernel shows it.
  const stack = (e: unknown) =>
    typeof e === 'object' && e !== null && 'stack' in e ? String((e as Error).stack) : String(e);
  const onUncaught = (e: unknown) => collector.stream('stderr', `Uncaught ${stack(e)}\n`);
  const onRejection = (e: unknown) => collector.stream('stderr', `Unhandled promise rejection: ${stack(e)}\n`);
  mainProcess.on('uncaughtException', onUncaught);
  mainProcess.on('unhandledRejection', onRejection);
  try {
    for (const [i, { c, index }] of code.entries()) {
      opts.onCell?.(i, code.length);
      collector.startCell();
      const source = Array.isArray(c.source) ? c.source.join('') : String(c.source ?? '');
      const started = Date.now();
      watchdog?.arm(opts.cellTimeoutMs!);
      let reply = await engine.execute(source, {
        stdout: (t) => collector.stream('stdout', t),
        stderr: (t) => collector.stream('stderr', t),
        display: (b, o) => collector.display(b, o),
        clearOutput: (wait) => collector.clear(wait),
      });
      watchdog?.disarm();
      if (reply.error?.ename === 'InterruptError' && opts.cellTimeoutMs && Date.now() - started >= opts.cellTimeoutMs) {
        const evalue = `the cell ran longer than ${opts.cellTimeoutMs} ms and was interrupted`;
        reply = { ...reply, error: { ename: 'TimeoutError', evalue, traceback: [`TimeoutError: ${evalue}`] } };
      }
      if (reply.result)
        collector.add({
          output_type: 'execute_result',
          execution_count: reply.executionCount,
          data: reply.result,
          metadata: {},
        });
      if (reply.error) collector.add({ output_type: 'error', ...reply.error });
      cells.push({ index, reply, outputs: collector.outputs });
      if (opts.stopOnError && reply.status === 'error') break;
    }
    // Let rejections of the last cell surface while the handlers are still installed.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    mainProcess.removeListener('uncaughtException', onUncaught);
    mainProcess.removeListener('unhandledRejection', onRejection);
    await watchdog?.close();
    engine.dispose();
    try {
      mainProcess.chdir(savedCwd);
    } catch {
      /* see above */
    }
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  }
  return { cells, records: collector.records };
}

/**
 * The notebook in `file` with a run's outputs and execution counts in its code cells, as
 * `jupyter nbconvert --execute` would save it (cells the run did not reach are cleared).
 */
export function executedNotebook(
  file: string,
  run: NotebookRun,
): { cells: Array<Record<string, unknown>> } & Record<string, unknown> {
  const nb = readNotebook(path.resolve(file)) as unknown as { cells: Array<Record<string, unknown>> } & Record<
    string,
    unknown
  >;
  for (const c of nb.cells) if (c.cell_type === 'code') Object.assign(c, { outputs: [], execution_count: null });
  for (const r of run.cells)
    Object.assign(nb.cells[r.index], { outputs: r.outputs, execution_count: r.reply.executionCount });
  return nb;
}
