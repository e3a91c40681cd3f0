/**
 * Backend choice: fallback order and its explanation, forcing a backend, wasm SIMD/threads.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import {
  backendInfo,
  BackendUnavailableError,
  describeBackend,
  ready,
  requestedThreads,
  tf,
  useBackend,
} from '../../../kernel/runtime/tensor';
import { TESTS_DIR } from '../../helpers/paths';

const ROOT = path.resolve(TESTS_DIR, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Run a snippet in a fresh Node process (backend choice happens once per process). */
function runScript(code: string, env: Record<string, string> = {}, timeoutMs = 90_000) {
  const r = spawnSync(TSX, ['-e', code], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('backend choice', () => {
  it('picks the fastest backend that works and says why faster ones were skipped', async () => {
    delete process.env.TS231N_BACKEND;
    const name = await ready();
    const info = backendInfo();
    expect(info.name).toBe(name);
    if (!installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node')) {
      // This machine (and CI): npm dropped both optional packages, so wasm runs.
      expect(name).toBe('wasm');
      expect(info.skipped).toEqual([
        'tensorflow: @tensorflow/tfjs-node-gpu is not installed',
        'tensorflow: @tensorflow/tfjs-node is not installed',
      ]);
    } else {
      expect(name).toBe('tensorflow');
    }
  });

  it('reports SIMD and the thread count for wasm', async () => {
    await useBackend('wasm');
    const info = backendInfo();
    expect(info.name).toBe('wasm');
    expect(info.simd).toBe(true); // Node ≥ 16 runs the SIMD binary
    expect(info.threads).toBe(1); // TS231N_THREADS unset
    const lines = describeBackend(info).split('\n');
    if (info.blas) {
      // OpenBLAS runs the GEMM-shaped kernels (tests/unit/runtime/tensorNative.test.ts), XNNPACK the rest
      expect(lines[0]).toMatch(/^backend: wasm \+ OpenBLAS \d+\.\d+\.\d+ \(\w+\), 1 thread$/);
      expect(lines[1]).toBe(`OpenBLAS: ${info.nativeKernels!.join(', ')}`);
      expect(lines[2]).toBe(`C loops (the same addon): ${info.nativeLoops!.join(', ')}`);
      expect(info.nativeLoops).toEqual(expect.arrayContaining(['Add', 'Multiply', 'Sum', 'Mean']));
      expect(lines[3]).toBe('XNNPACK (SIMD, 1 thread): every other kernel');
    } else {
      expect(lines[0]).toBe('backend: wasm (SIMD, 1 thread)');
      expect(lines[1]).toBe(`OpenBLAS not used: ${info.blasNote}`);
    }
  });

  it('useBackend("cpu") forces the reference backend, and back to wasm', async () => {
    await useBackend('cpu');
    expect(backendInfo()).toEqual({ name: 'cpu', skipped: [] });
    expect(await tf.square(tf.scalar(-3)).data()).toEqual(new Float32Array([9]));
    await useBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('a backend that cannot start is a typed error that says why', async () => {
    if (installed('@tensorflow/tfjs-node')) return; // nothing to show where it is installed
    const err = await useBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect((err as Error).message).toContain('docs/tensor-core.md');
    await expect(useBackend('webgl' as never)).rejects.toThrow(
      'unknown backend "webgl": use one of tensorflow, wasm, cpu',
    );
  });

  it('TS231N_THREADS must be a positive integer', () => {
    const old = process.env.TS231N_THREADS;
    try {
      process.env.TS231N_THREADS = 'two';
      expect(() => requestedThreads()).toThrow('TS231N_THREADS must be a positive integer, got "two"');
      process.env.TS231N_THREADS = '3';
      expect(requestedThreads()).toBe(3);
      delete process.env.TS231N_THREADS;
      expect(requestedThreads()).toBe(1);
    } finally {
      if (old === undefined) delete process.env.TS231N_THREADS;
      else process.env.TS231N_THREADS = old;
    }
  });
});

describe('in a fresh process', () => {
  const probe = `
    const { ready, backendInfo, tf } = require('./kernel/runtime/tensor');
    (async () => {
      await ready();
      const x = tf.tensor4d(Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => Math.sin(i)), [2, 9, 9, 3]);
      const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
      const g = tf.grad((f) => tf.maxPool(tf.conv2d(x, f, 1, 'same'), 2, 2, 'valid').sum())(w);
      const m = tf.matMul(x.reshape([18, 27]), x.reshape([18, 27]), false, true);
      console.log(JSON.stringify({ info: backendInfo(), g: Array.from(await g.data()), m: Array.from(await m.data()) }));
    })();`;

  it('TS231N_BACKEND=cpu forces cpu without the tfjs-node banner', () => {
    const r = runScript(probe, { TS231N_BACKEND: 'cpu' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.info.name).toBe('cpu');
    expect(r.stdout + r.stderr).not.toContain('looks like you are running TensorFlow.js in Node.js');
  });

  it('TS231N_THREADS=2 with OpenBLAS runs 2 OpenBLAS threads and keeps wasm at 1', () => {
    const r = runScript(probe, { TS231N_BACKEND: 'wasm', TS231N_THREADS: '2' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect({ wasm: out.info.threads, blas: out.info.blas?.threads }).toEqual({ wasm: 1, blas: 2 });
  });

  it('TS231N_THREADS=2 without OpenBLAS runs 2 wasm threads, gives the single-thread results, and exits by itself', () => {
    const one = runScript(probe, { TS231N_BACKEND: 'wasm', TS231N_BLAS: 'off' });
    const two = runScript(probe, { TS231N_BACKEND: 'wasm', TS231N_BLAS: 'off', TS231N_THREADS: '2' });
    expect(one.status).toBe(0);
    expect(two.signal).toBeNull(); // not killed by the timeout: the process exited by itself
    expect(two.status).toBe(0);
    const a = JSON.parse(one.stdout.trim().split('\n').pop()!);
    const b = JSON.parse(two.stdout.trim().split('\n').pop()!);
    expect(a.info.threads).toBe(1);
    expect(b.info).toMatchObject({ name: 'wasm', simd: true, threads: 2 });
    const close = (p: number[], q: number[]) =>
      p.every((v, i) => Math.abs(v - q[i]) <= 1e-5 * Math.max(1, Math.abs(v)));
    expect(close(a.g, b.g)).toBe(true);
    expect(close(a.m, b.m)).toBe(true);
  });

  it('an uncaught error prints the error, not the wasm glue', () => {
    const r = runScript(
      `
      const { ready } = require('./kernel/runtime/tensor');
      ready().then(() => { throw new Error('student bug'); });`,
      { TS231N_BACKEND: 'wasm' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('student bug');
    expect(r.stderr.length).toBeLessThan(5000);
  });
});
