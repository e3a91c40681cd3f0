/**
 * `<student>/feedback.html`: one self-contained page — per item the points, what was expected and
 * what was found (hidden items never show their expected value), and the student's own error text
 * with its cell or file line.
 */
import { escapeHtml as esc } from '../../kernel/protocol';
import type { StudentResult } from '../types';

export function feedbackHtml(r: StudentResult, assignmentTitle: string): string {
  const rows = r.items
    .map((i) => {
      const cls = i.pendingManual ? 'manual' : i.points >= i.maxPoints ? 'full' : i.points > 0 ? 'partial' : 'zero';
      const expected = i.kind === 'hidden' ? '<em>hidden test: inputs and expected values are not shown</em>' : i.expected ? `<code>${esc(i.expected)}</code>` : '';
      const err = i.studentError
        ? `<details open><summary>${esc(i.studentError.where)}: ${esc(i.studentError.ename)}: ${esc(i.studentError.evalue)}</summary><pre>${esc(i.studentError.traceback.join('\n'))}</pre></details>`
        : '';
      return `<tr class="${cls}"><td><code>${esc(i.id)}</code><br>${esc(i.title)}</td><td class="pts">${i.pendingManual ? '—' : `${i.points} / ${i.maxPoints}`}</td><td>${expected}</td><td>${i.found ? `<code>${esc(i.found)}</code>` : ''}</td><td>${esc(i.reason)}${err}</td></tr>`;
    })
    .join('\n');
  const notes = [
    ...(r.invalid ? [`Invalid submission: ${r.invalid}`] : []),
    ...r.missing.map((m) => `Missing file: ${m}`),
    ...r.notebooks.flatMap((n) => [...(n.ok ? [] : [`${n.path}: ${n.error}`]), ...n.fixed.map((f) => `${n.path}: ${f}`)]),
    ...r.tasks.filter((t) => t.reason).map((t) => `${t.task}: ${t.reason}`),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(assignmentTitle)} — ${esc(r.student)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em .6em;vertical-align:top;text-align:left}
tr.full td.pts{color:#17663a}tr.partial td.pts{color:#a06000}tr.zero td.pts{color:#b00020}tr.manual td.pts{color:#666}
code{font-size:12px;word-break:break-all}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;font-size:12px}
.total{font-size:1.4em}
</style></head><body>
<h1>${esc(assignmentTitle)}</h1>
<p class="total">${esc(r.student)}: <strong>${r.total} / ${r.maxTotal}</strong></p>
<p>Configuration: ${r.configuration.quick ? 'quick (TS231N_QUICK=1)' : 'full'}${r.configuration.backend ? `, backend ${esc(r.configuration.backend)}` : ''}; cell timeout ${r.configuration.cellTimeoutS} s, notebook timeout ${r.configuration.notebookTimeoutS} s. Graded ${esc(r.gradedAt)}.</p>
${notes.length ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Items</h2>
<table><thead><tr><th>Item</th><th>Points</th><th>Expected</th><th>Found</th><th>Why</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
