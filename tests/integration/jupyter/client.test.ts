/**
 * Protocol behaviour beyond the conformance suite, through jupyter_client
 * (tests/python/test_protocol.py): heartbeat and control while a cell blocks; interrupt_request
 * on control, also while the cell still compiles or waits its turn; SIGINT stopping an awaiting cell; SIGINT when idle; stop_on_error; late output;
 * no orphan kernel when the client dies; comm_info; restart and graceful shutdown; an engine
 * that cannot start gives each cell the reason instead of a dead kernel.
 */
import { expectUnittestFilePasses } from '../../fixtures/jupyter/python';

test('jupyter_client drives the kernel: every protocol scenario passes', async () => {
  await expectUnittestFilePasses('tests/python/test_protocol.py', 12, 110000);
});
