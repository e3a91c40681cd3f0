/**
 * Protocol behaviour beyond the conformance suite, through jupyter_client
 * (tests/python/test_protocol.py): heartbeat and control while a cell blocks, interrupt_request
 * on control, SIGINT when idle, stop_on_error, comm_info, restart and graceful shutdown.
 */
import { requireJupyterModule, runPython, unittestVerdicts } from './fixtures/jupyter/python';

test('jupyter_client drives the kernel: every protocol scenario passes', async () => {
  await requireJupyterModule('jupyter_client', 'jupyter-notebook');
  const r = await runPython(['-m', 'unittest', '-v', 'tests/python/test_protocol.py'], 110000);
  const { ran, verdicts, failed } = unittestVerdicts(r.out);
  if (failed.length || r.code !== 0) throw new Error(`protocol failures: ${failed.join(', ') || '(none parsed)'}, exit ${r.code}\n${r.out.slice(-4000)}`);
  expect(ran).toBe(6);
  expect([...verdicts.values()]).toEqual(Array(6).fill('ok'));
});
