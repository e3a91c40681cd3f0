"""Protocol behaviour beyond jupyter_kernel_test, through jupyter_client (Debian, /usr/bin/python3):
heartbeat and control answer while a cell blocks the main thread, interrupt_request on control,
SIGINT when idle, stop_on_error, restart and graceful shutdown.

    JUPYTER_PATH=kernel/share/jupyter /usr/bin/python3 -m unittest -v tests/python/test_protocol.py
"""
import os
import signal
import subprocess
import sys
import time
import unittest
from queue import Empty

from jupyter_client.manager import start_new_kernel

from tests.python.wire import interrupt_stops, iopub_message, outputs_of, reply_to

KERNEL = os.environ.get("TS231N_KERNEL_NAME", "ts231n")


class ProtocolTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=90)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        if cls.km.is_alive():
            cls.km.shutdown_kernel(now=True)

    def tearDown(self):
        # A test that failed with a cell still spinning must not hang the ones after it.
        if not self.km.is_alive():
            return
        mid = self.kc.execute("0")
        try:
            reply_to(self.kc, mid, timeout=20)
        except (AssertionError, Empty):
            self.km.interrupt_kernel()
            reply_to(self.kc, mid, timeout=20)
        outputs_of(self.kc, mid)

    def run_cell(self, code, **kw):
        mid = self.kc.execute(code, **kw)
        reply = reply_to(self.kc, mid)
        return reply["content"], outputs_of(self.kc, mid)

    def control(self, msg_type, content=None):
        msg = self.kc.session.msg(msg_type, content or {})
        self.kc.control_channel.send(msg)
        return msg["header"]["msg_id"]

    def test_heartbeat_and_control_answer_while_a_cell_blocks(self):
        self.run_cell("let spinUntil = 0;")
        # The cell blocks the main thread for 8 s; after 2 s, the answers must not wait for it.
        mid = self.kc.execute("spinUntil = Date.now() + 8000; while (Date.now() < spinUntil) {}")
        time.sleep(2.0)
        self.assertTrue(self.kc.hb_channel.is_beating(), "heartbeat stopped while the cell ran")
        t0 = time.time()
        rid = self.control("kernel_info_request")
        info = reply_to(self.kc, rid, channel="control", timeout=5)
        self.assertLess(time.time() - t0, 3.0)
        self.assertEqual(info["content"]["status"], "ok")
        self.assertEqual(reply_to(self.kc, mid)["content"]["status"], "ok")
        self.assertGreater(time.time() - t0, 4.0)  # the cell really was still running
        outputs_of(self.kc, mid)

    def test_interrupt_request_on_control_stops_while_true(self):
        mid = self.kc.execute("while (true) {}")
        time.sleep(1.0)
        rid = self.control("interrupt_request")
        self.assertEqual(reply_to(self.kc, rid, channel="control", timeout=5)["content"], {"status": "ok"})
        r = reply_to(self.kc, mid, timeout=10)["content"]
        self.assertEqual((r["status"], r["ename"]), ("error", "InterruptError"))
        errors = [m for m in outputs_of(self.kc, mid) if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        content, _ = self.run_cell("1 + 1")
        self.assertEqual(content["status"], "ok")

    def test_interrupt_stops_an_awaiting_cell(self):
        mid = self.kc.execute("await new Promise((resolve) => setTimeout(resolve, 60000));")
        time.sleep(1.0)
        interrupt_stops(self.km, self.kc, mid, timeout=10)

    def test_interrupt_while_the_cell_compiles(self):
        # The first ■ must stop the cell even when it comes before the cell's code has started.
        # It is sent once the kernel has the request (its execute_input is out): the client's
        # shell and control are two connections, so a ■ sent at once could reach the kernel
        # first, and a kernel can only order what it has received.
        for delay in (0.0, 0.05, 0.2):
            mid = self.kc.execute("while (true) {}")
            iopub_message(self.kc, mid, "execute_input")
            time.sleep(delay)
            interrupt_stops(self.km, self.kc, mid, note=f"after {delay} s")

    def test_interrupt_before_the_cell_starts_stops_it(self):
        # A timer the previous cell left blocks the main thread between cells, so the next
        # request waits in the kernel; a ■ sent then is for that cell, which must stop as it starts.
        self.run_cell("setTimeout(() => { const t = Date.now() + 1500; while (Date.now() < t) {} }, 0);")
        mid = self.kc.execute("while (true) {}")
        time.sleep(0.5)
        interrupt_stops(self.km, self.kc, mid)

    def test_sigint_when_idle_does_not_kill_the_kernel(self):
        self.km.signal_kernel(signal.SIGINT)  # a front end that sends SIGINT itself
        time.sleep(0.5)
        self.assertTrue(self.km.is_alive())
        content, out = self.run_cell("'still here'")
        self.assertEqual(content["status"], "ok")
        self.assertIn("still here", [m for m in out if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"])

    def test_stop_on_error_aborts_queued_cells_and_allow_errors_does_not(self):
        ids = [self.kc.execute(c) for c in ("1", "throw new Error('stop here')", "2")]
        replies = [reply_to(self.kc, i)["content"] for i in ids]
        self.assertEqual([r["status"] for r in replies], ["ok", "error", "aborted"])
        # as in IPython, an aborted cell gets no execution count (the notebook shows In [ ])
        self.assertNotIn("execution_count", replies[2])
        ids = [self.kc.execute(c, stop_on_error=False) for c in ("1", "throw new Error('go on')", "2")]
        statuses = [reply_to(self.kc, i)["content"]["status"] for i in ids]
        self.assertEqual(statuses, ["ok", "error", "ok"])
        # a request sent after the error reply is never aborted
        mid = self.kc.execute("throw new Error('x')")
        reply_to(self.kc, mid)
        self.assertEqual(self.run_cell("3")[0]["status"], "ok")

    def test_output_after_the_cell_ended_goes_to_that_cell(self):
        mid = self.kc.execute("setTimeout(() => console.log('late hello'), 300);")
        reply_to(self.kc, mid)
        outputs_of(self.kc, mid)
        deadline = time.time() + 10
        while time.time() < deadline:
            m = self.kc.get_iopub_msg(timeout=10)
            if m["msg_type"] == "stream" and m["parent_header"].get("msg_id") == mid:
                self.assertEqual(m["content"], {"name": "stdout", "text": "late hello\n"})
                return
        self.fail("the timer's output never arrived")

    def test_kernel_ends_when_the_process_that_started_it_dies(self):
        code = (
            "import os, sys\n"
            "from jupyter_client.manager import KernelManager\n"
            f"km = KernelManager(kernel_name={KERNEL!r}); km.start_kernel()\n"
            "print(km.provisioner.process.pid, flush=True)\n"
            "os._exit(0)\n"
        )
        # The client exits at once, unreaped for now: the kernel must still notice.
        client = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        pid = int(client.stdout.readline())
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    ended = f.read().split(") ")[1].startswith(("Z", "X"))
            except FileNotFoundError:
                ended = True
            if ended:
                client.wait()
                return
            time.sleep(0.2)
        os.kill(pid, 9)
        client.wait()
        self.fail(f"kernel {pid} outlived its parent")

    def test_comm_info_is_empty(self):
        mid = self.kc.comm_info()
        self.assertEqual(reply_to(self.kc, mid)["content"], {"status": "ok", "comms": {}})

    def test_zz_restart_then_graceful_shutdown(self):
        self.run_cell("(globalThis as any).marker = 'old kernel';")
        old_pid = self.km.provisioner.process.pid
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=90)
        self.assertNotEqual(self.km.provisioner.process.pid, old_pid)
        content, out = self.run_cell("(globalThis as any).marker ?? 'fresh kernel'")
        self.assertEqual(content["execution_count"], 1)
        self.assertEqual([m["content"]["data"]["text/plain"] for m in out if m["msg_type"] == "execute_result"], ["'fresh kernel'"])
        t0 = time.time()
        self.km.shutdown_kernel(now=False)
        took = time.time() - t0
        self.assertFalse(self.km.is_alive())
        # jupyter_client kills a kernel that has not exited after 5 s; ours exits on its own.
        self.assertLess(took, 4.0)


class EngineStartFailure(unittest.TestCase):
    """Kernelspec ts231n-broken (tests/fixtures/jupyter/share): the engine throws on start."""

    def test_cells_answer_with_the_reason_and_the_kernel_stays_up(self):
        km, kc = start_new_kernel(kernel_name="ts231n-broken", startup_timeout=60)
        try:
            mid = kc.execute("1 + 1")
            r = reply_to(kc, mid)["content"]
            self.assertEqual((r["status"], r["ename"]), ("error", "KernelStartError"))
            self.assertIn("typescript is not installed", r["evalue"])
            self.assertTrue(km.is_alive())
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
