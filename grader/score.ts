/** Score: points per item with a reason for every lost point, from collect + compare. */
import type { ItemResult, NotebookCheck, Reference, RunOutput, Spec, Submission } from './types';
import { collect } from './collect';
import { compare } from './compare';
import { describe } from './value';

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function scoreItems(spec: Spec, sub: Submission, checks: NotebookCheck[], run: RunOutput | null, ref: Reference): ItemResult[] {
  return spec.items.map((item) => {
    const base = { id: item.id, title: item.title, group: item.group, kind: item.kind, maxPoints: item.points };
    if (item.kind === 'manual') return { ...base, points: 0, reason: 'graded by hand (not included in the automatic total)', pendingManual: true };
    const found = collect(spec, item, sub, checks, run, ref);
    const hidden = item.kind === 'hidden';
    const reference = hidden ? ref.hidden[item.id] : ref.records[item.id];
    const expected = hidden ? undefined : item.expect?.kind === 'range' ? `a value in [${item.expect.min}, ${item.expect.max}]` : item.expect?.kind === 'atLeast' ? `at least ${item.expect.fraction} × ${describe(reference)}` : item.expect?.kind === 'equals' ? describe(item.expect.value as never) : describe(reference);
    if (!found.ok) return { ...base, points: 0, reason: found.reason, expected, studentError: found.studentError };
    const c = compare(found.value, reference, item.expect, item.tolerance, item.credit ?? 'all', !hidden);
    const points = round2(item.points * c.fraction);
    return { ...base, points, reason: c.reason, expected, found: describe(found.value) };
  });
}

export function totals(items: ItemResult[]): { total: number; maxTotal: number } {
  const auto = items.filter((i) => !i.pendingManual);
  return { total: round2(auto.reduce((a, i) => a + i.points, 0)), maxTotal: round2(auto.reduce((a, i) => a + i.maxPoints, 0)) };
}
