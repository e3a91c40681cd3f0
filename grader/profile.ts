/**
 * `grade --profile`: where each submission's time went (see RunProfile), and the mean over the
 * batch, as text for stderr.
 */
import type { RunProfile } from './types';

const s = (x: number) => `${x.toFixed(1)} s`;

/** Phases, largest first, with each one's share of the total; then the slowest cells. */
export function formatProfile(title: string, p: RunProfile, wallS: number, slowestCells = 5): string {
  const rows = Object.entries(p.phases).sort((a, b) => b[1] - a[1]);
  const cpu = p.cpuS !== undefined ? `, ${s(p.cpuS)} CPU (user + system) in its sandboxed children` : '';
  const lines = [`profile of ${title} (${s(wallS)} wall in the grader${cpu}):`];
  for (const [k, v] of rows)
    lines.push(`  ${k.padEnd(40)} ${s(v).padStart(8)}  ${wallS > 0 ? `${Math.round((100 * v) / wallS)}%` : ''}`);
  if (p.conversions) {
    const { hits, misses, off } = p.conversions;
    lines.push(
      `  compile cache: ${hits} of ${hits + misses} cells compiled from the cache${off ? ` (then off: ${off})` : ''}`,
    );
  }
  if (p.cells.length)
    lines.push(
      `  slowest cells: ${p.cells
        .slice(0, slowestCells)
        .map(([w, t]) => `${w} ${s(t)}`)
        .join(', ')}`,
    );
  return lines.join('\n') + '\n';
}

/** The mean profile of several runs (phases averaged; cells not kept). */
export function meanProfile(ps: RunProfile[]): RunProfile {
  const phases: Record<string, number> = {};
  for (const p of ps) for (const [k, v] of Object.entries(p.phases)) phases[k] = (phases[k] ?? 0) + v / ps.length;
  const cpu = ps.filter((p) => p.cpuS !== undefined);
  const conv = ps.filter((p) => p.conversions);
  return {
    phases,
    cells: [],
    ...(cpu.length ? { cpuS: cpu.reduce((a, p) => a + p.cpuS!, 0) / cpu.length } : {}),
    // the batch's totals, not means
    ...(conv.length
      ? {
          conversions: {
            hits: conv.reduce((a, p) => a + p.conversions!.hits, 0),
            misses: conv.reduce((a, p) => a + p.conversions!.misses, 0),
          },
        }
      : {}),
  };
}
