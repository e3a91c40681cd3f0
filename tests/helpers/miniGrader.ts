/**
 * The grader's mini fixture (tests/fixtures/grader/mini): a one-notebook assignment with its
 * solution and spec, and the run limits its grading tests share.
 */
import * as path from 'path';
import { TESTS_DIR } from './paths';

export const MINI = path.join(TESTS_DIR, 'fixtures', 'grader', 'mini');
export const MINI_SOLUTION = path.join(MINI, 'solution');
export const MINI_SPEC = path.join(MINI, 'spec');

/** Generous enough for a loaded 2-core machine; tests that need more or other caps spread this. */
export const MINI_LIMITS = {
  cellTimeoutS: 25,
  notebookTimeoutS: 120,
  memoryMb: 1536,
  outputCapBytes: 10 * 1024 * 1024,
  startupTimeoutS: 120,
};
