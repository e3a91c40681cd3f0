/**
 * The tensor-leak meter (docs/kernel.md, "Tensor-leak meter"). TensorFlow.js tensors are not
 * garbage-collected on the wasm and native backends, so a loop that forgets `tf.tidy` or
 * `dispose()` fills memory until the kernel dies. After each cell the engine counts:
 *
 *   left alive = (tf.memory() after − before)  −  tensors made by this cell that a top-level name holds
 *
 * and writes one line to the cell's stderr when it is above the thresholds. Only tensors with an id
 * above the mark taken before the cell are subtracted, so a name that holds an older tensor never
 * hides new growth. What a name holds is found by a bounded walk of its value (arrays, plain and
 * class objects, Maps and Sets, MAX_DEPTH levels deep; no getters run, Proxies are not entered).
 * Tensors that only a closure, a private `#field`, a module's own variable or a deeper level holds
 * are counted as left alive. The count is net: tensors of earlier cells that this cell disposed
 * make up for as many it left.
 */
import * as util from 'util';
import { mainGlobal, mainProcess } from './mainContext';
import {
  effectiveLeakSettings,
  LEAK_PROBE_KEY,
  LEAK_SETTINGS_KEY,
  leakSettingsFromEnv,
  type LeakMeterSettings,
  type LeakProbe,
  type TensorCount,
} from '../protocol';

/** `solver.model.params.W1`: a name, then three levels down to the tensor. */
const MAX_DEPTH = 4;
/** Values visited per walk at most (a cell's names can hold arrays of a million numbers). */
const MAX_VISITS = 200_000;

export interface LeakReport {
  tensors: number;
  bytes: number;
}

function probe(): LeakProbe | undefined {
  const p = mainGlobal[LEAK_PROBE_KEY] as LeakProbe | undefined;
  return p && typeof p.count === 'function' && typeof p.tensorOf === 'function' ? p : undefined;
}

/** Tensors with an id above `mark` that the values reach, each counted once. */
export function heldTensors(roots: Iterable<unknown>, p: LeakProbe, mark: number): LeakReport {
  const seen = new Set<object>();
  const ids = new Set<number>();
  let bytes = 0;
  let visits = 0;
  const visit = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || seen.has(v) || ++visits > MAX_VISITS) return;
    seen.add(v);
    if (util.types.isProxy(v) || ArrayBuffer.isView(v) || util.types.isAnyArrayBuffer(v)) return;
    const t = p.tensorOf(v);
    if (t) {
      if (t.id > mark && !ids.has(t.id)) {
        ids.add(t.id);
        bytes += t.bytes;
      }
      return;
    }
    if (depth >= MAX_DEPTH) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && visits <= MAX_VISITS; i++) visit(v[i], depth + 1);
    } else if (util.types.isMap(v)) {
      for (const [k, x] of v as Map<unknown, unknown>) {
        visit(k, depth + 1);
        visit(x, depth + 1);
      }
    } else if (util.types.isSet(v)) {
      for (const x of v as Set<unknown>) visit(x, depth + 1);
    } else {
      for (const key of Object.keys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, key);
        if (d && 'value' in d) visit(d.value, depth + 1);
      }
    }
  };
  for (const root of roots) visit(root, 0);
  return { tensors: ids.size, bytes };
}

const grouped = new Intl.NumberFormat('en-US');

function megabytes(bytes: number): string {
  const mb = bytes / 1e6;
  if (mb >= 10) return `${grouped.format(Math.round(mb))} MB`;
  if (mb >= 0.1) return `${mb.toFixed(1)} MB`;
  if (bytes >= 1000) return `${grouped.format(Math.round(bytes / 1e3))} kB`;
  return `${bytes} bytes`;
}

/** The line under a cell that left `r` alive. */
export function leakLine(r: LeakReport): string {
  const n = `${grouped.format(r.tensors)} tensor${r.tensors === 1 ? '' : 's'}`;
  return (
    `⚠ this cell left ${n} (${megabytes(r.bytes)}) alive — wrap the loop in tf.tidy() or dispose() them` +
    ' (leakMeter({ off: true }) hides this line)'
  );
}

export class LeakMeter {
  private readonly env = leakSettingsFromEnv(mainProcess.env);
  private envErrorShown = false;

  /** `enabled: false` (the grader) turns the meter off whatever a cell or the environment says. */
  constructor(private readonly enabled = true) {}

  /** The settings in force now (a cell may have changed them with `leakMeter(…)`). */
  settings(): LeakMeterSettings {
    const fromCell = mainGlobal[LEAK_SETTINGS_KEY] as Partial<LeakMeterSettings> | undefined;
    const s = effectiveLeakSettings(this.env.settings, fromCell);
    return this.enabled ? s : { ...s, off: true };
  }

  /** Before a cell: tf's counts, or undefined while TensorFlow.js is not loaded or the meter is off. */
  start(): TensorCount | undefined {
    if (!this.enabled) return undefined;
    try {
      return probe()?.count();
    } catch {
      return undefined;
    }
  }

  /**
   * After a cell: the line to show, or undefined. `names` gives the values of the notebook's
   * top-level names (read lazily: only growth above the thresholds is looked into).
   */
  finish(before: TensorCount | undefined, names: () => Iterable<unknown>): string | undefined {
    let out: string | undefined;
    if (this.env.error && !this.envErrorShown && this.enabled) {
      this.envErrorShown = true;
      out = `ts231n: ${this.env.error}; the leak meter uses its defaults`;
    }
    const s = this.settings();
    const p = probe();
    if (s.off || !before || !p) return out;
    let after: TensorCount;
    try {
      after = p.count();
    } catch {
      return out;
    }
    const grew = { tensors: after.numTensors - before.numTensors, bytes: after.numBytes - before.numBytes };
    const over = (r: LeakReport) => r.tensors > s.tensors || r.bytes > s.megabytes * 1e6;
    if (!over(grew)) return out;
    let held: LeakReport;
    try {
      held = heldTensors(names(), p, before.mark);
    } catch {
      held = { tensors: 0, bytes: 0 };
    }
    const left = { tensors: Math.max(0, grew.tensors - held.tensors), bytes: Math.max(0, grew.bytes - held.bytes) };
    if (!over(left)) return out;
    return out ? `${out}\n${leakLine(left)}` : leakLine(left);
  }
}
