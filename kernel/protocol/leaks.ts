/**
 * The tensor-leak meter's contract (docs/kernel.md, "Tensor-leak meter"): its settings, how
 * `TS231N_LEAKS` spells them, and the probe through which the engine, which knows no tf, asks the
 * runtime about tensors. Settings come from three places, later ones winning: the defaults, the
 * environment, and the runtime's `leakMeter(…)` call in a cell.
 */

export interface LeakMeterSettings {
  /** Show nothing. */
  off: boolean;
  /** Warn when a cell left more tensors than this alive. */
  tensors: number;
  /** … or more megabytes (10⁶ bytes, as tf.memory() counts them) than this. */
  megabytes: number;
}

export const LEAK_METER_DEFAULTS: Readonly<LeakMeterSettings> = Object.freeze({
  off: false,
  tensors: 100,
  megabytes: 50,
});

/** tf.memory()'s counts, and a mark: every tensor made after it has a greater id. */
export interface TensorCount {
  numTensors: number;
  numBytes: number;
  mark: number;
}

/** What the runtime registers under LEAK_PROBE_KEY once TensorFlow.js is loaded. */
export interface LeakProbe {
  count(): TensorCount;
  /** A live (not disposed) tf.Tensor's id and bytes as tf.memory() counts them; undefined for anything else. */
  tensorOf(value: unknown): { id: number; bytes: number } | undefined;
}

/** The probe (`LeakProbe`), registered by the runtime's leakMeter module. */
export const LEAK_PROBE_KEY: unique symbol = Symbol.for('ts231n.leakProbe');
/** The settings a cell chose with `leakMeter(…)` (`Partial<LeakMeterSettings>`). */
export const LEAK_SETTINGS_KEY: unique symbol = Symbol.for('ts231n.leakSettings');

const OFF = /^(0|off|false|no)$/i;
const ON = /^(1|on|true|yes)$/i;

/**
 * `TS231N_LEAKS`: `off` (also 0, false, no), `on`, or thresholds `tensors=N,mb=M` (either one).
 * A value it cannot read gives `error`, a one-line explanation, and no settings.
 */
export function leakSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): {
  settings: Partial<LeakMeterSettings>;
  error?: string;
} {
  const raw = (env.TS231N_LEAKS ?? '').trim();
  if (!raw) return { settings: {} };
  if (OFF.test(raw)) return { settings: { off: true } };
  if (ON.test(raw)) return { settings: { off: false } };
  const settings: Partial<LeakMeterSettings> = { off: false };
  for (const part of raw.split(',')) {
    const m = /^\s*(tensors|mb)\s*=\s*(\d+(?:\.\d+)?)\s*$/i.exec(part);
    if (!m)
      return {
        settings: {},
        error: `TS231N_LEAKS="${raw}" is not understood: use off, on, or thresholds such as tensors=200,mb=100`,
      };
    if (m[1].toLowerCase() === 'tensors') settings.tensors = Number(m[2]);
    else settings.megabytes = Number(m[2]);
  }
  return { settings };
}

/** Checks a `leakMeter(…)` argument; the message names the field and says what it takes. */
export function leakSettingsProblem(options: unknown): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return `leakMeter(options) takes an object such as { off: true } or { tensors: 500, megabytes: 200 }, got ${String(options)}`;
  for (const [key, value] of Object.entries(options)) {
    if (key === 'off') {
      if (typeof value !== 'boolean') return `leakMeter({ off }) takes true or false, got ${String(value)}`;
    } else if (key === 'tensors' || key === 'megabytes') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        return `leakMeter({ ${key} }) takes a number ≥ 0, got ${String(value)}`;
    } else {
      return `leakMeter has no option "${key}": use off, tensors or megabytes`;
    }
  }
  return undefined;
}

/** The settings in force: defaults, then the environment, then what a cell chose. */
export function effectiveLeakSettings(
  fromEnv: Partial<LeakMeterSettings>,
  fromCell: Partial<LeakMeterSettings> | undefined,
): LeakMeterSettings {
  return { ...LEAK_METER_DEFAULTS, ...fromEnv, ...(fromCell ?? {}) };
}
