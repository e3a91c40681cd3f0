/**
 * `npm run bench` stays runnable: the numpy twins compute what the tfjs cases compute (checked
 * against direct loops), and a quick run of two cases prints the table and writes a results file
 * with timings and ratios.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CASES } from '../../../bench/cases';
import { ready, tf } from '../../../kernel/runtime/tensor';
import { randn, seed } from '../../../kernel/runtime/random';
import { TESTS_DIR } from '../../helpers/paths';

const ROOT = path.resolve(TESTS_DIR, '..');
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe('npm run bench', () => {
  it('has the cases of the course, with FLOP counts where they are compute bound', () => {
    expect(CASES.map((c) => c.id)).toEqual([
      'matmul',
      'knn',
      'conv_fwd',
      'conv_fwd_bwd',
      'mlp_step',
      'maxpool_fwd_bwd',
      'minibatch',
      'fc_step',
      'convnet_cifar',
      'convnet_mnist',
      'mlp_step_autodiff',
      'fc_step_autodiff',
    ]);
    expect(CASES.find((c) => c.id === 'matmul')!.flops).toBe(2 * 1024 ** 3);
    expect(CASES.find((c) => c.id === 'conv_fwd_bwd')!.flops).toBe(3 * CASES.find((c) => c.id === 'conv_fwd')!.flops!);
  });

  (hasNumpy ? it : it.skip)(
    'the numpy twins equal direct loops (conv, max-pool, kNN) and finite differences (batchnorm, softmax)',
    () => {
      const r = spawnSync('python3', [path.join(ROOT, 'bench/numpy_bench.py'), '--selftest'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('ok');
    },
  );

  it('a quick run of two cases prints ms, GFLOP/s and ratios and writes the results file', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-bench-')), 'results.json');
    const r = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'bench/index.ts', '--quick', '--cases', 'matmul,maxpool_fwd_bwd', '--json', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 110_000,
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/matMul 1024×1024/);
    const res = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(res.quick).toBe(true);
    const active = res.configs[0];
    expect(['tensorflow', 'wasm', 'cpu']).toContain(active.backend); // whatever ready() picks
    expect(active.results.map((x: { id: string }) => x.id)).toEqual(['matmul', 'maxpool_fwd_bwd']);
    for (const x of active.results) {
      expect(x.ms).toBeGreaterThan(0);
      expect(x.cpuMs).toBeGreaterThan(0);
      if (hasNumpy) expect(x.ratio).toBeCloseTo(x.cpuMs / x.numpyMs, 6);
    }
    // GFLOP/s from the same CPU time as the ratio; max-pool has none
    expect(active.results[0].gflops).toBeCloseTo((2 * 1024 ** 3) / (active.results[0].cpuMs * 1e6), 6);
    expect(active.results[1].gflops).toBeNull();
    if (!hasNumpy) expect(res.numpy[0].error).toMatch(/numpy/);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it('without numpy it still runs, says so in one line, and gives no ratios', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ts231n-bench-')), 'results.json');
    // Debian's own python3 has no numpy here; a missing interpreter gives its own line
    for (const [python, message] of [
      ['/usr/bin/python3', /has no numpy/],
      ['/nonexistent/python3', /could not be run/],
    ] as const) {
      if (python === '/usr/bin/python3' && spawnSync(python, ['-c', 'import numpy']).status !== 1) continue;
      const r = spawnSync(
        process.execPath,
        [require.resolve('tsx/cli'), 'bench/index.ts', '--quick', '--cases', 'maxpool_fwd_bwd', '--json', out],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 110_000,
          env: { ...process.env, TS231N_PYTHON: python },
        },
      );
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`numpy \\(1 thread\\): not measured: ${python.replace(/\//g, '\\/')} ${message.source}`),
      );
      const res = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(res.numpy[0].error).toMatch(message);
      expect(res.configs[0].results[0].cpuMs).toBeGreaterThan(0);
      expect(res.configs[0].results[0].ratio).toBeUndefined();
    }
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it('bad options are one line and exit code 2', () => {
    const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bench/index.ts', '--cases', 'fft'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`bench: unknown case fft: use ${CASES.map((c) => c.id).join(', ')}`);
  });

  it('the training-step rows compute a loss and every gradient (ConvNet at init: loss ≈ ln 10)', async () => {
    await ready();
    seed(3);
    for (const id of ['convnet_mnist', 'fc_step']) {
      const env = CASES.find((c) => c.id === id)!.setup(tf, (s) => randn(s));
      const [loss, ...grads] = env.run();
      if (id === 'convnet_mnist') {
        expect(Math.abs(loss.dataSync()[0] - Math.log(10))).toBeLessThan(0.01);
        expect(grads.map((g) => g.shape)).toEqual([
          [50, 28, 28, 1],
          [7, 7, 1, 32],
          [32],
          [6272, 100],
          [100],
          [100, 10],
          [10],
        ]);
      } else {
        expect(grads).toHaveLength(1 + 5 + 5 + 4 + 4);
      }
      for (const g of grads) expect(g.dataSync().every(Number.isFinite)).toBe(true);
      tf.dispose([loss, ...grads]);
      env.dispose();
    }
  });

  it('the hand-written backward passes (mlp_step, fc_step) give the loss and gradients that autodiff gives', async () => {
    await ready();
    for (const id of ['mlp_step', 'fc_step']) {
      const outs = [id, `${id}_autodiff`].map((name) => {
        seed(4);
        const env = CASES.find((c) => c.id === name)!.setup(tf, (s) => randn(s));
        const values = env.run().map((t) => {
          const v = t.dataSync();
          t.dispose();
          return v;
        });
        env.dispose();
        return values;
      });
      expect(outs[0]).toHaveLength(outs[1].length);
      // relative to each gradient's scale, except where the true gradient is 0 (the bias before a
      // batchnorm: both sides are rounding noise there, ~1e-9)
      outs[1].forEach((ref, k) => {
        let [scale, diff, mine] = [0, 0, 0];
        ref.forEach((r, i) => {
          scale = Math.max(scale, Math.abs(r));
          diff = Math.max(diff, Math.abs(r - outs[0][k][i]));
          mine = Math.max(mine, Math.abs(outs[0][k][i]));
        });
        if (scale > 1e-6) expect(diff / scale).toBeLessThan(1e-5);
        else expect(mine).toBeLessThan(1e-6);
      });
    }
  });
});
