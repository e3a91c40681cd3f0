/** Gradescope's autograder `results.json` (https://gradescope-autograders.readthedocs.io/en/latest/specs/). */
import type { StudentResult } from '../types';

export interface GradescopeResults {
  score: number;
  output: string;
  execution_time: number;
  tests: Array<{ name: string; score: number; max_score: number; output: string; visibility: 'visible' }>;
}

export function gradescopeResults(r: StudentResult): GradescopeResults {
  return {
    score: r.total,
    output: r.invalid ? `Invalid submission: ${r.invalid}` : `${r.total} / ${r.maxTotal} (${r.configuration.quick ? 'quick' : 'full'} configuration)`,
    execution_time: Math.round(r.wallSeconds),
    tests: r.items
      .filter((i) => !i.pendingManual)
      .map((i) => ({
        name: `${i.id}: ${i.title}`,
        score: i.points,
        max_score: i.maxPoints,
        output: [i.reason, i.found && `found: ${i.found}`, i.kind !== 'hidden' && i.expected && i.points < i.maxPoints ? `expected: ${i.expected}` : '', i.studentError && `${i.studentError.where}: ${i.studentError.ename}: ${i.studentError.evalue}`].filter(Boolean).join('\n'),
        visibility: 'visible',
      })),
  };
}
