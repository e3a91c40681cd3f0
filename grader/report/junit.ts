/** JUnit XML for CI: one testsuite per student, one testcase per item; lost points are failures. */
import type { StudentResult } from '../types';

export function xmlEscape(s: string): string {
  return s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');
}

export function junitXml(assignment: string, results: StudentResult[]): string {
  const suites = [...results]
    .sort((a, b) => (a.student < b.student ? -1 : 1))
    .map((r) => {
      const cases = r.items.map((i) => {
        const name = xmlEscape(`${i.id} (${i.points}/${i.maxPoints})`);
        const body = i.pendingManual
          ? '<skipped message="graded by hand"/>'
          : i.points < i.maxPoints
            ? `<failure message="${xmlEscape(i.reason || 'points lost')}"/>`
            : '';
        return `    <testcase classname="${xmlEscape(`${assignment}.${r.student}`)}" name="${name}">${body}</testcase>`;
      });
      const failures = r.items.filter((i) => !i.pendingManual && i.points < i.maxPoints).length;
      const skipped = r.items.filter((i) => i.pendingManual).length;
      return `  <testsuite name="${xmlEscape(r.student)}" tests="${r.items.length}" failures="${failures}" skipped="${skipped}" time="${r.wallSeconds.toFixed(1)}">\n${cases.join('\n')}\n  </testsuite>`;
    });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(assignment)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
