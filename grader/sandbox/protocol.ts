/**
 * Messages between the grader and its child process (grader/sandbox/child.ts).
 * The child tags each message with a nonce it received in its environment and removed before
 * any submission code ran, so submission code cannot forge messages with `process.send`.
 */
import type { Encoded, StudentError } from '../types';
import type { BlasPlan } from '../../kernel/runtime/blas/openblas';
import type { CacheStats, ConversionCacheConfig } from './conversionCache';

export type Task =
  | { kind: 'notebook'; name: string; path: string }
  | { kind: 'hidden'; name: string; id: string; file: string; seed: number };

export interface ChildConfig {
  /** `sandbox`: submission code, hardened; `trusted`: the reference solution. */
  mode: 'sandbox' | 'trusted';
  repoRoot: string;
  /** The folder laid out like the assignment (the submission copy or the solution tree). */
  assignmentRoot: string;
  /** The run's scratch root (the workspace holding the links to kernel/, datasets/, node_modules/). */
  scratch: string;
  tasks: Task[];
  /** Transpiled hidden test files, by file name (sent over IPC: never readable from the sandbox). */
  hiddenCode: Record<string, string>;
  /** Most bytes of cell output kept per notebook. */
  outputCapBytes: number;
  /** Under bubblewrap: a read-only view of the submission, copied to assignmentRoot (the capped tmpfs) first. */
  copyFrom?: string;
  /** Refuse process.dlopen (addons, `.node` files) once the runtime and its own addons have loaded. */
  refuseNativeCode?: boolean;
  /** Which displayed figures to send, and at most how many and how many bytes (the grader checks again). */
  figures: FigureRequest;
  /** OpenBLAS to load, as the grader chose it (the child cannot probe or read the library folder). */
  blas?: BlasPlan;
  /** The compile cache (./conversionCache.ts): written by the reference run, read by submissions. */
  conversions?: ConversionCacheConfig;
}

/** `cells`: notebook → the cell ids whose figures are wanted (a notebook not listed: none); absent: all. */
export interface FigureRequest {
  cells?: Record<string, string[]>;
  maxCount: number;
  maxBytes: number;
}

export type ChildMessage =
  | { t: 'ready' }
  /** blas: the OpenBLAS core type in use, or why none is (only when the config asked for one). */
  | { t: 'backend'; name: string; blas?: { coreType?: string; note?: string } }
  | { t: 'taskStart'; task: string }
  /** index: the cell's position in the notebook (0-based, markdown cells counted), total: the notebook's cell count. */
  | { t: 'cell'; task: string; index: number; total: number }
  | {
      t: 'record';
      task: string;
      id: string;
      value?: Encoded;
      notImplemented?: { fn: string; file: string };
      where: string;
    }
  | { t: 'hiddenValue'; task: string; id: string; value?: Encoded; error?: StudentError }
  /**
   * A figure a cell displayed, as the submission gave it (checked by the grader, grader/figures.ts):
   * `data` is base64 for image/png, the SVG text for image/svg+xml. cell: 1-based, markdown counted.
   */
  | {
      t: 'figure';
      notebook: string;
      cell: number;
      cellId?: string;
      index: number;
      mime: string;
      data: string;
      title?: string;
      width?: number;
      height?: number;
    }
  /** The first pieces of the next figure's data, in order (the figure message carries the last piece). */
  | { t: 'figurePart'; data: string }
  /** The cell cleared its output (clearOutput): the figures it sent so far are gone. */
  | { t: 'figuresCleared'; notebook: string; cell: number }
  /** Figures a cell displayed beyond the child's caps (count), not sent. */
  | { t: 'figuresDropped'; where: string; count: number }
  | { t: 'taskDone'; task: string; status: 'ok' | 'error'; errors: StudentError[]; notes: string[] }
  | { t: 'exitCalled'; code: number; where: string }
  /** Where the child's time went (ms per phase, and each cell's total), sent before a normal exit. */
  | {
      t: 'profile';
      phases: Record<string, number>;
      cells: Array<[string, number]>;
      cpuMs?: number;
      conversions?: CacheStats;
    }
  | { t: 'fatal'; message: string };

export type ParentMessage = { t: 'config'; config: ChildConfig };
