/** `gradebook.csv`: one row per student — `student`, one column per spec item, `total`. */
import type { Spec, StudentResult } from '../types';

function cell(v: string | number): string {
  const s = String(v);
  // Quote when needed; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function gradebookCsv(spec: Spec, results: StudentResult[]): string {
  const items = spec.items.map((i) => i.id);
  const rows = [['student', ...items, 'total'].map(cell).join(',')];
  for (const r of [...results].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0))) {
    const byId = new Map(r.items.map((i) => [i.id, i]));
    rows.push([r.student, ...items.map((id) => (byId.get(id)?.pendingManual ? '' : byId.get(id)?.points ?? 0)), r.total].map(cell).join(','));
  }
  return rows.join('\n') + '\n';
}
