/**
 * `gradebook.csv`: a header, a `(max points)` row, then one row per student — `student`, `status`
 * (graded / invalid / failed), one column per spec item (empty for items graded by hand), `total`.
 * `canvas.csv` (`--format canvas`): the columns Canvas's gradebook import reads, one assignment
 * column with the total and a `Points Possible` row.
 */
import type { Spec, StudentResult } from '../types';

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (leading = + - @, or a tab or carriage
 * return before one) gets a leading apostrophe, as OWASP's CSV-injection advice says; numbers stay numbers.
 */
export function csvCell(v: string | number): string {
  const s = String(v);
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A student the grader itself failed on (a bug or a machine problem): a row with status `failed`. */
export interface FailedStudent {
  student: string;
  error: string;
}

const byName = <T extends { student: string }>(a: T, b: T) =>
  a.student < b.student ? -1 : a.student > b.student ? 1 : 0;

export function gradebookCsv(spec: Spec, results: StudentResult[], failed: FailedStudent[] = []): string {
  const items = spec.items.map((i) => i.id);
  const max = spec.items.filter((i) => i.kind !== 'manual').reduce((s, i) => s + i.points, 0);
  const rows = [
    ['student', 'status', ...items, 'total'].map(csvCell).join(','),
    ['(max points)', '', ...spec.items.map((i) => i.points), Math.round(max * 100) / 100].map(csvCell).join(','),
  ];
  type Row = { student: string; cells: Array<string | number> };
  const all: Row[] = [
    ...results.map((r) => {
      const got = new Map(r.items.map((i) => [i.id, i]));
      return {
        student: r.student,
        cells: [
          r.student,
          r.invalid ? 'invalid' : 'graded',
          ...items.map((id) => (got.get(id)?.pendingManual ? '' : (got.get(id)?.points ?? 0))),
          r.total,
        ],
      };
    }),
    ...failed
      .filter((f) => !results.some((r) => r.student === f.student))
      .map((f) => ({ student: f.student, cells: [f.student, 'failed', ...items.map(() => ''), ''] })),
  ];
  for (const row of all.sort(byName)) rows.push(row.cells.map(csvCell).join(','));
  return rows.join('\n') + '\n';
}

/**
 * Canvas's gradebook import: `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per
 * assignment named `<title>`, and a `Points Possible` row first. The grader knows each student by
 * the submission's name, which goes in `SIS Login ID` (name submissions by login to import directly).
 */
export function canvasCsv(spec: Spec, results: StudentResult[]): string {
  const max = spec.items.filter((i) => i.kind !== 'manual').reduce((s, i) => s + i.points, 0);
  const rows = [
    ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', spec.title].map(csvCell).join(','),
    ['Points Possible', '', '', '', '', Math.round(max * 100) / 100].map(csvCell).join(','),
  ];
  for (const r of [...results].sort(byName))
    rows.push([r.student, '', '', r.student, '', r.total].map(csvCell).join(','));
  return rows.join('\n') + '\n';
}
