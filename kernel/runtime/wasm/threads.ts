/**
 * Starting the wasm backend, optionally multi-threaded under Node.
 *
 * tfjs-backend-wasm switches threads off under Node (tfjs issue #3830): its pthread workers are
 * created from Blob URLs, which Node's worker_threads cannot load. With `threads > 1` this
 * module, only while the backend initialises:
 *  1. sets the WASM_HAS_MULTITHREAD_SUPPORT flag, so the threaded-SIMD binary is chosen;
 *  2. answers the worker script's Blob URL with ./threadWorker.js, a file that loads the
 *     package's own worker code and points it at the module script the package ships;
 *  3. makes `os.cpus()` report at least 2·threads cores, because the C++ side caps the XNNPACK
 *     pool at half the logical cores (assuming hyper-threading), i.e. at 1 on a 2-core machine.
 * Afterwards it unreferences the pthread workers: they wait on a futex forever, and a referenced
 * worker would keep Node from exiting.
 *
 * It also removes the `uncaughtException` / `unhandledRejection` listeners that the Emscripten
 * glue installs (they rethrow, so any later uncaught error would print one megabyte-long line
 * of minified wasm glue instead of the error).
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

interface PThreadWorker {
  unref(): void;
}
interface EmscriptenModule {
  PThread?: { runningWorkers: PThreadWorker[]; unusedWorkers: PThreadWorker[] };
}

export interface WasmStart {
  simd: boolean;
  threads: number;
  /** Why fewer threads run than were asked for, when that happens. */
  note?: string;
}

const INIT_TIMEOUT_MS = 60_000;
const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

type Listener = (...args: unknown[]) => void;
const listeners = (e: string): Listener[] => process.listeners(e as 'uncaughtException') as unknown as Listener[];

function listenerSnapshot(): Map<string, Listener[]> {
  return new Map(EVENTS.map((e) => [e, [...listeners(e)]]));
}

/** Remove listeners the Emscripten glue added since `before` (recognised by their body). */
function dropEmscriptenListeners(before: Map<string, Listener[]>): void {
  for (const e of EVENTS) {
    for (const l of listeners(e)) {
      if (before.get(e)!.includes(l)) continue;
      const src = String(l);
      if (src.includes('ExitStatus') || /throw\s+reason/.test(src)) process.removeListener(e, l);
    }
  }
}

/** Start the wasm backend with `threads` XNNPACK threads (1 = the stock single-threaded SIMD build). */
export async function startWasm(threads: number): Promise<WasmStart> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmModule;
  const before = listenerSnapshot();
  const os = require('os') as { cpus: () => unknown[] };
  const restore: Array<() => void> = [];
  if (threads > 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    const createObjectURL = URL.createObjectURL;
    URL.createObjectURL = ((obj: Blob) =>
      obj instanceof Blob && obj.type === 'application/javascript'
        ? path.join(__dirname, 'threadWorker.js')
        : createObjectURL(obj)) as typeof URL.createObjectURL;
    restore.push(() => (URL.createObjectURL = createObjectURL));
    const cpus = os.cpus;
    os.cpus = () => {
      const c = cpus();
      while (c.length < 2 * threads) c.push(c[0]);
      return c;
    };
    restore.push(() => (os.cpus = cpus));
  }
  // While workers load, nothing else may keep the event loop alive: hold it open ourselves.
  const keepAlive = setInterval(() => undefined, 1000);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `the wasm backend did not start within ${INIT_TIMEOUT_MS / 1000} s` +
                (threads > 1 ? ` with TS231N_THREADS=${threads}; unset TS231N_THREADS to run single-threaded` : ''),
            ),
          ),
        INIT_TIMEOUT_MS,
      );
    });
    const ok = await Promise.race([tf.setBackend('wasm'), timeout]);
    if (!ok) throw new Error('the wasm backend did not initialise');
  } finally {
    clearInterval(keepAlive);
    clearTimeout(timer);
    for (const r of restore) r();
    dropEmscriptenListeners(before);
  }
  const module = (tf.backend() as unknown as { wasm: EmscriptenModule }).wasm;
  for (const w of [...(module.PThread?.runningWorkers ?? []), ...(module.PThread?.unusedWorkers ?? [])]) w.unref();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const actual = wasm.getThreadsCount();
  const start: WasmStart = { simd, threads: actual };
  if (threads > 1 && !simd) start.note = 'threads need the SIMD build, which this Node cannot run';
  else if (actual < threads) start.note = `asked for ${threads} threads, XNNPACK runs ${actual} (at most 8)`;
  return start;
}
