/**
 * The tensor core: one TensorFlow.js instance for the whole kit, on the fastest backend that works.
 *
 * Order of preference: `tensorflow` (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node; both
 * optional dependencies), `wasm` (@tensorflow/tfjs-backend-wasm, SIMD), `cpu` (pure JS, the
 * correctness reference). `TS231N_BACKEND` or `useBackend(name)` forces one.
 *
 * NOTE: minimal foundation version; the wasm kernel fixes land in ./wasm/.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The active backend. */
  name: BackendName;
  /** Why each faster backend was skipped, one line each. */
  skipped: string[];
  simd?: boolean;
  threads?: number;
}

const skipped: string[] = [];
let readyPromise: Promise<BackendName> | null = null;

async function tryTensorflow(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
    } catch {
      skipped.push(`tensorflow: ${pkg} is not installed`);
      continue;
    }
    try {
      require(pkg);
      if (await tf.setBackend('tensorflow')) return true;
      skipped.push(`tensorflow: ${pkg} loaded but the backend did not initialise`);
    } catch (e) {
      skipped.push(`tensorflow: ${pkg} failed to load (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return false;
}

async function tryWasm(): Promise<boolean> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) return true;
    skipped.push('wasm: the backend did not initialise');
  } catch (e) {
    skipped.push(`wasm: ${(e as Error).message.split('\n')[0]}`);
  }
  return false;
}

/** Switch to a backend by name; rejects with a clear message when it cannot start. */
export async function useBackend(name: BackendName): Promise<void> {
  skipped.length = 0;
  const ok = name === 'tensorflow' ? await tryTensorflow() : name === 'wasm' ? await tryWasm() : await tf.setBackend('cpu');
  if (!ok) throw new Error(`backend ${name} could not start: ${skipped.join('; ')}`);
  await tf.ready();
  readyPromise = Promise.resolve(name);
}

async function pickBackend(): Promise<BackendName> {
  const forced = process.env.TS231N_BACKEND as BackendName | undefined;
  if (forced) {
    await useBackend(forced);
    return forced;
  }
  if (await tryTensorflow()) return 'tensorflow';
  if (await tryWasm()) return 'wasm';
  await tf.setBackend('cpu');
  return 'cpu';
}

/** Resolves once the preferred backend is active. Every entry point awaits this once. */
export function ready(): Promise<BackendName> {
  if (!readyPromise) readyPromise = pickBackend().then(async (n) => (await tf.ready(), n));
  return readyPromise;
}

/** Which backend is active and why each faster one was skipped. */
export function backendInfo(): BackendInfo {
  return { name: tf.getBackend() as BackendName, skipped: [...skipped] };
}
