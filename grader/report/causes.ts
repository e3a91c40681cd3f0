/**
 * "What to fix first": the root causes of a student's lost points, each once, with its file and
 * line, before the symptoms it produced. A module that throws on import makes every later cell of
 * the notebook fail (`exports.hogFeature is not a function`) and every hidden test that imports
 * it: one cause, many items. Order: the submission as a whole, missing files, notebooks that are
 * not notebooks, errors in the student's code (those located in a file first), runs that were
 * stopped, recognised wrong gradients, then what is not implemented yet.
 */
import type { ItemResult, StudentError, StudentResult } from '../types';

export interface Cause {
  /** One line, whole: what is wrong. */
  title: string;
  /** File and line, or notebook and cell, when known. */
  where?: string;
  /** Graded items that lose points because of it. */
  items: string[];
  /** Points lost to it. */
  points: number;
  /** Later errors it most likely caused (`features.ipynb cell 6: TypeError: exports.hogFeature is not a function`). */
  consequences: string[];
  /** The student's traceback, when there is one. */
  traceback?: string[];
}

/** `cs231n/features.ts:3` from `features.ipynb cell 2 (cs231n/features.ts:3)` or from a compiler message. */
export function locationOf(e: StudentError): string | undefined {
  const inWhere = e.where.match(/\(([^()]+:\d+(?::\d+)?)\)$/);
  if (inWhere) return inWhere[1];
  const inText = e.evalue.match(/(?:^|\s)(\/?[\w@.-]+(?:\/[\w@.-]+)*\.tsx?):(\d+)/);
  if (!inText) return undefined;
  // An absolute path from the sandbox: keep the part a student recognises (from the first folder of the assignment on).
  const file = inText[1].replace(/^.*?\/((?:cs231n|lib|src)\/)/, '$1');
  return `${file}:${inText[2]}`;
}

const key = (e: StudentError): string => `${locationOf(e) ?? ''}|${e.ename}|${e.evalue}`;
const lost = (i: ItemResult): number => Math.max(0, i.maxPoints - i.points);

export function rootCauses(r: StudentResult): Cause[] {
  const open = r.items.filter((i) => !i.pendingManual && i.points < i.maxPoints);
  const claimed = new Set<string>();
  const causes: Cause[] = [];
  const add = (c: Omit<Cause, 'points' | 'items'>, items: ItemResult[]) => {
    const mine = items.filter((i) => !claimed.has(i.id));
    for (const i of mine) claimed.add(i.id);
    causes.push({
      ...c,
      items: mine.map((i) => i.id),
      points: Math.round(mine.reduce((s, i) => s + lost(i), 0) * 100) / 100,
    });
  };

  if (r.invalid) add({ title: `the submission could not be graded: ${r.invalid}`, consequences: [] }, open);
  for (const m of r.missing)
    add(
      { title: `${m} is missing from the submission`, where: m, consequences: [] },
      open.filter((i) => i.reason.includes(`${m} is missing`) || i.reason.includes(`${m} missing`)),
    );
  for (const n of r.notebooks.filter((n) => !n.ok))
    add(
      {
        title: `${n.path} is not a valid notebook: ${n.error ?? 'it does not validate'}`,
        where: n.path,
        consequences: [],
      },
      open.filter((i) => i.reason.startsWith(`${n.path} is not a valid notebook`)),
    );

  // Errors in the student's code. A notebook's first error is the root; its later errors are most likely consequences.
  const roots = new Map<string, { err: StudentError; later: StudentError[] }>();
  const rootOf = new Map<string, string>(); // error key → root key
  for (const t of r.tasks) {
    const [first, ...later] = t.errors;
    if (!first || /^not implemented yet/.test(first.evalue)) continue;
    const k = key(first);
    if (!roots.has(k)) roots.set(k, { err: first, later: [] });
    rootOf.set(k, k);
    for (const e of later) {
      if (/^not implemented yet/.test(e.evalue)) continue;
      roots.get(k)!.later.push(e);
      if (!rootOf.has(key(e))) rootOf.set(key(e), k);
    }
  }
  // Hidden tests' errors: the same error as a root joins it; another is its own root.
  for (const i of open)
    if (i.studentError && !/^not implemented yet/.test(i.studentError.evalue) && !rootOf.has(key(i.studentError))) {
      const k = key(i.studentError);
      roots.set(k, { err: i.studentError, later: [] });
      rootOf.set(k, k);
    }
  const ordered = [...roots.entries()].sort(([, a], [, b]) => Number(!locationOf(a.err)) - Number(!locationOf(b.err)));
  for (const [k, { err, later }] of ordered) {
    const items = open.filter((i) => i.studentError && rootOf.get(key(i.studentError)) === k);
    const alsoIn = [
      ...new Set(
        open
          .filter((i) => i.studentError && key(i.studentError) === k && i.studentError.where !== err.where)
          .map((i) => i.studentError!.where.replace(/ \(.*\)$/, '')),
      ),
    ];
    const at = err.where.replace(/ \(.*\)$/, '');
    add(
      {
        title: `${err.ename}: ${err.evalue}`,
        where: [
          locationOf(err),
          `raised in ${at}${alsoIn.length ? ` and ${alsoIn.length === 1 ? alsoIn[0] : `${alsoIn.length} hidden tests`}` : ''}`,
        ]
          .filter(Boolean)
          .join(', '),
        consequences: [...new Set(later.map((e) => `${e.where}: ${e.ename}: ${e.evalue}`))],
        traceback: err.traceback,
      },
      items,
    );
  }

  // Runs that were stopped (timeouts, memory).
  for (const t of r.tasks.filter((t) => t.status === 'killed' && t.reason))
    add(
      { title: t.reason!, where: t.task.replace(/^(notebook|hidden):/, ''), consequences: [] },
      open.filter((i) => i.reason.includes(t.reason!)),
    );

  // Wrong gradients the diagnosis recognised: the same diagnosis on several items is one cause.
  const diagnosed = new Map<string, ItemResult[]>();
  for (const i of open)
    if (i.diagnosis && !claimed.has(i.id)) diagnosed.set(i.diagnosis, [...(diagnosed.get(i.diagnosis) ?? []), i]);
  for (const [d, items] of diagnosed) add({ title: d, consequences: [] }, items);

  // Not implemented yet, one cause per function.
  const todo = new Map<string, ItemResult[]>();
  for (const i of open) {
    const m = (i.studentError?.evalue ?? i.reason).match(/not implemented yet: (\S+) in (\S+)/);
    if (m && !claimed.has(i.id)) todo.set(`${m[1]} in ${m[2]}`, [...(todo.get(`${m[1]} in ${m[2]}`) ?? []), i]);
  }
  for (const [fn, items] of todo)
    add({ title: `not implemented yet: ${fn}`, where: fn.split(' in ')[1], consequences: [] }, items);

  return causes.filter((c) => c.items.length > 0 || c.consequences.length > 0);
}

/** The first root cause, whole, in one line (for the terminal). */
export function firstCauseLine(r: StudentResult): string | null {
  const c = rootCauses(r)[0];
  if (!c) return null;
  return c.where
    ? `${c.title.startsWith(c.where) ? '' : `${c.where}: `}${c.title}`
    : `${c.title} (${c.items.join(', ')})`;
}
