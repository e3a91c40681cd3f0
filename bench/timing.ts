/** Timing shared by the tfjs worker (numpy_bench.py does the same in Python). */

export interface Timing {
  /** Median wall time of one run, ms. */
  ms: number;
  /** Fastest run (wall), ms. */
  minMs: number;
  /** Median CPU time of one run (all threads of the process), ms: unlike wall time, it does not
   * grow when other processes share the cores. */
  cpuMs: number;
  reps: number;
}

export interface TimingOptions {
  /** Untimed runs first (JIT, XNNPACK weight packing, allocator warm-up)… */
  warmup: number;
  /** …and untimed runs until they used this much CPU time (CPU, not wall: a loaded machine must
   * not cut the warm-up short): V8 optimises a training step of ~200 small ops only after some
   * dozens of runs (the FC-net step, medians of blocks of 30 runs: 13.4, 7.6, then 4.0–5.4 ms
   * CPU), and a training loop runs thousands. Default 0. */
  warmupMs?: number;
  /** At most this many timed runs… */
  maxReps: number;
  /** …and stop early once this much time was spent timing (at least one run). */
  budgetMs: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};

export function time(run: () => void, opts: TimingOptions): Timing {
  const warmStart = cpuNow();
  for (let i = 0; i < opts.warmup || cpuNow() - warmStart < (opts.warmupMs ?? 0); i++) {
    const w0 = performance.now();
    const c0 = cpuNow();
    run();
    const once = performance.now() - w0;
    // A run slower than the whole budget (stock wasm's transposed matMul takes seconds): its
    // first-run overhead is noise, so it is the measurement.
    if (once > opts.budgetMs) return { ms: once, minMs: once, cpuMs: cpuNow() - c0, reps: 1 };
  }
  const walls: number[] = [];
  const cpus: number[] = [];
  const start = performance.now();
  while (walls.length < opts.maxReps && (walls.length === 0 || performance.now() - start < opts.budgetMs)) {
    const w0 = performance.now();
    const c0 = cpuNow();
    run();
    walls.push(performance.now() - w0);
    cpus.push(cpuNow() - c0);
  }
  return { ms: median(walls), minMs: Math.min(...walls), cpuMs: median(cpus), reps: walls.length };
}
