/**
 * OpenBLAS under the wasm backend's GEMM-shaped kernels (see ../wasm/native*.ts).
 *
 * `startOpenBlas(threads)` runs once, while the wasm backend starts:
 *  1. builds ./ts231n_blas.c if it is not built yet (./build.js; `npm run setup` does it first);
 *  2. finds Debian's OpenBLAS (libopenblas0-pthread);
 *  3. picks the core type (./coreTypes.ts) by trying each candidate in a child process (./probe.js):
 *     a wrong core type can crash the process that loads it, so the kit's own process only loads
 *     one that passed. The verdict is cached in build/openblas-verdict.json, keyed by the
 *     library, the addon and the CPU's flags, so later starts spawn nothing;
 *  4. loads it in this process and runs the self-test again (./selfTest.js).
 * A sandboxed process (the grader's children) skips 1–3: a trusted one made the plan for it
 * (`openBlasPlan()`, `useBlasPlan()`).
 * Any failure leaves the kit on XNNPACK, with the reason in `backendInfo().blasNote`.
 * `TS231N_BLAS=off` skips all of it. See docs/tensor-core.md, "Native GEMM".
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { coreTypeCandidates, cpuFlags } from './coreTypes';

/** The addon's exports (ts231n_blas.c): offsets, strides and leading dimensions count floats. */
export interface NativeBlas {
  load(libPath: string, coreType: string, threads: number): { config: string; coreName: string; threads: number };
  setThreads(n: number): void;
  getThreads(): number;
  /** C[i] = alpha·op(A[i])·op(B[i]) + beta·C[i] for `batch` row-major products, `stride*` apart. */
  sgemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Float32Array,
    aOff: number,
    lda: number,
    strideA: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    strideB: number,
    beta: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
    strideC: number,
    batch: number,
  ): void;
  /** NHWC windows of `x` as rows [n·oh·ow, fh·fw·C]; geometry as `windowGeometry` (wasm/nativeConv.ts) makes it. */
  im2col(x: Float32Array, xOff: number, geometry: Int32Array, cols: Float32Array, colsOff: number): void;
  /** The adjoint of im2col: zero the images, then add every column entry back where it came from. */
  col2im(cols: Float32Array, colsOff: number, geometry: Int32Array, x: Float32Array, xOff: number): void;
  /** The max-pool gradient: zero dx, then add each window's dy to the window's first maximum in x. */
  maxPoolGrad(
    x: Float32Array,
    xOff: number,
    dy: Float32Array,
    dyOff: number,
    geometry: Int32Array,
    dx: Float32Array,
    dxOff: number,
  ): void;
  /**
   * out = a op b (op 0 add, 1 sub, 2 mul, 3 div, 5 max, 6 min; 4 greater, into a bool Uint8Array) over a 4-D
   * `shape`; out is contiguous, a and b are read with their own element strides (0 broadcasts an axis).
   */
  binary(
    op: number,
    a: Float32Array,
    aOff: number,
    aStrides: Int32Array,
    b: Float32Array,
    bOff: number,
    bStrides: Int32Array,
    out: Float32Array | Uint8Array,
    outOff: number,
    shape: Int32Array,
  ): void;
  /** out[o, i] = sum (op 0), mean (1) or max (2) over m of x[o, m, i], x viewed as [outer, mid, inner]. */
  reduce(
    op: number,
    x: Float32Array,
    xOff: number,
    outer: number,
    mid: number,
    inner: number,
    out: Float32Array,
    outOff: number,
  ): void;
}

/** What runs the native kernels, for backendInfo(). */
export interface BlasInfo {
  library: 'OpenBLAS';
  /** e.g. "0.3.21" */
  version: string;
  /** The core type in use, e.g. "SkylakeX" (the library's own name for it). */
  coreType: string;
  threads: number;
  /** openblas_get_config(), verbatim. */
  config: string;
}

interface Verdict {
  key: string;
  /** The core type that passed ('' = the library's own choice); absent when none did. */
  coreType?: string;
  /** One line per core type tried. */
  tried: string[];
}

interface BlasState {
  blas: NativeBlas | null;
  info?: BlasInfo;
  /** Why OpenBLAS is not in use (absent when it is). */
  note?: string;
  /** Tests switch the native kernels off and on to compare both paths in one process. */
  enabled: boolean;
  started: boolean;
  /** Chosen by a trusted process for this one (useBlasPlan), instead of steps 1–3. */
  plan?: BlasPlan;
}

/**
 * What loading OpenBLAS needs once steps 1–3 are done: the built addon, the library and the core
 * type that passed the probe. A trusted process (the grader) makes the plan with openBlasPlan()
 * and hands it to a sandboxed child, which may neither spawn the probe nor read the library
 * folder or /proc/cpuinfo (docs/grader.md, "Native code").
 */
export interface BlasPlan {
  /** Real path of ts231n_blas.node. */
  addon: string;
  /** The OpenBLAS library (the addon's `load` accepts only libopenblas* in the system library folders). */
  library: string;
  /** '' for the library's own choice. */
  coreType: string;
}

const KEY = Symbol.for('ts231n.openblas');
const state: BlasState = ((globalThis as Record<symbol, unknown>)[KEY] ??= {
  blas: null,
  enabled: true,
  started: false,
}) as BlasState;

interface BuildModule {
  buildAddon(): { addon?: string; error?: string };
}
const build = require('./build.js') as BuildModule;
const { selfTest, SELF_TEST_TOLERANCE, QUICK_SHAPES } = require('./selfTest.js') as {
  selfTest(blas: NativeBlas, shapes?: unknown[]): number;
  SELF_TEST_TOLERANCE: number;
  QUICK_SHAPES: unknown[];
};

const VERDICT = path.join(__dirname, 'build', 'openblas-verdict.json');
const PROBE_TIMEOUT_MS = 60_000;
const TRIPLETS: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/** The OpenBLAS to load: Debian's pthread build, else whatever the loader finds. */
export function openBlasLibrary(): string | null {
  const triplet = TRIPLETS[process.arch];
  const candidates = triplet
    ? [`/usr/lib/${triplet}/openblas-pthread/libopenblas.so.0`, `/usr/lib/${triplet}/libopenblas.so.0`]
    : [];
  candidates.push('/usr/lib/libopenblas.so.0', '/usr/lib64/libopenblas.so.0');
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

/** What TS231N_BLAS asks for. */
export function blasRequested(): boolean {
  const raw = (process.env.TS231N_BLAS ?? '').toLowerCase();
  if (raw === '' || raw === 'openblas' || raw === 'on') return true;
  if (raw === 'off' || raw === '0' || raw === 'xnnpack') return false;
  throw new Error(`TS231N_BLAS must be "openblas" (the default) or "off", got "${process.env.TS231N_BLAS}"`);
}

function firstLine(s: unknown): string {
  return String((s as Error)?.message ?? s)
    .trim()
    .split('\n')[0];
}

function verdictKey(addon: string, lib: string, flags: Set<string>, candidates: string[]): string {
  const stat = (p: string) => {
    const s = fs.statSync(fs.realpathSync(p));
    return `${fs.realpathSync(p)}:${s.size}:${s.mtimeMs}`;
  };
  const text = [stat(addon), stat(lib), process.arch, [...flags].sort().join(' '), candidates.join(',')].join('\n');
  return crypto.createHash('sha256').update(text).digest('hex');
}

function readVerdict(key: string): Verdict | null {
  try {
    const v = JSON.parse(fs.readFileSync(VERDICT, 'utf8')) as Verdict;
    return v.key === key ? v : null;
  } catch {
    return null;
  }
}

/** Try each candidate in a child process; the first whose self-test passes wins. */
function probe(addon: string, lib: string, candidates: string[], key: string): Verdict {
  const verdict: Verdict = { key, tried: [] };
  for (const core of candidates) {
    const name = core || 'the library default';
    const r = spawnSync(process.execPath, [path.join(__dirname, 'probe.js'), addon, lib, core], {
      encoding: 'utf8',
      timeout: PROBE_TIMEOUT_MS,
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    });
    if (r.error) throw r.error; // cannot spawn at all (e.g. under the permission model): no verdict
    if (r.status !== 0) {
      verdict.tried.push(
        `${name}: the probe died (${r.signal ?? `exit ${r.status}`}: ${firstLine(r.stderr) || 'no message'})`,
      );
      continue;
    }
    try {
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as {
        coreName: string;
        error1: number;
        error2: number;
      };
      const err = Math.max(out.error1, out.error2);
      if (err <= SELF_TEST_TOLERANCE) {
        verdict.coreType = core;
        verdict.tried.push(`${name}: passed (runs ${out.coreName}, error ${err.toExponential(1)})`);
        break;
      }
      verdict.tried.push(`${name}: wrong results (relative error ${err.toExponential(1)})`);
    } catch {
      verdict.tried.push(`${name}: the probe printed no result`);
    }
  }
  try {
    fs.writeFileSync(VERDICT, `${JSON.stringify(verdict, null, 2)}\n`);
  } catch {
    // a read-only checkout: probe again next time
  }
  return verdict;
}

/** Steps 1–3: build the addon, find the library, pick the core type; a plan, or why there is none. */
function choose(): { plan?: BlasPlan; note?: string } {
  if (!blasRequested()) return { note: 'TS231N_BLAS=off' };
  if (process.platform !== 'linux')
    return { note: `the native GEMM is built for Linux only (this is ${process.platform})` };
  const lib = openBlasLibrary();
  if (!lib) return { note: 'OpenBLAS is not installed (apt-get install libopenblas0-pthread, or npm run setup)' };
  const built = build.buildAddon();
  if (!built.addon) return { note: `the OpenBLAS addon is not built: ${built.error}` };
  const flags = cpuFlags();
  const candidates = coreTypeCandidates(flags);
  const key = verdictKey(built.addon, lib, flags, candidates);
  let verdict = readVerdict(key);
  if (!verdict) {
    try {
      verdict = probe(built.addon, lib, candidates, key);
    } catch (e) {
      return {
        note: `no cached core-type verdict, and the probe cannot run here (${firstLine(e)}); run npm run setup`,
      };
    }
  }
  if (verdict.coreType === undefined)
    return { note: `no OpenBLAS core type passed the self-test: ${verdict.tried.join('; ')}` };
  return { plan: { addon: fs.realpathSync(built.addon), library: lib, coreType: verdict.coreType } };
}

/**
 * The plan a trusted process hands to a sandboxed one (see BlasPlan), or why OpenBLAS cannot be
 * used here. Builds the addon and runs the probe when they are not cached; loads nothing.
 */
export function openBlasPlan(): { plan?: BlasPlan; note?: string } {
  try {
    return choose();
  } catch (e) {
    return { note: `OpenBLAS could not be prepared: ${firstLine(e)}` };
  }
}

/** Load OpenBLAS by `plan` instead of finding it; only before the backend starts (then it throws). */
export function useBlasPlan(plan: BlasPlan): void {
  if (state.started) throw new Error('useBlasPlan: OpenBLAS has already started in this process');
  state.plan = { ...plan };
}

/** Step 4: load the plan's library in this process and test it; on any failure, say why and leave `blas` null. */
function start(threads: number): void {
  if (!blasRequested()) return void (state.note = 'TS231N_BLAS=off');
  const chosen = state.plan ? { plan: state.plan } : choose();
  if (!chosen.plan) return void (state.note = chosen.note);
  const { addon, library, coreType } = chosen.plan;
  const blas = require(addon) as NativeBlas;
  const loaded = blas.load(library, coreType, threads);
  const err = selfTest(blas, QUICK_SHAPES);
  if (!(err <= SELF_TEST_TOLERANCE)) {
    return void (state.note = `OpenBLAS ${loaded.coreName} failed the in-process self-test (error ${err}); using XNNPACK`);
  }
  const version = /OpenBLAS\s+(\S+)/.exec(loaded.config)?.[1] ?? 'unknown';
  state.blas = blas;
  state.info = {
    library: 'OpenBLAS',
    version,
    coreType: loaded.coreName,
    threads: blas.getThreads(),
    config: loaded.config,
  };
}

/** Load OpenBLAS once per process (later calls only report). Never throws: failures become `note`. */
export function startOpenBlas(threads: number): { info?: BlasInfo; note?: string } {
  if (!state.started) {
    state.started = true;
    try {
      start(threads);
    } catch (e) {
      state.blas = null;
      state.note = `OpenBLAS could not start: ${firstLine(e)}`;
    }
  }
  return { info: state.info, note: state.note };
}

/** The addon when the native kernels should run now, else null (then they defer to XNNPACK). */
export function activeBlas(): NativeBlas | null {
  return state.enabled ? state.blas : null;
}

/** Switch the native kernels off (XNNPACK) or back on; returns the previous setting. For tests and benchmarks. */
export function setNativeGemm(on: boolean): boolean {
  const was = state.enabled;
  state.enabled = on;
  return was;
}

/** What backendInfo() reports: the library when it runs, else why not. */
export function blasStatus(): { info?: BlasInfo; note?: string } {
  if (state.info && state.blas) return { info: { ...state.info, threads: state.blas.getThreads() } };
  return { note: state.note };
}
