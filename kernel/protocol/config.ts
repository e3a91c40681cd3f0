/**
 * Configuration read from the environment, parsed in one place so that notebooks, data sets and
 * the grader agree on what a setting means. Dependency-free (no tf), so every layer can import it.
 */

/** The values of a boolean environment switch that mean "on" (case-insensitive). */
const TRUTHY = /^(1|true|yes|on)$/i;

/**
 * Quick mode: `TS231N_QUICK` set to 1, true, yes or on. The same code runs on fewer examples and
 * iterations, so tests and the demo stay fast. Notebooks, data-set splits and the grader all ask here.
 */
export function quickMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return TRUTHY.test(env.TS231N_QUICK ?? '');
}
