/**
 * The end-to-end grading tests of the real assignments share one set-up: the solution tree and the
 * generated starter, graded as two submissions in one quick-mode batch (the reference cached in
 * .cache/grader, git-ignored; its key covers the solution tree, the spec, kernel/, the data set
 * and the configuration). Each test file then asserts what its assignment should score.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gradeBatch, type BatchResult } from '../../grader/batch';
import { copyTree } from '../../grader/workspace';
import type { StudentResult } from '../../grader/types';
import { TESTS_DIR } from './paths';

const REPO = path.resolve(TESTS_DIR, '..');

export interface GradedTrees {
  /** The batch, once beforeAll has run. */
  batch(): BatchResult;
  /** 'solution' and 'starter' → their results. */
  byName: Map<string, StudentResult>;
}

/** Registers beforeAll/afterAll that grade `assignment`'s solution and starter in quick mode. */
export function gradeSolutionAndStarter(assignment: string): GradedTrees {
  let tmp: string | undefined;
  let batch: BatchResult | undefined;
  const byName = new Map<string, StudentResult>();
  const quickBefore = process.env.TS231N_QUICK;
  beforeAll(async () => {
    process.env.TS231N_QUICK = '1';
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), `grader-${assignment}-`));
    const subs = path.join(tmp, 'submissions');
    copyTree(path.join(REPO, 'solutions', assignment), path.join(subs, 'solution'));
    copyTree(path.join(REPO, 'assignments', assignment), path.join(subs, 'starter'));
    batch = await gradeBatch({
      assignment,
      submissions: subs,
      out: path.join(tmp, 'out'),
      jobs: 2,
      cacheDir: path.join(REPO, '.cache', 'grader'),
    });
    for (const r of batch.results) byName.set(r.student, r);
  });
  afterAll(() => {
    if (quickBefore === undefined) delete process.env.TS231N_QUICK;
    else process.env.TS231N_QUICK = quickBefore;
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  return {
    batch: () => {
      if (!batch) throw new Error(`grading ${assignment} did not finish (see beforeAll)`);
      return batch;
    },
    byName,
  };
}

/** Each item that lost points (manual items aside), with its reason. */
export const lostPoints = (r: StudentResult): string[] =>
  r.items.filter((i) => !i.pendingManual && i.points < i.maxPoints).map((i) => `${i.id}: ${i.reason}`);
