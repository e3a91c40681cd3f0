/**
 * Conformance of the ts231n kernel, counted per check:
 * - the official suite, jupyter_kernel_test (Debian's python3-jupyter-kernel-test on /usr/bin/python3),
 *   with every optional sample it has (tests/python/test_kernel.py);
 * - the 26 checks of runtimed's kernel test bed, on which Deno's kernel reports its score, re-done
 *   with jupyter_client (tests/python/test_testbed.py).
 * An expected failure would count as failed in the score. The verdicts of the last run are written
 * to test-output/conformance/ (git-ignored); docs/kernel.md has the score.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO, requireJupyterModule, runPython, unittestVerdicts } from '../../fixtures/jupyter/python';

const OUT = path.join(REPO, 'test-output', 'conformance');
const LIMIT_MS = 200_000;

jest.setTimeout(LIMIT_MS + 20_000);

type Verdicts = Map<string, string>;

async function suite(file: string): Promise<{ verdicts: Verdicts; ran: number; seconds: number }> {
  const r = await runPython(['-m', 'unittest', '-v', file], LIMIT_MS);
  const { ran, verdicts, failed } = unittestVerdicts(r.out);
  for (const [name, v] of verdicts)
    if (v === 'unexpected success') failed.push(`${name} (passed though marked expected to fail)`);
  if (failed.length || r.code !== 0)
    throw new Error(
      `${path.basename(file)}: ${failed.join(', ') || '(no test named)'} failed, exit ${r.code}\n${r.out.slice(-4000)}`,
    );
  if (ran !== verdicts.size)
    throw new Error(`${path.basename(file)}: ran ${ran} tests but read ${verdicts.size} verdicts`);
  return { verdicts, ran, seconds: r.seconds };
}

/** passed / failed (an expected failure is a failed check) / skipped */
function count(verdicts: string[]): { passed: number; failed: number; skipped: number } {
  return {
    passed: verdicts.filter((v) => v === 'ok').length,
    failed: verdicts.filter((v) => v === 'expected failure' || v === 'FAIL' || v === 'ERROR').length,
    skipped: verdicts.filter((v) => v.startsWith('skipped')).length,
  };
}

function save(name: string, verdicts: Verdicts): void {
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, name), JSON.stringify(Object.fromEntries(verdicts), null, 2) + '\n');
}

beforeAll(() => requireJupyterModule('jupyter_kernel_test', 'python3-jupyter-kernel-test'));

test('jupyter_kernel_test: every test with samples passes, and the pager is not applicable', async () => {
  const { verdicts, ran, seconds } = await suite('tests/python/test_kernel.py');
  save('jupyter_kernel_test.json', verdicts);
  expect(ran).toBe(12);
  for (const name of [
    'test_kernel_info',
    'test_execute_stdout',
    'test_execute_stderr',
    'test_completion',
    'test_is_complete',
    'test_error',
    'test_execute_result',
    'test_display_data',
    'test_history',
    'test_inspect',
    'test_clear_output',
  ])
    expect([name, verdicts.get(name)]).toEqual([name, 'ok']);
  expect(verdicts.get('test_pager')).toMatch(/^skipped 'not applicable: /);
  const c = count([...verdicts.values()]);
  process.stdout.write(
    `jupyter_kernel_test: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped in ${seconds.toFixed(1)} s\n`,
  );
});

test('the kernel test bed: all 26 checks in its 4 tiers pass', async () => {
  const { verdicts, ran, seconds } = await suite('tests/python/test_testbed.py');
  save('testbed.json', verdicts);
  expect(ran).toBe(26);
  const tiers = new Map<number, string[]>();
  for (const [name, v] of verdicts) {
    const tier = Number(/^test_\d+_t(\d)_/.exec(name)?.[1]);
    tiers.set(tier, [...(tiers.get(tier) ?? []), v]);
  }
  expect([...tiers.keys()].sort()).toEqual([1, 2, 3, 4]);
  expect([1, 2, 3, 4].map((t) => tiers.get(t)!.length)).toEqual([10, 7, 4, 5]);
  for (const [name, v] of verdicts) expect([name, v]).toEqual([name, 'ok']);
  const lines = [1, 2, 3, 4].map((t) => {
    const c = count(tiers.get(t)!);
    return `tier ${t}: ${c.passed}/${tiers.get(t)!.length} (${c.failed} failed, ${c.skipped} skipped)`;
  });
  const all = count([...verdicts.values()]);
  process.stdout.write(`kernel test bed: ${all.passed}/26 in ${seconds.toFixed(1)} s; ${lines.join('; ')}\n`);
});
