/**
 * The official conformance suite, jupyter_kernel_test (Debian's python3-jupyter-kernel-test on
 * /usr/bin/python3), against the ts231n kernelspec: every applicable test passes; the two that
 * do not apply (pager payloads, clear_output — the runtime has neither) are the only skips.
 */
import { requireJupyterModule, runPython, unittestVerdicts } from '../../fixtures/jupyter/python';

test('jupyter_kernel_test: all applicable tests pass, only pager and clear_output are skipped', async () => {
  await requireJupyterModule('jupyter_kernel_test', 'python3-jupyter-kernel-test');
  const r = await runPython(['-m', 'unittest', '-v', 'tests/python/test_kernel.py'], 110000);
  const { ran, verdicts, failed } = unittestVerdicts(r.out);
  if (failed.length || r.code !== 0)
    throw new Error(
      `conformance failures: ${failed.join(', ') || '(none parsed)'}, exit ${r.code}\n${r.out.slice(-4000)}`,
    );
  expect(ran).toBe(12);
  const skipped = [...verdicts]
    .filter(([, v]) => v.startsWith('skipped'))
    .map(([k]) => k)
    .sort();
  expect(skipped).toEqual(['test_clear_output', 'test_pager']);
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
  ]) {
    expect([name, verdicts.get(name)]).toEqual([name, 'ok']);
  }
  expect(r.out).toMatch(/OK \(skipped=2\)/);
  process.stdout.write(`jupyter_kernel_test: 10 passed, 0 failed, 2 skipped in ${r.seconds.toFixed(1)} s\n`);
});
