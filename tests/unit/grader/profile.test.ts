/** `grade --profile`'s text (grader/profile.ts): phases largest first with shares, CPU seconds, the mean of runs. */
import { formatProfile, meanProfile } from '../../../grader/profile';

describe('profile', () => {
  it('lists phases largest first with their share of the wall time, the CPU seconds and the slowest cells', () => {
    const text = formatProfile(
      's01',
      { phases: { 'type checker start': 10, 'cells: total': 30 }, cells: [['knn.ipynb cell 2', 12]], cpuS: 25.04 },
      40,
    );
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(
      'profile of s01 (40.0 s wall in the grader, 25.0 s CPU (user + system) in its sandboxed children):',
    );
    expect(lines[1]).toMatch(/^ {2}cells: total +30\.0 s {2}75%$/);
    expect(lines[2]).toMatch(/^ {2}type checker start +10\.0 s {2}25%$/);
    expect(lines[3]).toBe('  slowest cells: knn.ipynb cell 2 12.0 s');
  });

  it('averages phases and CPU over runs; a run without CPU seconds is left out of that mean', () => {
    const m = meanProfile([
      { phases: { a: 2, b: 4 }, cells: [], cpuS: 10 },
      { phases: { a: 4 }, cells: [], cpuS: 20 },
      { phases: { a: 6 }, cells: [] },
    ]);
    expect(m.phases).toEqual({ a: 4, b: 4 / 3 });
    expect(m.cpuS).toBe(15);
    expect(formatProfile('x', { phases: { a: 1 }, cells: [] }, 2)).not.toMatch(/CPU/);
  });
});
