/**
 * Collect: for each spec item, what the submission produced — the recorded or hidden-test value,
 * or why there is none (missing file, invalid notebook, killed task, the student's own error).
 */
import { notImplementedOf } from '../kernel/protocol';
import type {
  Encoded,
  NotebookCheck,
  Reference,
  RunOutput,
  Spec,
  SpecItem,
  StudentError,
  Submission,
  TaskOutcome,
} from './types';

export type Found =
  { ok: true; value: Encoded; where?: string } | { ok: false; reason: string; studentError?: StudentError };

export function notebookTaskName(path: string): string {
  return `notebook:${path}`;
}

export function hiddenTaskName(id: string): string {
  return `hidden:${id}`;
}

function firstErrorOf(task: TaskOutcome | undefined): StudentError | undefined {
  return task?.errors[0];
}

function cellNumber(where: string): number {
  const m = where.match(/ cell (\d+)/);
  return m ? Number(m[1]) : Infinity;
}

/**
 * The student's error that kept `id` from being recorded: the last one at or before the cell where
 * the solution records it (when known), else the first one.
 */
function blockingError(task: TaskOutcome, recordedAt: string | undefined): StudentError | undefined {
  if (!task.errors.length) return undefined;
  const limit = recordedAt ? cellNumber(recordedAt) : Infinity;
  const before = task.errors.filter((e) => cellNumber(e.where) <= limit);
  return before[before.length - 1] ?? task.errors[0];
}

export function collect(
  spec: Spec,
  item: SpecItem,
  sub: Submission,
  checks: NotebookCheck[],
  run: RunOutput | null,
  ref?: Reference,
): Found {
  if (sub.invalid) return { ok: false, reason: `invalid submission: ${sub.invalid}` };
  if (item.kind === 'manual') return { ok: false, reason: 'graded by hand' };
  if (item.kind === 'record') {
    const nb = item.notebook!;
    if (sub.missing.includes(nb)) return { ok: false, reason: `${nb} is missing from the submission` };
    const check = checks.find((c) => c.path === nb);
    if (check && !check.ok) return { ok: false, reason: `${nb} is not a valid notebook: ${check.error}` };
    const task = run?.tasks.find((t) => t.task === notebookTaskName(nb));
    if (run && item.id in run.records) {
      const todo = notImplementedOf(run.records[item.id]);
      if (todo) return { ok: false, reason: `not implemented yet: ${todo.fn} in ${todo.file}` };
      return { ok: true, value: run.records[item.id], where: run.recordedAt[item.id] };
    }
    if (task?.status === 'killed')
      return { ok: false, reason: `not recorded: ${task.reason}`, studentError: firstErrorOf(task) };
    if (task?.errors.length) {
      const err = blockingError(task, ref?.recordedAt?.[item.id]);
      if (err && /^not implemented yet/.test(err.evalue))
        return { ok: false, reason: `not recorded: ${err.where} is ${err.evalue}`, studentError: err };
      return {
        ok: false,
        reason: `not recorded: ${nb} raised an error before record('${item.id}')`,
        studentError: err,
      };
    }
    return { ok: false, reason: `not recorded: ${nb} ran without calling record('${item.id}')` };
  }
  // hidden
  const missingModules = spec.modules.filter((m) => sub.missing.includes(m));
  if (missingModules.length)
    return {
      ok: false,
      reason: `cannot run the hidden test: ${missingModules.join(', ')} missing from the submission`,
    };
  const h = run?.hidden[item.id];
  if (h?.error)
    return {
      ok: false,
      reason:
        h.error.ename === 'NotImplementedError'
          ? h.error.evalue
          : `the hidden test raised ${h.error.ename}: ${h.error.evalue}`,
      studentError: h.error,
    };
  if (h && 'value' in h) return { ok: true, value: h.value as Encoded, where: `hidden test ${item.id}` };
  const task = run?.tasks.find((t) => t.task === hiddenTaskName(item.id));
  if (task?.status === 'killed') return { ok: false, reason: `hidden test stopped: ${task.reason}` };
  return { ok: false, reason: 'the hidden test did not run' };
}
