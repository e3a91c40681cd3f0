/**
 * Protocol behaviour beyond the conformance suite, through jupyter_client
 * (tests/python/test_protocol.py): heartbeat and control while a cell blocks; interrupt_request
 * on control, also while the cell still compiles; SIGINT stopping an awaiting cell; SIGINT when idle; stop_on_error; late output;
 * no orphan kernel when the client dies; comm_info; restart and graceful shutdown; an engine
 * that cannot start gives each cell the reason instead of a dead kernel.
 */
import { requireJupyterModule, runPython, unittestVerdicts } from '../../fixtures/jupyter/python';

test('jupyter_client drives the kernel: every protocol scenario passes', async () => {
  await requireJupyterModule('jupyter_client', 'jupyter-notebook');
  const r = await runPython(['-m', 'unittest', '-v', 'tests/python/test_protocol.py'], 110000);
  const { ran, verdicts, failed } = unittestVerdicts(r.out);
  if (failed.length || r.code !== 0)
    throw new Error(
      `protocol failures: ${failed.join(', ') || '(none parsed)'}, exit ${r.code}\n${r.out.slice(-4000)}`,
    );
  expect(ran).toBe(11);
  // Kernel log lines (stderr of the kernels) may interleave with unittest's verdicts, so the
  // summary line is the verdict: all 11 ran, none failed, none skipped.
  expect(r.out).toMatch(/^OK$/m);
  expect([...verdicts.values()].filter((v) => v !== 'ok')).toEqual([]);
});
