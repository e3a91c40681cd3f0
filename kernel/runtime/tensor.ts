/**
 * The tensor core: one TensorFlow.js instance for the whole kit, on the fastest backend that works.
 *
 * Order of preference: `tensorflow` (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node; both
 * optional dependencies), `wasm` (@tensorflow/tfjs-backend-wasm, SIMD, with the kernel fixes of
 * ./wasm registered), `cpu` (pure JS, the correctness reference). `TS231N_BACKEND` or
 * `useBackend(name)` forces one; `TS231N_THREADS=N` asks for N threads (OpenBLAS when it runs, else wasm; default 1).
 * Under wasm, the GEMM-shaped kernels run on OpenBLAS where it is installed (`TS231N_BLAS=off`:
 * XNNPACK only). See docs/tensor-core.md.
 */
import * as tf from '@tensorflow/tfjs';
import { blasStatus, BlasInfo, startOpenBlas } from './blas/openblas';
import { NATIVE_KERNELS, NATIVE_LOOP_KERNELS, registerWasmFixes } from './wasm';
import { startWasm } from './wasm/threads';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The active backend. */
  name: BackendName;
  /** Why each faster backend was skipped, one line each. */
  skipped: string[];
  /** wasm only: whether the SIMD binary runs. */
  simd?: boolean;
  /** wasm only: XNNPACK threads in use. */
  threads?: number;
  /** wasm only: why fewer threads run than TS231N_THREADS asked for. */
  threadsNote?: string;
  /** wasm only: the BLAS that runs `nativeKernels` (every other kernel runs on XNNPACK / wasm). */
  blas?: BlasInfo;
  /** wasm only, with `blas`: the kernels it runs. */
  nativeKernels?: string[];
  /** wasm only, with `blas`: the small kernels the same addon runs as C loops (elementwise ops, reductions). */
  nativeLoops?: string[];
  /** wasm only: why OpenBLAS is not in use. */
  blasNote?: string;
}

/** A backend that was asked for by name and cannot start. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    readonly reasons: string[],
  ) {
    super(
      `backend ${backend} could not start: ${reasons.join('; ') || 'unknown reason'}` +
        (backend === 'tensorflow' ? ' (see docs/tensor-core.md, "GPU")' : ''),
    );
    this.name = 'BackendUnavailableError';
  }
}

/** State shared by every copy of this module (the engine's and the notebook cells'). */
interface CoreState {
  ready: Promise<BackendName> | null;
  skipped: string[];
  wasm?: { simd: boolean; threads: number; note?: string };
}
const KEY = Symbol.for('ts231n.tensorCore');
const state: CoreState = ((globalThis as Record<symbol, unknown>)[KEY] ??= { ready: null, skipped: [] }) as CoreState;

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/** How many wasm threads TS231N_THREADS asks for (1 when unset). */
export function requestedThreads(): number {
  const raw = process.env.TS231N_THREADS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`TS231N_THREADS must be a positive integer, got "${raw}"`);
  }
  return n;
}

async function tryTensorflow(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
    } catch {
      state.skipped.push(`tensorflow: ${pkg} is not installed`);
      continue;
    }
    try {
      require(pkg);
      if (await tf.setBackend('tensorflow')) return true;
      state.skipped.push(`tensorflow: ${pkg} loaded but the backend did not initialise`);
    } catch (e) {
      state.skipped.push(`tensorflow: ${pkg} failed to load (${firstLine(e)})`);
    }
  }
  return false;
}

async function tryWasm(): Promise<boolean> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmFixes();
    // With OpenBLAS under the GEMM-shaped kernels, TS231N_THREADS goes to OpenBLAS alone: the
    // small ops left to wasm lose more to its thread pool than they gain (docs/tensor-core.md).
    const blas = startOpenBlas(requestedThreads());
    state.wasm = await startWasm(blas.info ? 1 : requestedThreads());
    return true;
  } catch (e) {
    state.skipped.push(`wasm: ${firstLine(e)}`);
    return false;
  }
}

async function tryCpu(): Promise<boolean> {
  if (!(await tf.setBackend('cpu'))) return false;
  // The cpu backend greets Node users with a banner recommending tfjs-node; backendInfo() says it.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return true;
}

/** Switch to a backend by name; rejects with a BackendUnavailableError when it cannot start. */
export async function useBackend(name: BackendName): Promise<void> {
  if (!BACKENDS.includes(name)) {
    throw new Error(`unknown backend "${name}": use one of ${BACKENDS.join(', ')}`);
  }
  state.skipped = [];
  const ok = name === 'tensorflow' ? await tryTensorflow() : name === 'wasm' ? await tryWasm() : await tryCpu();
  if (!ok) throw new BackendUnavailableError(name, state.skipped);
  await tf.ready();
  state.ready = Promise.resolve(name);
}

async function pickBackend(): Promise<BackendName> {
  const forced = process.env.TS231N_BACKEND;
  if (forced) {
    await useBackend(forced as BackendName);
    return forced as BackendName;
  }
  state.skipped = [];
  if (await tryTensorflow()) return 'tensorflow';
  if (await tryWasm()) return 'wasm';
  if (await tryCpu()) return 'cpu';
  throw new BackendUnavailableError('cpu', state.skipped);
}

/** Resolves once the preferred backend is active. Every entry point awaits this once. */
export function ready(): Promise<BackendName> {
  if (!state.ready) {
    state.ready = pickBackend().then(async (n) => (await tf.ready(), n));
    state.ready.catch(() => (state.ready = null));
  }
  return state.ready;
}

/** Which backend is active, SIMD and threads for wasm, and why each faster one was skipped. */
export function backendInfo(): BackendInfo {
  const name = tf.getBackend() as BackendName;
  const info: BackendInfo = { name, skipped: [...state.skipped] };
  if (name === 'wasm' && state.wasm) {
    info.simd = state.wasm.simd;
    info.threads = state.wasm.threads;
    if (state.wasm.note) info.threadsNote = state.wasm.note;
    const blas = blasStatus();
    if (blas.info) {
      info.blas = blas.info;
      info.nativeKernels = [...NATIVE_KERNELS];
      info.nativeLoops = [...NATIVE_LOOP_KERNELS];
    } else if (blas.note) info.blasNote = blas.note;
  }
  return info;
}

/**
 * backendInfo() as the lines a person reads, e.g. "backend: wasm (SIMD, 1 thread)", or with
 * OpenBLAS "backend: wasm + OpenBLAS 0.3.21 (SkylakeX), 1 thread" and a line per path.
 */
export function describeBackend(info: BackendInfo = backendInfo()): string {
  const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
  const wasm =
    info.name === 'wasm' && info.threads !== undefined
      ? `${info.simd ? 'SIMD' : 'no SIMD'}, ${plural(info.threads)}`
      : '';
  const lines: string[] = [];
  if (info.blas) {
    lines.push(
      `backend: wasm + ${info.blas.library} ${info.blas.version} (${info.blas.coreType}), ${plural(info.blas.threads)}`,
    );
    lines.push(`${info.blas.library}: ${(info.nativeKernels ?? []).join(', ')}`);
    if (info.nativeLoops?.length) lines.push(`C loops (the same addon): ${info.nativeLoops.join(', ')}`);
    lines.push(`XNNPACK (${wasm}): every other kernel`);
  } else {
    lines.push(`backend: ${info.name}${wasm ? ` (${wasm})` : ''}`);
    if (info.blasNote) lines.push(`OpenBLAS not used: ${info.blasNote}`);
  }
  if (info.threadsNote) lines.push(`threads: ${info.threadsNote}`);
  for (const s of info.skipped) lines.push(`skipped ${s}`);
  return lines.join('\n');
}
