/**
 * Runs notebooks headlessly through the kit's engine and summarises what happened: wall time,
 * cells that raised, the ✓/✗ lines of every `check(...)`, and the ids that were recorded.
 *
 * Usage: `npx tsx scripts/notebooks/run.ts [--quick] [--json] [--out DIR] [--cell-timeout S | --no-cell-timeout]
 *         [--stop-on-error] notebook.ipynb ...`
 *   --quick            set TS231N_QUICK=1 (fewer examples and iterations, same code paths)
 *   --json             print one JSON summary per notebook (one line each) instead of the text report;
 *                      it has wall and CPU seconds, in all and per code cell
 *   --out DIR          also write each executed notebook, outputs included, to DIR/<name>.ipynb
 *   --cell-timeout S   interrupt a cell after S seconds (default: the grader's, DEFAULT_RUN_LIMITS.cellTimeoutS)
 *   --no-cell-timeout  let cells run as long as they take
 *   --stop-on-error    stop a notebook at its first error, as Jupyter's Run All does
 * Exit status: 0 when every notebook ran without an error output and every check passed, 1
 * otherwise, 2 for bad arguments. Cell progress goes to stderr.
 */
import * as fs from 'fs';
import * as path from 'path';
import { executeNotebook, type NotebookRun } from '../../kernel/engine';
import { DEFAULT_RUN_LIMITS } from '../../grader/run';
import { RECORD_MIME } from '../../kernel/protocol';
import { CommandLineError, parseCommandLine } from '../commandLine';

export interface CheckLine {
  id: string;
  pass: boolean;
  /** The text after "✓ id — " / "✗ id — ". */
  text: string;
  /** Index of the notebook cell that printed it. */
  cell: number;
}

export interface NotebookSummary {
  file: string;
  quick: boolean;
  seconds: number;
  codeCells: number;
  /** Code cells that ran (fewer than codeCells when --stop-on-error stopped the run). */
  ranCells: number;
  /** Cells whose run ended with an error output. */
  errors: Array<{ cell: number; ename: string; evalue: string }>;
  checks: CheckLine[];
  /** Every id recorded, in order of first appearance, with a readable summary of its value. */
  records: Array<{ id: string; summary: string }>;
  /** Seconds per code cell, in order. */
  cellSeconds: number[];
  /** CPU seconds (user + system) of the whole run, and per code cell: on a shared machine the wall time depends on the load, this does not. */
  cpuSeconds?: number;
  cellCpuSeconds?: number[];
}

const CHECK_LINE = /^([✓✗]) (\S+) — ([\s\S]*)$/;

/** The ✓/✗ lines, errors and records in a run's outputs. */
export function summarise(
  file: string,
  run: NotebookRun,
  quick: boolean,
  seconds: number,
  cellSeconds: number[],
  codeCells = run.cells.length,
  cpu?: { seconds: number; cellSeconds: number[] },
): NotebookSummary {
  const errors: NotebookSummary['errors'] = [];
  const checks: CheckLine[] = [];
  const records = new Map<string, string>();
  for (const cell of run.cells) {
    for (const out of cell.outputs) {
      if (out.output_type === 'error') errors.push({ cell: cell.index, ename: out.ename, evalue: out.evalue });
      if (out.output_type !== 'display_data') continue;
      const text = String(out.data['text/plain'] ?? '');
      const m = CHECK_LINE.exec(text);
      if (m && 'text/html' in out.data) checks.push({ id: m[2], pass: m[1] === '✓', text: m[3], cell: cell.index });
      const rec = out.data[RECORD_MIME] as { id?: string } | undefined;
      if (rec && typeof rec.id === 'string') records.set(rec.id, text);
    }
  }
  return {
    file,
    quick,
    seconds,
    codeCells,
    ranCells: run.cells.length,
    errors,
    checks,
    records: [...records].map(([id, summary]) => ({ id, summary })),
    cellSeconds,
    ...(cpu ? { cpuSeconds: cpu.seconds, cellCpuSeconds: cpu.cellSeconds } : {}),
  };
}

/** The notebook's JSON with the run's outputs and execution counts filled in. */
export function withOutputs(notebookText: string, run: NotebookRun): string {
  const nb = JSON.parse(notebookText) as { cells: Array<Record<string, unknown>> };
  for (const cell of run.cells) {
    const target = nb.cells[cell.index];
    target.outputs = cell.outputs;
    target.execution_count = cell.reply.executionCount;
  }
  return JSON.stringify(nb, null, 1) + '\n';
}

/** Runs one notebook and returns its summary (and the run itself). */
export async function runNotebook(
  file: string,
  opts: { quick: boolean; cellTimeoutMs?: number; stopOnError?: boolean; onCell?(i: number, n: number): void },
): Promise<{ summary: NotebookSummary; run: NotebookRun }> {
  const t0 = Date.now();
  const stamps: number[] = [];
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const cpu0 = cpuNow();
  const cpuStamps: number[] = [];
  let codeCells = 0;
  const run = await executeNotebook(file, {
    env: opts.quick ? { TS231N_QUICK: '1' } : {},
    cellTimeoutMs: opts.cellTimeoutMs,
    stopOnError: opts.stopOnError,
    onCell: (i, n) => {
      codeCells = n;
      stamps.push(Date.now());
      cpuStamps.push(cpuNow());
      opts.onCell?.(i, n);
    },
  });
  const end = Date.now();
  const cpuEnd = cpuNow();
  const cellSeconds = stamps.map((s, i) => ((i + 1 < stamps.length ? stamps[i + 1] : end) - s) / 1000);
  const round = (v: number) => Math.round(v * 100) / 100;
  const cpu = {
    seconds: round(cpuEnd - cpu0),
    cellSeconds: cpuStamps.map((s, i) => round((i + 1 < cpuStamps.length ? cpuStamps[i + 1] : cpuEnd) - s)),
  };
  return { summary: summarise(file, run, opts.quick, (end - t0) / 1000, cellSeconds, codeCells, cpu), run };
}

function report(s: NotebookSummary): string {
  const ran = s.ranCells < s.codeCells ? ` (stopped after ${s.ranCells})` : '';
  const cpu = s.cpuSeconds === undefined ? '' : ` (${s.cpuSeconds.toFixed(1)} s of CPU)`;
  const lines = [
    `${s.file}${s.quick ? ' (quick)' : ''}: ${s.codeCells} code cells${ran} in ${s.seconds.toFixed(1)} s${cpu}`,
  ];
  for (const e of s.errors) lines.push(`  error in cell ${e.cell}: ${e.ename}: ${e.evalue.split('\n')[0]}`);
  for (const c of s.checks) lines.push(`  ${c.pass ? '✓' : '✗'} ${c.id} — ${c.text}`);
  for (const r of s.records) lines.push(`  ${r.summary}`);
  const passed = s.checks.filter((c) => c.pass).length;
  lines.push(
    `  ${passed}/${s.checks.length} checks passed, ${s.errors.length} cell errors, ${s.records.length} ids recorded`,
  );
  return lines.join('\n');
}

const USAGE =
  'usage: npx tsx scripts/notebooks/run.ts [--quick] [--json] [--out DIR] [--cell-timeout S | --no-cell-timeout] [--stop-on-error] notebook.ipynb ...';

async function main(argv: string[]): Promise<number> {
  const { values, positionals: files } = parseCommandLine(
    argv,
    {
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      'cell-timeout': { type: 'string' },
      'no-cell-timeout': { type: 'boolean' },
      'stop-on-error': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { quick = false, json = false, out: outDir } = values;
  const cellTimeoutS = values['cell-timeout'] === undefined ? undefined : Number(values['cell-timeout']);
  if (cellTimeoutS !== undefined && !(cellTimeoutS > 0))
    throw new CommandLineError(`--cell-timeout needs a positive number of seconds, got ${values['cell-timeout']}`);
  if (outDir === '') throw new CommandLineError('--out needs a folder');
  if (files.length === 0) throw new CommandLineError('give at least one notebook');
  // the grader's default, unless --cell-timeout or --no-cell-timeout says otherwise
  const cellTimeoutMs = values['no-cell-timeout']
    ? undefined
    : (cellTimeoutS ?? DEFAULT_RUN_LIMITS.cellTimeoutS) * 1000;
  const stopOnError = values['stop-on-error'] === true;
  for (const f of files) {
    if (!fs.existsSync(f)) {
      console.error(`run: no such notebook: ${f}`);
      return 2;
    }
  }
  let ok = true;
  for (const file of files) {
    const { summary, run } = await runNotebook(file, {
      quick,
      cellTimeoutMs,
      stopOnError,
      onCell: (i, n) => process.stderr.write(`\r${path.basename(file)}: cell ${i + 1}/${n}   `),
    });
    process.stderr.write('\n');
    if (outDir) {
      fs.mkdirSync(outDir, { recursive: true });
      fs.writeFileSync(path.join(outDir, path.basename(file)), withOutputs(fs.readFileSync(file, 'utf8'), run));
    }
    console.log(json ? JSON.stringify(summary) : report(summary));
    if (summary.errors.length || summary.checks.some((c) => !c.pass)) ok = false;
  }
  return ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`run: ${(e as Error).message}`);
      if (e instanceof CommandLineError) console.error(USAGE);
      process.exit(e instanceof CommandLineError ? 2 : 1);
    },
  );
}
