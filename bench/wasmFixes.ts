/**
 * Each wasm kernel fix against the stock kernel it replaced, on the benchmark's shapes, in CPU
 * time per call (median of a few; one run when a call takes longer than 2 s):
 *
 *   tsx bench/wasmFixes.ts
 *
 * Numbers for docs/tensor-core.md ("The wasm fixes"). Conv2DBackpropFilter has no stock kernel.
 */
import { tf, useBackend } from '../kernel/runtime/tensor';
import { stockWasmKernel } from '../kernel/runtime/wasm';
import { seed, randn } from '../kernel/runtime/random';
import { median } from './timing';

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};

function cpuMs(run: () => void, reps = 5): number {
  const c0 = cpuNow();
  run();
  const first = cpuNow() - c0;
  if (first > 2000) return first;
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c = cpuNow();
    run();
    ts.push(cpuNow() - c);
  }
  return median(ts);
}

async function main(): Promise<void> {
  await useBackend('wasm');
  seed(231);
  const backend = tf.backend() as tf.KernelBackend & { disposeData(id: tf.DataId): boolean };
  const stock = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) => () => {
    const k = stockWasmKernel(name);
    if (!k) throw new Error(`no stock ${name}`);
    const out = k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    backend.disposeData(out.dataId);
  };
  const fixed = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) => () => {
    const out = tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    out.dispose();
  };
  const rows: Array<[string, number | null, number]> = [];
  const row = (what: string, name: string, inputs: Record<string, tf.Tensor>, attrs: object, hasStock = true) => {
    const s = hasStock ? cpuMs(stock(name, inputs, attrs)) : null;
    const f = cpuMs(fixed(name, inputs, attrs));
    rows.push([what, s, f]);
    process.stderr.write(`${what}: stock ${s === null ? 'missing' : s.toFixed(1)} ms, fixed ${f.toFixed(1)} ms\n`);
  };

  const X = randn([500, 3072]);
  const Y = randn([5000, 3072]);
  row(
    'BatchMatMul X·Yᵀ, 500×3072 · (5000×3072)ᵀ (kNN)',
    tf.BatchMatMul,
    { a: X, b: Y },
    { transposeA: false, transposeB: true },
  );
  const Xm = randn([200, 3072]);
  const dh = randn([200, 100]);
  row(
    'BatchMatMul Xᵀ·dh, (200×3072)ᵀ · 200×100 (MLP dW1)',
    tf.BatchMatMul,
    { a: Xm, b: dh },
    { transposeA: true, transposeB: false },
  );
  const conv = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: [1, 1] };
  const x = randn([50, 32, 32, 3]);
  const w = randn([7, 7, 3, 32]);
  const dy = randn([50, 32, 32, 32]);
  row(
    'Conv2DBackpropInput 50×32×32×32 → 50×32×32×3, 7×7 same',
    tf.Conv2DBackpropInput,
    { dy, filter: w },
    { ...conv, inputShape: [50, 32, 32, 3] },
  );
  row(
    'Conv2DBackpropFilter 50×32×32×3, dy 50×32×32×32, 7×7 same',
    tf.Conv2DBackpropFilter,
    { x, dy },
    { ...conv, filterShape: [7, 7, 3, 32] },
    false,
  );
  const xp = randn([50, 32, 32, 32]);
  const yp = tf.maxPool(xp as tf.Tensor4D, 2, 2, 'valid');
  const dyp = randn([50, 16, 16, 32]);
  row(
    'MaxPoolGrad 2×2 on 50×32×32×32',
    tf.MaxPoolGrad,
    { dy: dyp, input: xp, output: yp },
    { filterSize: 2, strides: 2, pad: 'valid' },
  );

  console.log('| kernel, shapes | stock wasm (ms CPU) | fixed (ms CPU) | speed-up |');
  console.log('|---|---|---|---|');
  for (const [what, s, f] of rows)
    console.log(
      `| ${what} | ${s === null ? 'not registered (throws)' : s.toFixed(1)} | ${f.toFixed(1)} | ${s === null ? '—' : `${(s / f).toFixed(1)}×`} |`,
    );
}

main().catch((e) => {
  console.error(`wasmFixes: ${(e as Error).message.split('\n')[0]}`);
  process.exit(1);
});
