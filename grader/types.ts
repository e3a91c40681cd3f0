/**
 * The grader's data model: one typed value flows through the pipeline
 * (intake → validate → run → collect → compare → hidden tests → score → report).
 */

/** Comparison tolerance: |found − expected| ≤ atol + rtol·|expected|, element-wise. */
export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/** How the found value is judged. Default `reference`: equal to the reference within tolerance. */
export type Expectation =
  | { kind: 'reference' }
  /** A scalar in [min, max] (e.g. an accuracy that depends on the student's hyper-parameters). */
  | { kind: 'range'; min: number; max: number }
  /** A scalar at least `fraction`·reference (e.g. validation accuracy ≥ 0.9 × the solution's). */
  | { kind: 'atLeast'; fraction: number }
  /** Deep equality with the given constant (e.g. `true` for a gradient check that passed). */
  | { kind: 'equals'; value: unknown };

/** `all`: full points or none. `proportional`: points × fraction of elements within tolerance. */
export type CreditRule = 'all' | 'proportional';

export type ItemKind = 'record' | 'hidden' | 'manual';

export interface SpecItem {
  id: string;
  title: string;
  group: string;
  points: number;
  kind: ItemKind;
  /** For `record` items: the notebook (relative to the assignment folder) that records the id. */
  notebook?: string;
  tolerance?: Tolerance;
  expect?: Expectation;
  credit?: CreditRule;
  /** Items whose values this one is computed from (e.g. the test accuracy with the best k depends on `knn.best_k`). */
  dependsOn?: string[];
  /** Gradescope visibility of this item's test (default: the spec's `gradescope` settings). */
  visibility?: GradescopeVisibility;
}

/** When Gradescope shows a test (or stdout) to the student. */
export type GradescopeVisibility = 'visible' | 'hidden' | 'after_due_date' | 'after_published';

/**
 * Late policy for Gradescope submissions: the score is reduced by `deductionPerDay` (a fraction of
 * the score) for each started day after the due date plus `graceMinutes`; from `maxDaysLate` days
 * on, the score is 0.
 */
export interface LatePolicy {
  graceMinutes?: number;
  deductionPerDay: number;
  maxDaysLate?: number;
}

/** How results.json is written for Gradescope (all optional). */
export interface GradescopeConfig {
  /** Default visibility of every test and of the total (default `visible`). */
  visibility?: GradescopeVisibility;
  /** Visibility of hidden-test items (default `after_due_date`). */
  hiddenTestVisibility?: GradescopeVisibility;
  /** Visibility of the autograder's stdout (default `hidden`: only staff see it). */
  stdoutVisibility?: GradescopeVisibility;
  /** Values shown on the leaderboard: a recorded item's value (e.g. a validation accuracy). */
  leaderboard?: Array<{ id: string; name: string; order?: 'asc' | 'desc' }>;
  latePolicy?: LatePolicy;
  /** At most this many graded submissions per 24 hours; beyond it the previous result stands. */
  dailyLimit?: number;
}

export interface SpecGroup {
  id: string;
  title: string;
  points: number;
}

export interface Spec {
  assignment: string;
  title: string;
  /** Notebooks run in this order, paths relative to the assignment folder. */
  notebooks: string[];
  /** Student modules the hidden tests import (relative to the assignment folder). */
  modules: string[];
  /** Hidden test files in the spec folder (never readable from the sandbox). */
  hiddenTests: string[];
  /** Seed of the hidden inputs; students never see it. */
  hiddenSeed: number;
  groups: SpecGroup[];
  items: SpecItem[];
  gradescope?: GradescopeConfig;
  /** Which figures the feedback page shows (default: every figure of the graded notebooks, up to the caps). */
  figures?: FigureSpec;
}

/**
 * The figures of the feedback page. `show` names notebook cells by their nbformat cell id (the
 * starter's ids, which the given cells keep); each of their figures is shown, the student's
 * beside the reference's unless `compare` is false. Without `show`, every figure of the graded
 * notebooks is shown, beside the reference's figure of the same cell where there is one.
 */
export interface FigureSpec {
  show?: Array<{ notebook: string; cell: string; caption?: string; compare?: boolean }>;
  /** Most figures kept per submission (default 40). */
  maxCount?: number;
  /** Most bytes of figure data kept per submission (default 8 MiB). */
  maxBytes?: number;
}

/** A figure a notebook cell displayed (checked by grader/figures.ts: a real PNG, or SVG text). */
export interface CellFigure {
  notebook: string;
  /** The cell's position in the notebook, 1-based with markdown cells counted (`svm.ipynb cell 14`). */
  cell: number;
  /** The cell's nbformat id. */
  cellId?: string;
  /** Which of the cell's figures (0-based). */
  index: number;
  mime: 'image/png' | 'image/svg+xml';
  /** Base64 of the PNG bytes or of the SVG text. */
  data: string;
  /** The figure's title (from its text/plain form), for captions and alt text. */
  title?: string;
  /** Display size in CSS pixels, when the notebook gave one (a 2× PNG is shown at half its pixels). */
  width?: number;
  height?: number;
}

/** One figure of the feedback page: the student's, the reference's, or both side by side. */
export interface FigureShown {
  caption: string;
  student?: CellFigure;
  reference?: CellFigure;
}

/** A value as it travels between processes (JSON): the record encoding, kernel/protocol/record.ts. */
import type { Encoded } from '../kernel/protocol';
export type { Encoded };

/** One submission after intake. */
export interface Submission {
  student: string;
  /** The folder or .zip given in --submissions. */
  source: string;
  /** sha256 of the submission's files (path + content), stable across runs. */
  hash: string;
  /** Folder holding the unpacked submission (laid out like the assignment folder), or null when invalid. */
  root: string | null;
  /** Why the submission as a whole could not be graded (zip bomb, zip slip, empty, …). */
  invalid?: string;
  /** Files the spec needs that the submission lacks. */
  missing: string[];
}

export interface NotebookCheck {
  path: string;
  ok: boolean;
  /** Validator message when not ok. */
  error?: string;
  /** Safe fixes applied (e.g. missing cell ids). */
  fixed: string[];
  /** Given cells the student changed or deleted, restored from the reference before the run (grader/given.ts). */
  restored?: string[];
}

/** The student's own error text, with where it happened. */
export interface StudentError {
  where: string;
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What happened to one notebook or hidden test inside the sandbox. */
export interface TaskOutcome {
  task: string;
  status: 'ok' | 'error' | 'killed' | 'skipped';
  /** One line: why the task did not finish normally. */
  reason?: string;
  errors: StudentError[];
}

export interface RunProfile {
  /** Seconds per phase, summed over the run's children ('process start' is measured by the grader). */
  phases: Record<string, number>;
  /** Each notebook cell's seconds (compile + type-check + run), slowest first. */
  cells: Array<[string, number]>;
  /** CPU seconds (user + system) of the run's children, as each measured itself: less load-sensitive than wall time. */
  cpuS?: number;
  /** Cells whose compile came from the compile cache (hits) or was computed (misses); off: why the cache was turned off. */
  conversions?: { hits: number; misses: number; off?: string };
}

/** Everything the sandboxed run produced for one submission. */
export interface RunOutput {
  /** id → encoded value, as recorded by the notebooks (last record of an id wins). */
  records: Record<string, Encoded>;
  /** Which notebook recorded each id and in which cell. */
  recordedAt: Record<string, string>;
  /** hidden test id → encoded value, or the error the student's code raised. */
  hidden: Record<string, { value?: Encoded; error?: StudentError }>;
  tasks: TaskOutcome[];
  /** Where the time went (seconds per phase, and the slowest cells), when the child got to the end. */
  profile?: RunProfile;
  /** Sandbox features that were not available on this machine (network namespace, …). */
  sandboxNotes: string[];
  /** Figures the notebooks displayed (those the spec selects, within the caps), in display order. */
  figures?: CellFigure[];
  /** Figures dropped (over the caps, not a PNG or SVG), one line each kind. */
  figureNotes?: string[];
  wallSeconds: number;
}

export interface Reference {
  key: string;
  records: Record<string, Encoded>;
  /** Where the solution recorded each id ("knn.ipynb cell 26"): tells which of a student's errors stopped a record. */
  recordedAt?: Record<string, string>;
  hidden: Record<string, Encoded>;
  /** The solution's figures, shown beside the student's (format 3 on). */
  figures?: CellFigure[];
  configuration: string;
}

export interface ItemResult {
  id: string;
  title: string;
  group: string;
  kind: ItemKind;
  points: number;
  maxPoints: number;
  /** Empty when full points; otherwise why points were lost. */
  reason: string;
  /** What was expected (omitted for hidden items: hidden expected values are never revealed). */
  expected?: string;
  found?: string;
  /** The student's own error text related to this item, with its cell or file line. */
  studentError?: StudentError;
  pendingManual?: boolean;
  /** For a wrong gradient: what the difference looks like (grader/diagnose.ts). */
  diagnosis?: string;
  /** When a value it is computed from is off too (spec `dependsOn`): fix that first. */
  note?: string;
}

export interface StudentResult {
  student: string;
  assignment: string;
  submissionHash: string;
  configKey: string;
  configuration: { quick: boolean; backend?: string; cellTimeoutS: number; notebookTimeoutS: number; memoryMb: number };
  gradedAt: string;
  total: number;
  maxTotal: number;
  invalid?: string;
  items: ItemResult[];
  notebooks: NotebookCheck[];
  tasks: TaskOutcome[];
  missing: string[];
  sandboxNotes: string[];
  /** The figures the feedback page shows (student's and reference's); absent when there are none. */
  figures?: FigureShown[];
  /** Why figures were dropped (caps, not an image), when some were. */
  figureNotes?: string[];
  wallSeconds: number;
}
