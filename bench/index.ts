/**
 * `npm run bench [-- --quick] [-- --configs auto,wasm-threads,wasm-stock,cpu] [-- --threads N]
 *  [-- --cases matmul,knn,…] [-- --json FILE]`
 *
 * Times the course's heavy operations (bench/cases.ts) on the active tfjs backend and, in the same
 * run, their numpy twins (bench/numpy_bench.py) at equal thread counts; prints ms, GFLOP/s and
 * the ratio to numpy, and writes bench/results.json. Each configuration runs in a fresh process.
 *
 * numpy comes from `python3` on the PATH, or from TS231N_PYTHON (a virtualenv's python, say).
 *
 * Ratio basis: with one thread on both sides, CPU time per run (immune to other processes on the
 * same cores); with several threads, the fastest wall time. See docs/tensor-core.md.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CASES } from './cases';
import { kernelLoopSection } from './kernelLoop';
import type { CaseResult, Config, WorkerReport } from './worker';
import { CommandLineError, parseCommandLine } from '../scripts/commandLine';

interface NumpyRun {
  threads: number;
  numpy?: string;
  blas?: string | null;
  results?: Array<{ id: string; ms?: number; minMs?: number; cpuMs?: number; reps?: number; error?: string }>;
  error?: string;
}

interface ConfigRun {
  /** what was asked for: a worker config plus its thread count */
  name: string;
  config: Config;
  threads: number;
  report?: WorkerReport;
  error?: string;
}

class BenchUsageError extends Error {}

const ROOT = path.resolve(__dirname, '..');
const CONFIGS = ['auto', 'wasm-threads', 'wasm-xnnpack', 'wasm-stock', 'cpu', 'tensorflow'] as const;
/** What the cpu config runs unless --cases says otherwise. */
const CPU_CASES = ['matmul', 'conv_fwd', 'mlp_step', 'maxpool_fwd_bwd'];

const USAGE =
  'usage: npm run bench -- [--quick] [--configs auto,wasm-threads,wasm-stock,cpu,tensorflow] [--threads N] [--cases ID,…] [--json FILE]';

function commandLine(argv: string[]) {
  try {
    return parseCommandLine(argv, {
      quick: { type: 'boolean' },
      configs: { type: 'string' },
      threads: { type: 'string' },
      cases: { type: 'string' },
      json: { type: 'string' },
    }).values;
  } catch (e) {
    if (e instanceof CommandLineError) throw new BenchUsageError(`${e.message}\n${USAGE}`);
    throw e;
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop() ?? '';
}

function runWorker(name: string, config: Config, threads: number, quick: boolean, cases?: string): ConfigRun {
  const args = [...process.execArgv, path.join(__dirname, 'worker.ts'), '--config', config];
  if (quick) args.push('--quick');
  if (cases) args.push('--cases', cases);
  const env: NodeJS.ProcessEnv = { ...process.env, TS231N_THREADS: String(threads) };
  if (config !== 'auto') delete env.TS231N_BACKEND;
  process.stderr.write(`[bench] ${name} …\n`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) return { name, config, threads, error: firstLine(r.stderr || r.stdout || `exit ${r.status}`) };
  return { name, config, threads, report: JSON.parse(firstLine(r.stdout)) as WorkerReport };
}

/** numpy's python: TS231N_PYTHON, else `python3` on the PATH, else Debian's, the first that has numpy. */
export function findPython(): { python?: string; error?: string } {
  if (process.env.TS231N_PYTHON) return { python: process.env.TS231N_PYTHON };
  const tried: string[] = [];
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (r.error) tried.push(`${python}: not found`);
    else if (r.status !== 0) tried.push(`${python}: no numpy`);
    else return { python };
  }
  return {
    error: `no python with numpy (${tried.join(', ')}): apt-get install python3-numpy (Debian), or pip install numpy, or set TS231N_PYTHON`,
  };
}

function runNumpy(threads: number, quick: boolean, cases?: string): NumpyRun {
  const t = String(threads);
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on a machine whose old OpenBLAS needs them;
  // they slow a current numpy down, so numpy runs without both (its own OpenBLAS picks the kernel,
  // and the report names the one it runs).
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const args = [path.join(__dirname, 'numpy_bench.py')];
  if (quick) args.push('--quick');
  if (cases) args.push('--cases', cases);
  const found = findPython();
  if (!found.python) return { threads, error: found.error };
  const python = found.python;
  process.stderr.write(`[bench] numpy (${python}), ${threads} thread${threads === 1 ? '' : 's'} …\n`);
  const r = spawnSync(python, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error)
    return {
      threads,
      error: `${python} could not be run (${r.error.message}); install python3 and numpy, or set TS231N_PYTHON, to compare`,
    };
  if (r.status !== 0) {
    const line = firstLine(r.stderr || r.stdout);
    return {
      threads,
      error: /No module named .?numpy/.test(line)
        ? `${python} has no numpy (apt-get install python3-numpy, pip install numpy, or set TS231N_PYTHON)`
        : line,
    };
  }
  return { threads, ...(JSON.parse(firstLine(r.stdout)) as Omit<NumpyRun, 'threads'>) };
}

const fmt = (x: number | undefined | null, digits = 1): string =>
  x === undefined || x === null || !isFinite(x) ? '—' : x.toFixed(digits);

/** The time a ratio compares: CPU time single-threaded, best wall time otherwise. */
function basis(r: { minMs?: number; cpuMs?: number }, threads: number): number | undefined {
  return threads === 1 ? r.cpuMs : r.minMs;
}

function main(): void {
  const args = commandLine(process.argv.slice(2));
  const quick = args.quick ?? false;
  const cases = args.cases;
  if (cases) {
    const unknown = cases.split(',').filter((c) => !CASES.some((k) => k.id === c));
    if (unknown.length)
      throw new BenchUsageError(`unknown case ${unknown.join(', ')}: use ${CASES.map((c) => c.id).join(', ')}`);
  }
  const threadsArg = Number(args.threads ?? Math.min(os.cpus().length, 8));
  if (!Number.isInteger(threadsArg) || threadsArg < 1)
    throw new BenchUsageError('--threads must be a positive integer');
  const configs = (args.configs ?? (quick ? 'auto' : 'auto,wasm-threads,wasm-xnnpack,wasm-stock,cpu')).split(',');
  for (const c of configs) {
    if (!(CONFIGS as readonly string[]).includes(c))
      throw new BenchUsageError(`unknown config ${c}: use ${CONFIGS.join(', ')}`);
  }
  const jsonPath = path.resolve(args.json ?? path.join(__dirname, 'results.json'));
  const started = Date.now();

  const runs: ConfigRun[] = [];
  for (const c of configs) {
    if (c === 'wasm-threads') {
      if (threadsArg < 2) continue;
      runs.push(runWorker(`wasm, TS231N_THREADS=${threadsArg}`, 'wasm', threadsArg, quick, cases));
    } else if (c === 'cpu' && !cases) {
      // the pure-JS backend needs minutes for kNN and conv backward (65 s CPU measured): skip
      // them unless asked for with --cases
      runs.push(runWorker('cpu', 'cpu', 1, quick, CPU_CASES.join(',')));
    } else {
      const name =
        c === 'auto' ? 'active backend' : c === 'wasm-xnnpack' ? 'wasm without OpenBLAS (TS231N_BLAS=off)' : c;
      runs.push(runWorker(name, c as Config, 1, quick, cases));
    }
  }
  const threadCounts = [...new Set([1, ...runs.map((r) => r.report?.threads ?? 1)])].sort((a, b) => a - b);
  const numpy = threadCounts.map((t) => runNumpy(t, quick, cases));
  const numpyFor = (threads: number) => numpy.find((n) => n.threads === threads && n.results);

  const lines: string[] = [];
  const say = (s = '') => lines.push(s);
  say(
    `ts231n bench${quick ? ' (quick)' : ''} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0].toFixed(1)}, node ${process.version}`,
  );
  for (const n of numpy) {
    const asked = `${n.threads} thread${n.threads === 1 ? '' : 's'}`;
    say(
      n.error
        ? `numpy (${asked}): not measured: ${n.error}`
        : `numpy ${n.numpy} on ${n.blas ?? `an unknown BLAS, ${asked}`}`,
    );
  }
  say('ratio = tfjs / numpy at equal threads; 1 thread: CPU time per run, more threads: best wall time');
  const load = os.loadavg()[0];
  if (load > os.cpus().length) {
    say(
      `note: load average ${load.toFixed(1)} on ${os.cpus().length} cores: other processes share the cores, so wall times` +
        ' (ms, and every multi-thread comparison) are inflated and noisy; the 1-thread CPU-time ratios hold up better',
    );
  }
  const out: Array<ConfigRun & { rows?: Array<CaseResult & { numpyMs?: number; ratio?: number }>; geoMean?: number }> =
    [];
  for (const run of runs) {
    say();
    if (!run.report) {
      say(`## ${run.name}: did not run: ${run.error}`);
      out.push(run);
      continue;
    }
    const rep = run.report;
    const np = numpyFor(rep.threads);
    say(`## ${run.name}: ${rep.describe.split('\n')[0].replace(/^backend: /, '')}`);
    if (rep.readBack) say('(each run reads its results back into JS arrays: this backend computes asynchronously)');
    say(
      `${'case'.padEnd(56)} ${'ms'.padStart(8)} ${'cpu ms'.padStart(8)} ${'GFLOP/s'.padStart(8)} ${'numpy ms'.padStart(9)} ${'ratio'.padStart(6)}`,
    );
    if (run.config === 'cpu' && !cases)
      say(`(kNN and conv forward+backward skipped on cpu: minutes each; --configs cpu --cases knn runs one)`);
    const rows = rep.results.map((r) => {
      const c = CASES.find((k) => k.id === r.id)!;
      const n = np?.results?.find((x) => x.id === r.id);
      const mine = basis(r, rep.threads);
      const theirs = n && basis(n, rep.threads);
      const ratio = mine !== undefined && theirs ? mine / theirs : undefined;
      // GFLOP/s from the same basis as the ratio
      const gflops = c.flops !== null && mine ? c.flops / (mine * 1e6) : null;
      if (r.error) say(`${c.title.padEnd(56)} ${'failed:'.padStart(8)} ${r.error}`);
      else
        say(
          `${c.title.padEnd(56)} ${fmt(r.ms).padStart(8)} ${fmt(r.cpuMs).padStart(8)} ${fmt(gflops).padStart(8)} ${fmt(theirs).padStart(9)} ${fmt(ratio, 2).padStart(6)}`,
        );
      return { ...r, gflops, numpyMs: theirs, ratio };
    });
    const ratios = rows.map((r) => r.ratio).filter((x): x is number => x !== undefined && isFinite(x) && x > 0);
    const geoMean = ratios.length ? Math.exp(ratios.reduce((p, x) => p + Math.log(x), 0) / ratios.length) : undefined;
    if (geoMean !== undefined)
      say(
        `${'geometric mean of the ratios'.padEnd(56)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(9)} ${fmt(geoMean, 2).padStart(6)}`,
      );
    out.push({ ...run, rows, geoMean });
  }
  kernelLoopSection(quick).forEach((l) => say(l));
  say();
  say(
    `${((Date.now() - started) / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), jsonPath) || jsonPath}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);

  const result = {
    date: new Date().toISOString(),
    quick,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version },
    ratioBasis: '1 thread: CPU ms per run (median); more threads: fastest wall ms',
    numpy,
    configs: out.map((r) => ({
      name: r.name,
      config: r.config,
      threads: r.report?.threads ?? r.threads,
      backend: r.report?.backend,
      describe: r.report?.describe,
      readBack: r.report?.readBack,
      error: r.error,
      geoMean: r.geoMean,
      results: r.rows,
    })),
  };
  fs.mkdirSync(path.dirname(jsonPath), { recursive: true });
  fs.writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(e instanceof BenchUsageError ? 2 : 1);
}
