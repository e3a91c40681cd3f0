/** Score: points per item with a reason for every lost point, from collect + compare. */
import type { ItemResult, NotebookCheck, Reference, RunOutput, Spec, Submission } from './types';
import { collect } from './collect';
import { compare } from './compare';
import { describe, numeric } from './value';
import { diagnoseValue } from './diagnose';
import { formatNumber } from '../kernel/protocol';

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The reference's scalar value, for thresholds that are a fraction of it. */
function scalar(v: unknown): number | null {
  const n = numeric(v as never);
  return n && 'full' in n && n.full.data.length === 1 ? n.full.data[0] : null;
}

/** What the item expects, in numbers (`at least 0.5715 (90% of the reference's 0.635)`), never a formula. */
function expectedText(item: Spec['items'][number], reference: unknown): string | undefined {
  const e = item.expect;
  if (e?.kind === 'range') return `a value in [${formatNumber(e.min)}, ${formatNumber(e.max)}]`;
  if (e?.kind === 'atLeast') {
    const r = scalar(reference);
    return r === null
      ? `at least ${Math.round(e.fraction * 100)}% of the reference's value`
      : `at least ${formatNumber(e.fraction * r)} (${Math.round(e.fraction * 100)}% of the reference's ${formatNumber(r)})`;
  }
  if (e?.kind === 'equals') return describe(e.value as never);
  return describe(reference as never);
}

export function scoreItems(
  spec: Spec,
  sub: Submission,
  checks: NotebookCheck[],
  run: RunOutput | null,
  ref: Reference,
): ItemResult[] {
  const items: ItemResult[] = spec.items.map((item) => {
    const base = { id: item.id, title: item.title, group: item.group, kind: item.kind, maxPoints: item.points };
    if (item.kind === 'manual')
      return {
        ...base,
        points: 0,
        reason: 'graded by hand (not included in the automatic total)',
        pendingManual: true,
      };
    const found = collect(spec, item, sub, checks, run, ref);
    const hidden = item.kind === 'hidden';
    const reference = hidden ? ref.hidden[item.id] : ref.records[item.id];
    const expected = hidden ? undefined : expectedText(item, reference);
    if (!found.ok) return { ...base, points: 0, reason: found.reason, expected, studentError: found.studentError };
    const c = compare(found.value, reference, item.expect, item.tolerance, item.credit ?? 'all', !hidden);
    const points = round2(item.points * c.fraction);
    const diagnosis = c.fraction < 1 && /grad|loss/.test(item.id) ? diagnoseValue(found.value, reference) : null;
    return {
      ...base,
      points,
      reason: c.reason,
      expected,
      found: describe(found.value),
      ...(diagnosis ? { diagnosis } : {}),
    };
  });
  // A value computed from another graded value that is also off: say so, so the student fixes the cause first.
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const item of spec.items) {
    const r = byId.get(item.id)!;
    if (r.pendingManual || r.points >= r.maxPoints) continue;
    const off = (item.dependsOn ?? []).filter((d) => {
      const dr = byId.get(d);
      return dr && !dr.pendingManual && dr.points < dr.maxPoints;
    });
    if (off.length)
      r.note = `this value depends on ${off.join(' and ')}, which ${off.length > 1 ? 'also lose' : 'also loses'} points: fix ${off.length > 1 ? 'those' : 'that'} first; this one may then match the reference`;
  }
  return items;
}

export function totals(items: ItemResult[]): { total: number; maxTotal: number } {
  const auto = items.filter((i) => !i.pendingManual);
  return {
    total: round2(auto.reduce((a, i) => a + i.points, 0)),
    maxTotal: round2(auto.reduce((a, i) => a + i.maxPoints, 0)),
  };
}
