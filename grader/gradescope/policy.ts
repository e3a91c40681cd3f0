/**
 * Gradescope's submission metadata (`/autograder/submission_metadata.json`,
 * https://gradescope-autograders.readthedocs.io/en/latest/submission_metadata/) and the course's
 * policies that use it: a late penalty and a limit of graded submissions per 24 hours.
 * Times are the submission's own `created_at`, never the clock, so a regrade gives the same score.
 */
import type { GradescopeResults } from '../report/gradescope';
import type { LatePolicy } from '../types';
import { formatNumber } from '../../kernel/protocol';

export interface SubmissionMetadata {
  id?: number;
  created_at: string;
  assignment: { due_date: string; late_due_date?: string | null; title?: string; total_points?: string | number };
  users?: Array<{ email?: string; id?: number; name?: string }>;
  previous_submissions?: Array<{
    submission_time: string;
    score: number | string;
    results?: Partial<GradescopeResults>;
  }>;
}

export class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

const time = (s: unknown, field: string): number => {
  const t = typeof s === 'string' ? Date.parse(s) : NaN;
  if (!Number.isFinite(t))
    throw new MetadataError(`submission_metadata.json: ${field} is not a date (${JSON.stringify(s)})`);
  return t;
};

/** Check the fields the policies read; anything else Gradescope sends is kept as is. */
export function parseMetadata(raw: unknown): SubmissionMetadata {
  const m = raw as SubmissionMetadata;
  if (!m || typeof m !== 'object' || !m.assignment || typeof m.assignment !== 'object')
    throw new MetadataError('submission_metadata.json has no "assignment" object');
  time(m.created_at, 'created_at');
  time(m.assignment.due_date, 'assignment.due_date');
  for (const [n, p] of (m.previous_submissions ?? []).entries())
    time(p.submission_time, `previous_submissions[${n}].submission_time`);
  return m;
}

const DAY = 24 * 3600 * 1000;

export interface Lateness {
  /** Started days after the due date plus the grace period (0 = on time). */
  daysLate: number;
  /** Fraction of the score taken away (1 = all). */
  deduction: number;
  /** One line for the student. */
  message: string;
}

function duration(ms: number): string {
  const h = Math.floor(ms / 3600_000),
    m = Math.round((ms % 3600_000) / 60_000);
  return h >= 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : h ? `${h} h ${m} min` : `${m} min`;
}

export function lateness(meta: SubmissionMetadata, policy: LatePolicy): Lateness {
  const late = time(meta.created_at, 'created_at') - time(meta.assignment.due_date, 'assignment.due_date');
  const grace = (policy.graceMinutes ?? 0) * 60_000;
  if (late <= grace) return { daysLate: 0, deduction: 0, message: '' };
  const daysLate = Math.ceil((late - grace) / DAY);
  const rule = `late policy: ${formatNumber(policy.deductionPerDay * 100)}% per started day after the due date${policy.graceMinutes ? ` and ${formatNumber(policy.graceMinutes)} min of grace` : ''}${policy.maxDaysLate !== undefined ? `, nothing after ${formatNumber(policy.maxDaysLate)} days` : ''}`;
  if (policy.maxDaysLate !== undefined && daysLate > policy.maxDaysLate)
    return {
      daysLate,
      deduction: 1,
      message: `Submitted ${duration(late)} after the due date, more than ${formatNumber(policy.maxDaysLate)} days: score 0 (${rule}).`,
    };
  const deduction = Math.min(1, daysLate * policy.deductionPerDay);
  return {
    daysLate,
    deduction,
    message: `Submitted ${duration(late)} after the due date: −${formatNumber(deduction * 100)}% (${rule}).`,
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The results with the late penalty applied to the total (the tests keep their points, so the student sees what each earned). */
export function applyLatePolicy(
  results: GradescopeResults,
  meta: SubmissionMetadata,
  policy: LatePolicy,
): GradescopeResults {
  const l = lateness(meta, policy);
  if (!l.daysLate) return results;
  const before = results.score;
  const score = round2(before * (1 - l.deduction));
  return {
    ...results,
    score,
    output: `**${l.message}** Score before the penalty: ${formatNumber(before)}; after: ${formatNumber(score)}.\n\n${results.output}`,
    extra_data: {
      ...results.extra_data,
      late: { daysLate: l.daysLate, deduction: l.deduction, scoreBeforePenalty: before },
    },
  };
}

/**
 * When the student has used `limit` graded submissions in the 24 hours before this one: the
 * previous submission's results, with a note; null when this submission may be graded.
 */
export function rateLimited(meta: SubmissionMetadata, limit: number): GradescopeResults | null {
  const now = time(meta.created_at, 'created_at');
  const previous = (meta.previous_submissions ?? [])
    .map((p) => ({ ...p, t: time(p.submission_time, 'submission_time') }))
    .filter((p) => p.t <= now)
    .sort((a, b) => a.t - b.t);
  const recent = previous.filter((p) => now - p.t < DAY);
  if (recent.length < limit) return null;
  const next = new Date(recent[recent.length - limit].t + DAY)
    .toISOString()
    .replace(/\.\d+Z$/, ' UTC')
    .replace('T', ' ');
  const last = previous[previous.length - 1];
  const note = `**This submission was not graded:** ${limit} graded submission${limit > 1 ? 's' : ''} per 24 hours, and you have used ${recent.length}. Your previous result stands; you can submit for grading again after ${next}.`;
  const prev = last.results ?? {};
  return {
    ...(prev as GradescopeResults),
    score: Number(prev.score ?? last.score) || 0,
    output: `${note}\n\n${prev.output ?? ''}`.trim(),
    output_format: 'md',
    visibility: prev.visibility ?? 'visible',
    stdout_visibility: prev.stdout_visibility ?? 'hidden',
    extra_data: { ...(prev.extra_data ?? {}), rateLimited: { limit, recent: recent.length, next } },
    tests: prev.tests ?? [],
  };
}
