/**
 * End to end on the real assignment 2, quick mode: the solution tree graded as a submission gets
 * full marks; the generated starter gets few points, each lost one with a "not implemented yet"
 * reason, and nothing crashes. The reference is cached in .cache/grader (git-ignored; its key
 * covers the solution tree, the spec, kernel/, the data set and the configuration).
 */
import { gradeSolutionAndStarter, lostPoints as lost } from '../../helpers/gradeAssignment';

jest.setTimeout(1_200_000);

const graded = gradeSolutionAndStarter('assignment2');
const byName = graded.byName;

describe('grading assignment 2 (quick mode)', () => {
  it('grades both without a grader failure, in the quick configuration', () => {
    expect(graded.batch().failures).toEqual([]);
    expect(graded.batch().configuration).toMatch(/^quick/);
    for (const r of byName.values()) expect(r.configuration.quick).toBe(true);
  });

  it('gives the solution tree full marks', () => {
    const r = byName.get('solution')!;
    expect(lost(r)).toEqual([]);
    expect(r.total).toBe(100);
    expect(r.maxTotal).toBe(100);
    expect(r.tasks.filter((t) => t.status !== 'ok')).toEqual([]);
  });

  it('gives the starter few points, with "not implemented yet" reasons and no crash', () => {
    const r = byName.get('starter')!;
    expect(r.total).toBeLessThan(15);
    expect(r.tasks.filter((t) => t.status === 'killed')).toEqual([]);
    expect(r.items.filter((i) => /not implemented yet: \S+ in cs231n\//.test(i.reason)).length).toBeGreaterThanOrEqual(
      15,
    );
    // Every lost point has a reason.
    for (const i of r.items) if (i.points < i.maxPoints) expect(i.reason).not.toBe('');
  });
});
