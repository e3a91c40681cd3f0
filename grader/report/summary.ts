/** Summary over the batch: count, mean, median, min, max and a histogram of totals (10 bins of the maximum). */
import type { StudentResult } from '../types';
import { round2 } from '../score';

export interface Summary {
  assignment: string;
  students: number;
  invalid: number;
  maxTotal: number;
  mean: number;
  median: number;
  min: number;
  max: number;
  histogram: Array<{ from: number; to: number; count: number }>;
  configuration: string;
}

export function summarize(assignment: string, results: StudentResult[], configuration: string): Summary {
  const totals = results.map((r) => r.total).sort((a, b) => a - b);
  const maxTotal = results[0]?.maxTotal ?? 0;
  const n = totals.length;
  const median = n === 0 ? 0 : n % 2 ? totals[(n - 1) / 2] : (totals[n / 2 - 1] + totals[n / 2]) / 2;
  const bins = 10;
  const histogram = Array.from({ length: bins }, (_, b) => ({
    from: round2((b * maxTotal) / bins),
    to: round2(((b + 1) * maxTotal) / bins),
    count: 0,
  }));
  for (const t of totals) histogram[Math.min(bins - 1, Math.floor((t / (maxTotal || 1)) * bins))].count++;
  return {
    assignment,
    students: n,
    invalid: results.filter((r) => r.invalid).length,
    maxTotal,
    mean: n ? round2(totals.reduce((a, b) => a + b, 0) / n) : 0,
    median: round2(median),
    min: n ? totals[0] : 0,
    max: n ? totals[n - 1] : 0,
    histogram,
    configuration,
  };
}

export function summaryText(s: Summary): string {
  const width = Math.max(1, ...s.histogram.map((h) => h.count));
  const lines = [
    `${s.assignment}: ${s.students} submission${s.students === 1 ? '' : 's'} graded (${s.invalid} invalid) — ${s.configuration}`,
    `mean ${s.mean} / ${s.maxTotal}, median ${s.median}, min ${s.min}, max ${s.max}`,
    ...s.histogram.map(
      (h) =>
        `${String(h.from).padStart(6)}–${String(h.to).padEnd(6)} ${'#'.repeat(Math.round((h.count / width) * 30))} ${h.count}`,
    ),
  ];
  return lines.join('\n') + '\n';
}
