/**
 * One benchmark configuration in a fresh process (wasm threads are fixed when the backend
 * starts, and "stock wasm" must never see the kit's kernel fixes):
 *
 *   tsx bench/worker.ts --config auto|wasm|wasm-xnnpack|wasm-stock|cpu|tensorflow [--quick] [--cases a,b]
 *
 * wasm-xnnpack is the kit's wasm without OpenBLAS (TS231N_BLAS=off, set here).
 *
 * Prints one JSON line `{"config": …, "backend": …, "results": [...]}` on stdout.
 */
import * as tf from '@tensorflow/tfjs';
import { ready, useBackend, backendInfo, describeBackend, BackendName } from '../kernel/runtime/tensor';
import { startWasm } from '../kernel/runtime/wasm/threads';
import { seed, randn } from '../kernel/runtime/random';
import { CASES } from './cases';
import { time } from './timing';
import { parseCommandLine } from '../scripts/commandLine';

export type Config = 'auto' | 'wasm' | 'wasm-xnnpack' | 'wasm-stock' | 'cpu' | 'tensorflow';

export interface CaseResult {
  id: string;
  ms?: number;
  minMs?: number;
  cpuMs?: number;
  reps?: number;
  gflops?: number | null;
  error?: string;
}

export interface WorkerReport {
  config: Config;
  backend: string;
  threads: number;
  describe: string;
  /** Whether each run's results were read back into JS arrays (only where the backend computes asynchronously). */
  readBack: boolean;
  results: CaseResult[];
}

async function start(config: Config): Promise<void> {
  if (config === 'auto') await ready();
  else if (config === 'wasm-xnnpack') {
    process.env.TS231N_BLAS = 'off';
    await useBackend('wasm');
  } else if (config === 'wasm-stock') {
    // the stock kernels only: registerWasmFixes is never called in this process
    require('@tensorflow/tfjs-backend-wasm');
    await startWasm(1);
  } else await useBackend(config as BackendName);
}

// Started by bench/index.ts only: a bad flag is a bug there, reported like any other failure below.
const { values } = parseCommandLine(process.argv.slice(2), {
  config: { type: 'string' },
  quick: { type: 'boolean' },
  cases: { type: 'string' },
});

async function main(): Promise<void> {
  const config = (values.config ?? 'auto') as Config;
  const quick = values.quick ?? false;
  const only = values.cases?.split(',');
  await start(config);
  const info = backendInfo();
  // Under OpenBLAS, TS231N_THREADS goes to OpenBLAS and XNNPACK keeps one thread: the run's
  // thread count is the larger (comparing it with numpy at one thread, on CPU time, counted the
  // second thread's work as a slowdown).
  const threads = Math.max(info.threads ?? 1, info.blas?.threads ?? 1);
  const opts = quick
    ? { warmup: 1, warmupMs: 500, maxReps: 3, budgetMs: 600 }
    : { warmup: 2, warmupMs: 1000, maxReps: 15, budgetMs: 2500 };
  // wasm and cpu run each kernel to completion before the op returns, and the result then sits in
  // memory the next op reads, as numpy's does: copying it out into a JS array is work numpy's row
  // does not do (200 rows of 5000×3072: 0.08 ms to gather, ~1.4 ms more to read back). The
  // tensorflow backend may still be computing on a GPU when the op returns: there the bench reads
  // the results back, which waits for them.
  const readBack = info.name === 'tensorflow';
  const results: CaseResult[] = [];
  for (const c of CASES) {
    if (only && !only.includes(c.id)) continue;
    seed(231);
    let env: ReturnType<typeof c.setup> | undefined;
    try {
      env = c.setup(tf, (shape) => randn(shape));
      const setupEnv = env;
      const t = time(() => {
        const outs = setupEnv.run();
        if (readBack) for (const o of outs) o.dataSync();
        tf.dispose(outs);
      }, opts);
      results.push({ id: c.id, ...t, gflops: c.flops === null ? null : c.flops / (t.ms * 1e6) });
    } catch (e) {
      results.push({ id: c.id, error: String((e as Error)?.message ?? e).split('\n')[0] });
    } finally {
      env?.dispose();
    }
  }
  const describe =
    config === 'wasm-stock' ? 'backend: wasm, stock kernels (no ts231n fixes), 1 thread' : describeBackend(info);
  const report: WorkerReport = { config, backend: info.name, threads, describe, readBack, results };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(
      `bench worker (${values.config ?? 'auto'}): ${String((e as Error)?.message ?? e).split('\n')[0]}\n`,
    );
    process.exit(1);
  },
);
