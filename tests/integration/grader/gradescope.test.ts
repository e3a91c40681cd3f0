/**
 * Gradescope: results.json in Gradescope's whole format (validated against the committed schema
 * written from its documentation), the late policy and daily limit from submission_metadata.json,
 * and `npm run package:gradescope`'s zip unpacked into a fake /autograder (a temporary
 * AUTOGRADER_ROOT) and run end to end on the mini fixture assignment.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as yauzl from 'yauzl';
import { packageGradescope, kitFiles } from '../../../scripts/packageGradescope';
import { safeUnzip, DEFAULT_LIMITS } from '../../../grader/intake';
import { checkGradescopeResults, gradescopeResults, type GradescopeResults } from '../../../grader/report/gradescope';
import {
  applyLatePolicy,
  lateness,
  parseMetadata,
  rateLimited,
  type SubmissionMetadata,
} from '../../../grader/gradescope/policy';
import { validator } from '../../../grader/schema';
import { loadSpec } from '../../../grader/spec';
import type { StudentResult } from '../../../grader/types';
import { TESTS_DIR } from '../../helpers/paths';
import { MINI } from '../../helpers/miniGrader';

jest.setTimeout(600_000);

const REPO = path.resolve(TESTS_DIR, '..');
const SCRIPT = path.join(REPO, 'grader', 'gradescope', 'run_autograder');
const A1 = loadSpec(path.join(REPO, 'grader', 'specs', 'assignment1'));
const PARTIAL = JSON.parse(
  fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'grader', 'reports', 'partial.json'), 'utf8'),
) as StudentResult;
let tmp: string;

beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-gs-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const valid = (r: unknown) => validator('gradescope-results.schema.json')(r);

function metadata(createdAt: string, previous: SubmissionMetadata['previous_submissions'] = []): SubmissionMetadata {
  return {
    id: 1,
    created_at: createdAt,
    assignment: {
      due_date: '2026-10-01T23:00:00.000000-07:00',
      late_due_date: null,
      title: 'A1',
      total_points: '100.0',
    },
    users: [{ email: 's@example.edu', id: 7, name: 'S' }],
    previous_submissions: previous,
  };
}

function runAutograder(
  script: string,
  env: Record<string, string>,
): { status: number | null; stderr: string; results: GradescopeResults } {
  const r = spawnSync('bash', [script], {
    env: { ...process.env, AUTOGRADER_ROOT: tmp, ...env },
    encoding: 'utf8',
    timeout: 500_000,
  });
  return {
    status: r.status,
    stderr: r.stderr,
    results: JSON.parse(fs.readFileSync(path.join(tmp, 'results', 'results.json'), 'utf8')),
  };
}

describe('results.json in Gradescope format', () => {
  const g = gradescopeResults(PARTIAL, A1);

  it('matches the schema written from Gradescope documentation; the schema refuses what Gradescope does not know', () => {
    expect(valid(g)).toBe(true);
    expect(valid({ ...g, visibility: 'sometimes' })).toBe(false);
    expect(valid({ ...g, tests: [{ ...g.tests[0], status: 'ok' }] })).toBe(false);
    expect(valid({ output: 'no score anywhere', tests: [{ name: 'x' }] })).toBe(false);
    expect(valid({ leaderboard: [{ name: 'Accuracy', value: 0.9, order: 'up' }], score: 1 })).toBe(false);
  });

  it('writes every documented field: formats, visibilities, status, numbers, tags, extra data, leaderboard', () => {
    expect(g).toMatchObject({
      score: PARTIAL.total,
      output_format: 'md',
      test_output_format: 'md',
      visibility: 'visible',
      stdout_visibility: 'hidden',
    });
    expect((g.extra_data.report as StudentResult).student).toBe('partial');
    const t = (id: string) => g.tests.find((x) => x.extra_data.id === id)!;
    expect(t('knn.dists_two_loops')).toMatchObject({
      number: '1.1',
      tags: ['knn', 'record'],
      status: 'passed',
      visibility: 'visible',
      score: 3,
      max_score: 3,
    });
    expect(t('knn.accuracy_k5')).toMatchObject({ number: '1.5', status: 'failed', score: 0 });
    expect(t('svm.loss_naive')).toMatchObject({ number: '2.1', tags: ['svm', 'record'] });
    expect(t('svm.hidden_loss_naive')).toMatchObject({
      number: expect.stringMatching(/^2\.\d+$/),
      tags: ['svm', 'hidden'],
      visibility: 'after_due_date',
      status: 'failed',
    });
    expect(g.tests).toHaveLength(
      A1.items.filter((i) => i.kind !== 'manual').length -
        PARTIAL.items.filter((i) => i.pendingManual).length -
        (A1.items.filter((i) => i.kind !== 'manual').length - PARTIAL.items.length),
    );
    expect(g.leaderboard).toEqual(
      expect.arrayContaining([{ name: 'SVM validation accuracy', value: expect.any(Number) }]),
    );
    // Markdown: subtotals table and the per-test reasons at a readable precision.
    expect(g.output.startsWith(`**${PARTIAL.total} / 100** (quick configuration)`)).toBe(true);
    expect(g.output).toContain('| k-nearest neighbour | 15.15 / 20 |');
    expect(JSON.stringify(g.tests)).not.toMatch(/\d\.\d{7,}/);
  });

  it('a per-item visibility in the spec overrides the default', () => {
    const spec = {
      ...A1,
      items: A1.items.map((i) => (i.id === 'svm.hidden_loss_naive' ? { ...i, visibility: 'visible' as const } : i)),
      gradescope: { ...A1.gradescope, hiddenTestVisibility: 'after_published' as const },
    };
    const h = gradescopeResults(PARTIAL, spec);
    expect(h.tests.find((x) => x.extra_data.id === 'svm.hidden_loss_naive')!.visibility).toBe('visible');
    expect(h.tests.find((x) => x.extra_data.id === 'svm.hidden_loss_vectorized')!.visibility).toBe('after_published');
  });
});

describe('late policy and daily limit (submission_metadata.json)', () => {
  const policy = { graceMinutes: 15, deductionPerDay: 0.1, maxDaysLate: 5 };

  it('on time within the grace period; 10% per started day after it; 0 after the last day', () => {
    expect(lateness(metadata('2026-10-01T23:14:00-07:00'), policy).deduction).toBe(0);
    expect(lateness(metadata('2026-10-01T23:16:00-07:00'), policy)).toMatchObject({ daysLate: 1, deduction: 0.1 });
    expect(lateness(metadata('2026-10-03T01:00:00-07:00'), policy)).toMatchObject({ daysLate: 2, deduction: 0.2 });
    expect(lateness(metadata('2026-10-08T01:00:00-07:00'), policy)).toMatchObject({
      daysLate: 7,
      deduction: 1,
      message: expect.stringMatching(/more than 5 days: score 0/),
    });
    const late = applyLatePolicy(gradescopeResults(PARTIAL, A1), metadata('2026-10-03T01:00:00-07:00'), policy);
    const after = Math.round(PARTIAL.total * 0.8 * 100) / 100;
    expect(late.score).toBe(after);
    expect(
      late.output.startsWith(
        `**Submitted 1 d 2 h after the due date: −20% (late policy: 10% per started day after the due date and 15 min of grace, nothing after 5 days).** Score before the penalty: ${PARTIAL.total}; after: ${after}.`,
      ),
    ).toBe(true);
    expect(valid(late)).toBe(true);
  });

  it('over the daily limit the previous result stands, with when the next graded submission is possible', () => {
    const prev = gradescopeResults(PARTIAL, A1);
    const meta = metadata('2026-10-01T12:00:00Z', [
      { submission_time: '2026-09-30T08:00:00Z', score: 50, results: { score: 50 } },
      { submission_time: '2026-10-01T01:00:00Z', score: 80, results: { score: 80 } },
      { submission_time: '2026-10-01T09:00:00Z', score: PARTIAL.total, results: prev },
    ]);
    expect(rateLimited(meta, 3)).toBeNull();
    const limited = rateLimited(meta, 2)!;
    expect(limited.score).toBe(PARTIAL.total);
    expect(limited.output).toMatch(
      /^\*\*This submission was not graded:\*\* 2 graded submissions per 24 hours, and you have used 2\. .* after 2026-10-02 01:00:00 UTC\./,
    );
    expect(limited.tests).toEqual(prev.tests);
    expect(() => checkGradescopeResults(limited)).not.toThrow();
  });

  it('bad metadata is one clear error', () => {
    expect(() => parseMetadata({ created_at: 'yesterday', assignment: { due_date: '2026-10-01T00:00:00Z' } })).toThrow(
      /^submission_metadata.json: created_at is not a date \("yesterday"\)$/,
    );
    expect(() => parseMetadata({})).toThrow(/no "assignment" object/);
  });
});

describe('run_autograder', () => {
  /** The mini spec with Gradescope settings (late policy, a daily limit, a leaderboard), in a copy of the fixture under `root`. */
  function miniSpecDir(root = tmp): string {
    const dir = path.join(root, 'tests', 'fixtures', 'grader', 'mini', 'spec');
    fs.cpSync(path.join(MINI, 'spec'), dir, { recursive: true });
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'spec.json'), 'utf8'));
    spec.gradescope = {
      latePolicy: { graceMinutes: 0, deductionPerDay: 0.25 },
      dailyLimit: 5,
      leaderboard: [{ id: 'mini.accuracy', name: 'Accuracy' }],
    };
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
    return dir;
  }

  it('the packaged zip, unpacked into a fake /autograder, grades a late submission end to end', async () => {
    const zip = path.join(tmp, 'autograder.zip');
    await packageGradescope('assignment1', zip);
    // Gradescope's layout: the zip in /autograder/source, run_autograder copied to /autograder.
    const modes = new Map<string, number>();
    await new Promise<void>((resolve, reject) =>
      yauzl.open(zip, { lazyEntries: false }, (err, z) => {
        if (err || !z) return reject(err);
        z.on('entry', (e: yauzl.Entry) => modes.set(e.fileName, (e.externalFileAttributes >>> 16) & 0o777)).on(
          'end',
          resolve,
        );
      }),
    );
    expect(modes.get('setup.sh')).toBe(0o755);
    expect(modes.get('run_autograder')).toBe(0o755);
    expect(modes.has('grader/specs/assignment1/spec.json')).toBe(true);
    expect(modes.has('solutions/assignment1/knn.ipynb')).toBe(true);
    expect([...modes.keys()].filter((f) => /^(tests|docs|bench|examples)\//.test(f))).toEqual([]);
    await safeUnzip(zip, path.join(tmp, 'source'), { ...DEFAULT_LIMITS, maxBytes: 50 * 1024 * 1024 });
    fs.copyFileSync(path.join(tmp, 'source', 'run_autograder'), path.join(tmp, 'run_autograder'));
    // setup.sh's `npm ci` needs the network: a hard-linked copy of the installed packages stands in
    // (not a symbolic link: the sandbox's permission model reads packages by their real path).
    const cp = spawnSync('sh', [
      '-c',
      'cp -al "$0" "$1" 2>/dev/null || cp -a "$0" "$1"',
      path.join(REPO, 'node_modules'),
      path.join(tmp, 'source', 'node_modules'),
    ]);
    expect(cp.status).toBe(0);
    fs.cpSync(path.join(MINI, 'solution'), path.join(tmp, 'submission'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'submission_metadata.json'), JSON.stringify(metadata('2026-10-02T01:00:00-07:00')));

    // The mini assignment instead of assignment1 (whose reference takes minutes): same scripts, same
    // layout; the fixture goes where it lives in the repository, since the reference must be inside the kit.
    const source = path.join(tmp, 'source');
    fs.cpSync(path.join(MINI, 'solution'), path.join(source, 'tests', 'fixtures', 'grader', 'mini', 'solution'), {
      recursive: true,
    });
    const env = {
      TS231N_ASSIGNMENT: 'mini',
      TS231N_SPEC_DIR: miniSpecDir(source),
      TS231N_SOLUTION_DIR: path.join(source, 'tests', 'fixtures', 'grader', 'mini', 'solution'),
    };
    // setup.sh grades the reference once (warm_cache.sh); run_autograder then reads it from .grader-cache.
    const warm = spawnSync('bash', [path.join(source, 'grader', 'gradescope', 'warm_cache.sh')], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect({ status: warm.status, stderr: warm.status === 0 ? '' : warm.stderr }).toEqual({ status: 0, stderr: '' });
    const cached = fs.readdirSync(path.join(source, '.grader-cache')).sort();
    expect(cached.filter((f) => /^reference-.*\.json$/.test(f))).toHaveLength(1);
    expect(cached.filter((f) => f.startsWith('conversions-'))).toHaveLength(1);
    const { status, results, stderr } = runAutograder(path.join(tmp, 'run_autograder'), env);
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    // the reference came from the cache: no progress line of a reference run, nothing new cached
    expect(stderr).not.toMatch(/reference 1\//);
    expect(fs.readdirSync(path.join(source, '.grader-cache')).sort()).toEqual(cached);
    expect(valid(results)).toBe(true);
    expect(results.score).toBe(7.5); // 10 / 10, one started day late at 25% a day
    expect(results.output).toMatch(/^\*\*Submitted 2 h 0 min after the due date: −25%/);
    expect(results.extra_data.late).toEqual({ daysLate: 1, deduction: 0.25, scoreBeforePenalty: 10 });
    expect(results.tests.map((t) => t.number)).toEqual(['1.1', '1.2', '1.3', '1.4', '1.5', '2.1', '2.2', '2.3', '2.4']);
    expect(results.tests.filter((t) => t.tags.includes('hidden')).every((t) => t.visibility === 'after_due_date')).toBe(
      true,
    );
    // The leaderboard carries the value the notebook recorded (mini.accuracy, judged to lie in [0.5, 1]).
    expect(results.leaderboard).toEqual([{ name: 'Accuracy', value: expect.any(Number) }]);
    expect(results.leaderboard![0].value).toBeGreaterThanOrEqual(0.5);
  });

  it('grades the uploaded files in place and still writes a results.json that says why when the grader cannot run', () => {
    fs.mkdirSync(path.join(tmp, 'submission', 'lib'), { recursive: true });
    fs.copyFileSync(path.join(MINI, 'solution', 'lib', 'ops.ts'), path.join(tmp, 'submission', 'lib', 'ops.ts'));
    const ok = runAutograder(SCRIPT, {
      TS231N_ASSIGNMENT: 'mini',
      TS231N_SPEC_DIR: path.join(MINI, 'spec'),
      TS231N_SOLUTION_DIR: path.join(MINI, 'solution'),
    });
    expect(ok.status).toBe(0);
    expect(valid(ok.results)).toBe(true);
    expect(ok.results.score).toBe(3);
    expect(ok.results.tests.find((t) => t.extra_data.id === 'mini.sum_rows')).toMatchObject({
      score: 0,
      max_score: 2,
      status: 'failed',
      output: expect.stringMatching(/ops\.ipynb is missing from the submission/),
    });

    const bad = runAutograder(SCRIPT, { TS231N_ASSIGNMENT: 'no_such_assignment' });
    expect(bad.status).toBe(0);
    expect(valid(bad.results)).toBe(true);
    expect(bad.results.score).toBe(0);
    expect(bad.results.output).toMatch(
      /^The autograder could not run: the grader exited with status 2 \(grade: no grading spec for assignment no_such_assignment/,
    );
  });

  it('over the daily limit nothing is graded and the previous result stands', () => {
    fs.mkdirSync(path.join(tmp, 'submission'));
    const spec = miniSpecDir();
    const prev = { score: 6, output: 'earlier', tests: [] };
    const previous = Array.from({ length: 5 }, (_, k) => ({
      submission_time: `2026-10-01T0${k}:00:00Z`,
      score: 6,
      results: prev,
    }));
    fs.writeFileSync(
      path.join(tmp, 'submission_metadata.json'),
      JSON.stringify(metadata('2026-10-01T10:00:00Z', previous)),
    );
    const { status, results } = runAutograder(SCRIPT, {
      TS231N_ASSIGNMENT: 'mini',
      TS231N_SPEC_DIR: spec,
      TS231N_SOLUTION_DIR: path.join(MINI, 'solution'),
    });
    expect(status).toBe(0);
    expect(results.score).toBe(6);
    expect(results.output).toMatch(/^\*\*This submission was not graded:\*\* 5 graded submissions per 24 hours/);
  });

  it('the package leaves out tests, docs and benchmarks but keeps everything grading reads', () => {
    const files = kitFiles('assignment1');
    for (const need of [
      'package.json',
      'package-lock.json',
      'grader/cli.ts',
      'grader/gradescope/finalize.ts',
      'kernel/runtime/index.ts',
      'scripts/setup.js',
    ])
      expect(files).toContain(need);
    expect(files.filter((f) => f.startsWith('tests/'))).toEqual([]);
  });
});
