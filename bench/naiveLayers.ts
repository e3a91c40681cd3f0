/**
 * `npx tsx bench/naiveLayers.ts [--quick]`
 *
 * Assignment 2's naive conv and max-pool layers (explicit loops over typed arrays, the solution's
 * `cs231n/layers.ts`) against the original assignment's naive Python loops
 * (bench/naiveLoops.py, run in the same invocation) on the notebook's timing shapes; prints the
 * best-of-N milliseconds of both and the speed-up. The target is a speed-up of at least 10×.
 *
 * numpy comes from `python3` on the PATH, or from TS231N_PYTHON. With --quick each side runs once.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { tf, ready, seed, randn } from '../kernel/runtime';
import {
  convForwardNaive,
  convBackwardNaive,
  maxPoolForwardNaive,
  maxPoolBackwardNaive,
} from '../solutions/assignment2/cs231n/layers';

const QUICK = process.argv.includes('--quick');
const ROOT = path.resolve(__dirname, '..');

type Timings = Record<'convForward' | 'convBackward' | 'poolForward' | 'poolBackward', number>;

function bestMs(fn: () => tf.TensorContainer, reps: number): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    tf.dispose(fn());
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function timeTypeScript(reps: number): Timings {
  seed(231);
  const x = randn([100, 3, 31, 31]);
  const w = randn([25, 3, 3, 3]);
  const b = randn([25]);
  const cp = { stride: 2, pad: 1 };
  const [out, cache] = convForwardNaive(x, w, b, cp);
  const dout = randn(out.shape);
  const xp = randn([100, 3, 32, 32]);
  const pp = { poolHeight: 2, poolWidth: 2, stride: 2 };
  const [pooled, poolCache] = maxPoolForwardNaive(xp, pp);
  const dpool = randn(pooled.shape);
  return {
    convForward: bestMs(() => convForwardNaive(x, w, b, cp)[0], reps),
    convBackward: bestMs(() => convBackwardNaive(dout, cache), reps),
    poolForward: bestMs(() => maxPoolForwardNaive(xp, pp)[0], reps),
    poolBackward: bestMs(() => maxPoolBackwardNaive(dpool, poolCache), reps),
  };
}

function timePython(): (Timings & { numpy: string; python: string }) | string {
  const python = process.env.TS231N_PYTHON || 'python3';
  const r = spawnSync(python, [path.join(ROOT, 'bench', 'naiveLoops.py'), ...(QUICK ? ['--quick'] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.error)
    return `${python} could not be run (${r.error.message}); install python3 and numpy, or set TS231N_PYTHON`;
  if (r.status !== 0) return (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).trim();
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

async function main(): Promise<void> {
  const backend = await ready();
  const ts = timeTypeScript(QUICK ? 1 : 5);
  const py = timePython();
  console.log(
    `naive layers, TypeScript (backend ${backend}, node ${process.version}) vs Python loops${typeof py === 'string' ? '' : ` (python ${py.python}, numpy ${py.numpy})`}`,
  );
  for (const k of Object.keys(ts) as Array<keyof Timings>) {
    const line = `${k.padEnd(13)} TypeScript ${ts[k].toFixed(1).padStart(8)} ms`;
    console.log(
      typeof py === 'string'
        ? line
        : `${line}   Python ${py[k].toFixed(0).padStart(7)} ms   speed-up ${(py[k] / ts[k]).toFixed(1)}×`,
    );
  }
  if (typeof py === 'string') console.log(`Python side not measured: ${py}`);
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
