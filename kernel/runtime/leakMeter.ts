/**
 * The tensor-leak meter's runtime side (docs/kernel.md, "Tensor-leak meter"): `leakMeter(…)` for
 * cells, and the probe the engine reads after each cell. The engine knows no tf, so this module
 * registers on globalThis how to count tensors and how to recognise one.
 */
import { tf } from './tensor';
import {
  effectiveLeakSettings,
  LEAK_PROBE_KEY,
  LEAK_SETTINGS_KEY,
  leakSettingsFromEnv,
  leakSettingsProblem,
  type LeakMeterSettings,
  type LeakProbe,
} from '../protocol';

export type { LeakMeterSettings };

type Holder = { [LEAK_PROBE_KEY]?: LeakProbe; [LEAK_SETTINGS_KEY]?: Partial<LeakMeterSettings> };
const holder = globalThis as Holder;

/** Bytes of one tensor as tf.memory() counts them (complex64 and string tensors count 0 here). */
const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

holder[LEAK_PROBE_KEY] ??= {
  count() {
    const m = tf.memory();
    // The engine's next id: tensors made after this call have greater ids (tfjs declares it private).
    const next = (tf.engine() as unknown as { nextTensorId?: () => number }).nextTensorId;
    return {
      numTensors: m.numTensors,
      numBytes: m.numBytes,
      mark: typeof next === 'function' ? next.call(tf.engine()) : Number.NEGATIVE_INFINITY,
    };
  },
  tensorOf(value) {
    if (!(value instanceof tf.Tensor) || value.isDisposed) return undefined;
    return { id: value.id, bytes: value.size * (BYTES_PER_ELEMENT[value.dtype] ?? 0) };
  },
};

/**
 * Sets the leak meter for the cells that follow (and for the cell that calls it, which is checked
 * at its end), and returns the settings in force. After each cell the kernel shows one line when
 * the cell left more than `tensors` tensors or `megabytes` MB alive that none of the notebook's
 * top-level names holds. `TS231N_LEAKS` sets the same from the environment; a call here wins.
 *
 *     leakMeter({ off: true })                       // no more warnings
 *     leakMeter({ tensors: 1000, megabytes: 500 })   // warn later
 *     leakMeter()                                    // what is in force
 */
export function leakMeter(options?: Partial<LeakMeterSettings>): LeakMeterSettings {
  const problem = leakSettingsProblem(options);
  if (problem) throw new TypeError(problem);
  if (options) holder[LEAK_SETTINGS_KEY] = { ...holder[LEAK_SETTINGS_KEY], ...options };
  return effectiveLeakSettings(leakSettingsFromEnv().settings, holder[LEAK_SETTINGS_KEY]);
}
