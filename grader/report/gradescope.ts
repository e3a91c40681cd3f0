/**
 * Gradescope's autograder `results.json` (https://gradescope-autograders.readthedocs.io/en/latest/specs/),
 * validated against grader/schemas/gradescope-results.schema.json: the total, a Markdown summary
 * (part subtotals, what to fix first, what is graded by hand), one test per graded item with its
 * status, number ("2.3": part 2, item 3), tags (the part), visibility (hidden tests after the due
 * date unless the spec says otherwise) and extra data, the report as extra data, and a leaderboard
 * of the values the spec names.
 */
import type { GradescopeVisibility, ItemResult, Spec, StudentResult } from '../types';
import { validator, firstError } from '../schema';
import { GraderError } from '../errors';
import { rootCauses } from './causes';
import { formatNumber } from '../../kernel/protocol';
import { escapeMarkdown as md, tidyNumbers } from './text';

export interface GradescopeTest {
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  name: string;
  name_format?: 'text';
  number: string;
  output: string;
  output_format: 'md';
  tags: string[];
  visibility: GradescopeVisibility;
  extra_data: Record<string, unknown>;
}

export interface GradescopeResults {
  score: number;
  execution_time?: number;
  output: string;
  output_format: 'md';
  test_output_format?: 'md';
  test_name_format?: 'text';
  visibility: GradescopeVisibility;
  stdout_visibility: GradescopeVisibility;
  extra_data: Record<string, unknown>;
  tests: GradescopeTest[];
  leaderboard?: Array<{ name: string; value: number | string; order?: 'asc' | 'desc' }>;
}

/** Inline code that survives any backticks inside the value. */
export function mdCode(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest ? ' ' : ''}${s.replace(/\n/g, ' ')}${longest ? ' ' : ''}${fence}`;
}

/** A fenced block that survives any backtick runs inside the text. */
function mdBlock(s: string): string {
  const longest = Math.max(2, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${s}\n${fence}`;
}

function testOutput(i: ItemResult): string {
  if (i.points >= i.maxPoints) return 'Full points.';
  const lines = [md(tidyNumbers(i.reason))];
  if (i.diagnosis) lines.push(`**Looks like:** ${md(i.diagnosis)}`);
  if (i.note) lines.push(`*${md(i.note)}*`);
  if (i.kind === 'hidden') lines.push('Hidden test: its inputs and expected values are not shown.');
  else if (i.expected) lines.push(`Expected: ${mdCode(tidyNumbers(i.expected))}`);
  if (i.found) lines.push(`Found: ${mdCode(tidyNumbers(i.found))}`);
  if (i.studentError)
    lines.push(
      `Your error, ${md(i.studentError.where)}:`,
      mdBlock([`${i.studentError.ename}: ${i.studentError.evalue}`, ...i.studentError.traceback.slice(1)].join('\n')),
    );
  return lines.join('\n\n');
}

function summary(r: StudentResult, spec: Spec): string {
  const lines = [
    `**${formatNumber(r.total)} / ${formatNumber(r.maxTotal)}** (${r.configuration.quick ? 'quick' : 'full'} configuration)`,
  ];
  if (r.invalid) lines.push(`**Invalid submission:** ${md(r.invalid)}`);
  const rows = spec.groups
    .map((g) => {
      const items = r.items.filter((i) => i.group === g.id && !i.pendingManual);
      if (!items.length) return null;
      const got = Math.round(items.reduce((s, i) => s + i.points, 0) * 100) / 100;
      return `| ${md(g.title)} | ${formatNumber(got)} / ${formatNumber(items.reduce((s, i) => s + i.maxPoints, 0))} |`;
    })
    .filter((x): x is string => x !== null);
  lines.push(['| part | points |', '|---|---|', ...rows].join('\n'));
  const causes = rootCauses(r);
  if (causes.length) {
    lines.push('**What to fix first**');
    lines.push(
      causes
        .map(
          (c, n) =>
            `${n + 1}. ${md(tidyNumbers(c.title))}${c.where ? ` (${md(c.where)})` : ''}${c.items.length ? `: costs ${formatNumber(c.points)} points (${c.items.map(mdCode).join(', ')})` : ''}${c.consequences.length ? `; ${c.consequences.length} later errors most likely follow from it` : ''}`,
        )
        .join('\n'),
    );
  }
  const manual = r.items.filter((i) => i.pendingManual);
  if (manual.length) lines.push(`**Graded by hand** (not in this total): ${manual.map((i) => md(i.title)).join('; ')}`);
  return lines.join('\n\n');
}

export function gradescopeResults(r: StudentResult, spec: Spec): GradescopeResults {
  const cfg = spec.gradescope ?? {};
  const visibility = cfg.visibility ?? 'visible';
  const specItem = new Map(spec.items.map((i) => [i.id, i]));
  const groupIndex = new Map(spec.groups.map((g, n) => [g.id, n + 1]));
  const inGroup = new Map<string, number>();
  const tests = r.items
    .filter((i) => !i.pendingManual)
    .map((i): GradescopeTest => {
      const k = (inGroup.get(i.group) ?? 0) + 1;
      inGroup.set(i.group, k);
      return {
        score: i.points,
        max_score: i.maxPoints,
        status: i.points >= i.maxPoints ? 'passed' : 'failed',
        name: `${i.title} (${i.id})`,
        number: `${groupIndex.get(i.group) ?? 0}.${k}`,
        output: testOutput(i),
        output_format: 'md',
        tags: [i.group, i.kind],
        visibility:
          specItem.get(i.id)?.visibility ??
          (i.kind === 'hidden' ? (cfg.hiddenTestVisibility ?? 'after_due_date') : visibility),
        extra_data: { id: i.id, kind: i.kind, group: i.group, ...(i.diagnosis ? { diagnosis: i.diagnosis } : {}) },
      };
    });
  const leaderboard = (cfg.leaderboard ?? [])
    .map((l) => {
      const v = Number(r.items.find((i) => i.id === l.id && i.points >= 0)?.found);
      return Number.isFinite(v) ? { name: l.name, value: v, ...(l.order ? { order: l.order } : {}) } : null;
    })
    .filter((x): x is { name: string; value: number; order?: 'asc' | 'desc' } => x !== null);
  return {
    score: r.total,
    execution_time: Math.round(r.wallSeconds),
    output: summary(r, spec),
    output_format: 'md',
    test_output_format: 'md',
    test_name_format: 'text',
    visibility,
    stdout_visibility: cfg.stdoutVisibility ?? 'hidden',
    // The report without the figures' image data (up to megabytes; feedback.html has them).
    extra_data: { report: JSON.parse(JSON.stringify({ ...r, figures: undefined })) as unknown },
    tests,
    ...(leaderboard.length ? { leaderboard } : {}),
  };
}

/** Throws when `results` does not match the committed schema of Gradescope's format. */
export function checkGradescopeResults(results: unknown): void {
  const validate = validator('gradescope-results.schema.json');
  if (!validate(results))
    throw new GraderError(
      `internal error: results.json does not match gradescope-results.schema.json: ${firstError(validate.errors)}`,
      'REPORT',
    );
}

export function gradescopeJson(r: StudentResult, spec: Spec): string {
  const g = gradescopeResults(r, spec);
  checkGradescopeResults(g);
  return JSON.stringify(g, null, 2) + '\n';
}
