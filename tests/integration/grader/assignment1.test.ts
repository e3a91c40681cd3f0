/**
 * End to end on the real assignment 1, quick mode: the solution tree graded as a submission gets
 * full marks; the generated starter gets few points, each lost one with a "not implemented yet"
 * reason, and nothing crashes. The reference is cached in .cache/grader (git-ignored; its key
 * covers the solution tree, the spec, kernel/, the data set and the configuration).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gradeBatch, type BatchResult } from '../../../grader/batch';
import { copyTree } from '../../../grader/workspace';
import type { StudentResult } from '../../../grader/types';
import { TESTS_DIR } from '../../helpers/paths';

jest.setTimeout(1_200_000);

const REPO = path.resolve(TESTS_DIR, '..');
let tmp: string;
let batch: BatchResult;
const byName = new Map<string, StudentResult>();
const quickBefore = process.env.TS231N_QUICK;

beforeAll(async () => {
  process.env.TS231N_QUICK = '1';
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grader-a1-'));
  const subs = path.join(tmp, 'submissions');
  copyTree(path.join(REPO, 'solutions', 'assignment1'), path.join(subs, 'solution'));
  copyTree(path.join(REPO, 'assignments', 'assignment1'), path.join(subs, 'starter'));
  batch = await gradeBatch({
    assignment: 'assignment1',
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

const lost = (r: StudentResult) =>
  r.items.filter((i) => !i.pendingManual && i.points < i.maxPoints).map((i) => `${i.id}: ${i.reason}`);

describe('grading assignment 1 (quick mode)', () => {
  it('grades both without a grader failure, in the quick configuration', () => {
    expect(batch.failures).toEqual([]);
    expect(batch.configuration).toMatch(/^quick/);
    for (const r of byName.values()) expect(r.configuration.quick).toBe(true);
  });

  it('gives the solution tree full marks', () => {
    const r = byName.get('solution')!;
    expect(lost(r)).toEqual([]);
    expect(r.total).toBe(100);
    expect(r.maxTotal).toBe(100);
    expect(r.tasks.filter((t) => t.status !== 'ok')).toEqual([]);
  });

  it('restores no given cell of the solution or the starter (given.json matches both)', () => {
    for (const r of byName.values()) expect(r.notebooks.flatMap((n) => n.restored ?? [])).toEqual([]);
  });

  it('gives the starter few points, with "not implemented yet" reasons and no crash', () => {
    const r = byName.get('starter')!;
    expect(r.total).toBeLessThan(15);
    expect(r.tasks.filter((t) => t.status === 'killed')).toEqual([]);
    // Measured: 4 / 100 (the given feature code), 40+ of 55 items lost to "not implemented yet".
    expect(r.items.filter((i) => /not implemented yet: \S+ in cs231n\//.test(i.reason)).length).toBeGreaterThanOrEqual(
      15,
    );
    expect(r.items.filter((i) => /not implemented yet/.test(i.reason)).length).toBeGreaterThanOrEqual(40);
    // Every lost point has a reason.
    for (const i of r.items) if (i.points < i.maxPoints) expect(i.reason).not.toBe('');
  });
});
