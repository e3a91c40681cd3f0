"""tslab's display API, clear_output and stdin on the wire, through jupyter_client (Debian,
/usr/bin/python3): each tslab.display method's display_data, newDisplay as display_data then
update_display_data with one display id, clearOutput's clear_output with its wait flag, input() and
password() answered over input_request/input_reply, and the one-line error without allow_stdin.

    JUPYTER_PATH=kernel/share/jupyter /usr/bin/python3 -m unittest -v tests/python/test_display_io.py
"""
import base64
import os
import unittest

from jupyter_client.manager import start_new_kernel

from tests.python.wire import interrupt_stops, outputs_of as wire_outputs, reply_to

KERNEL = os.environ.get("TS231N_KERNEL_NAME", "ts231n")
# Where Jupyter starts the kernel for a course notebook.
NOTEBOOK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assignments", "assignment1")


def outputs_of(kc, msg_id, timeout=90):
    return wire_outputs(kc, msg_id, timeout, skip=("status", "execute_input"))


def next_input_request(kc, msg_id, timeout=60):
    m = kc.get_stdin_msg(timeout=timeout)
    assert m["msg_type"] == "input_request", m
    assert m["parent_header"]["msg_id"] == msg_id, "input_request must name the execute_request as parent"
    return m["content"]


class DisplayAndInputTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120, cwd=os.path.normpath(NOTEBOOK_DIR))
        # The runtime (TensorFlow.js) loads once, here, not inside a timed scenario.
        content, _ = cls.run_cell(cls, "import * as tslab from 'tslab';\nimport { clearOutput, input, password } from 'ts231n';")
        assert content["status"] == "ok", content

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        if cls.km.is_alive():
            cls.km.shutdown_kernel(now=True)

    def run_cell(self, code, **kw):
        mid = self.kc.execute(code, **kw)
        reply = reply_to(self.kc, mid)
        return reply["content"], outputs_of(self.kc, mid)

    def test_each_tslab_display_method_sends_its_mime_bundle(self):
        content, out = self.run_cell(
            "\n".join(
                [
                    "const bytes = new Uint8Array([137, 80, 78, 71, 0, 255]);",
                    "tslab.display.html('<i>x</i>');",
                    "tslab.display.markdown('*m*');",
                    "tslab.display.latex('$x^2$');",
                    "tslab.display.svg('<svg xmlns=\"http://www.w3.org/2000/svg\"/>');",
                    "tslab.display.png(bytes);",
                    "tslab.display.jpeg(bytes);",
                    "tslab.display.gif(bytes);",
                    "tslab.display.pdf(bytes);",
                    "tslab.display.text('plain');",
                    "tslab.display.javascript('console.log(1)');",
                    "tslab.display.raw('application/vnd.custom+json', '{\"a\":1}');",
                ]
            )
        )
        self.assertEqual(content["status"], "ok", content)
        b64 = base64.b64encode(bytes([137, 80, 78, 71, 0, 255])).decode()
        self.assertEqual([m["msg_type"] for m in out], ["display_data"] * 11)
        self.assertEqual(
            [m["content"]["data"] for m in out],
            [
                {"text/html": "<i>x</i>"},
                {"text/markdown": "*m*"},
                {"text/latex": "$x^2$"},
                {"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"/>'},
                {"image/png": b64},
                {"image/jpeg": b64},
                {"image/gif": b64},
                {"application/pdf": b64},
                {"text/plain": "plain"},
                {"text/javascript": "console.log(1)"},
                {"application/vnd.custom+json": '{"a":1}'},
            ],
        )
        # tslab.display has no display id: nothing to update later.
        self.assertTrue(all(m["content"].get("transient", {}) == {} for m in out))

    def test_new_display_is_display_data_then_update_display_data_with_one_id(self):
        content, out = self.run_cell("const d = tslab.newDisplay();\nd.text('epoch 1');\nd.text('epoch 2');\nd.html('<b>done</b>');")
        self.assertEqual(content["status"], "ok", content)
        self.assertEqual([m["msg_type"] for m in out], ["display_data", "update_display_data", "update_display_data"])
        ids = {m["content"]["transient"]["display_id"] for m in out}
        self.assertEqual(len(ids), 1)
        self.assertRegex(ids.pop(), r"^[0-9a-f]{16}$")
        self.assertEqual([m["content"]["data"] for m in out], [{"text/plain": "epoch 1"}, {"text/plain": "epoch 2"}, {"text/html": "<b>done</b>"}])

    def test_tslab_versions(self):
        content, out = self.run_cell("tslab.versions.tslab + ' ' + tslab.versions.node")
        self.assertEqual(content["status"], "ok", content)
        result = [m for m in out if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"]
        self.assertRegex(result, r"^'1\.0\.22 v\d+\.\d+\.\d+'$")

    def test_clear_output_carries_the_wait_flag_in_order(self):
        content, out = self.run_cell("console.log('a');\nclearOutput();\nclearOutput({ wait: true });\nconsole.log('b');")
        self.assertEqual(content["status"], "ok", content)
        self.assertEqual(
            [(m["msg_type"], m["content"].get("wait", m["content"].get("text"))) for m in out],
            [("stream", "a\n"), ("clear_output", False), ("clear_output", True), ("stream", "b\n")],
        )

    def test_input_and_password_are_answered_over_stdin(self):
        mid = self.kc.execute("const who = await input('name? ');\nconst pw = await password('token: ');\n`${who}:${pw.length}`", allow_stdin=True)
        self.assertEqual(next_input_request(self.kc, mid), {"prompt": "name? ", "password": False})
        self.kc.input("Ada")
        self.assertEqual(next_input_request(self.kc, mid), {"prompt": "token: ", "password": True})
        self.kc.input("s3cret")
        reply = reply_to(self.kc, mid)["content"]
        self.assertEqual(reply["status"], "ok", reply)
        out = outputs_of(self.kc, mid)
        self.assertEqual([m["content"]["data"]["text/plain"] for m in out if m["msg_type"] == "execute_result"], ["'Ada:6'"])

    def test_input_without_allow_stdin_is_a_one_line_error(self):
        content, out = self.run_cell("await input('name? ');", allow_stdin=False)
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "StdinUnavailableError")
        self.assertNotIn("\n", content["evalue"])
        self.assertIn("needs a front end that allows stdin", content["evalue"])
        self.assertEqual([m["msg_type"] for m in out], ["error"])
        # the kernel goes on
        self.assertEqual(self.run_cell("1 + 1")[0]["status"], "ok")

    def test_interrupt_while_waiting_for_input(self):
        mid = self.kc.execute("await input('never answered ');", allow_stdin=True)
        next_input_request(self.kc, mid)
        interrupt_stops(self.km, self.kc, mid)
        content, _ = self.run_cell("2 + 2")
        self.assertEqual(content["status"], "ok")

    def test_interrupting_input_never_stops_a_later_cell(self):
        # The ■ can reach the kernel while the cell's synchronous code is still ending; a SIGINT
        # sent then used to break a later cell's code instead (3 of 40 rounds on an idle machine).
        for i in range(20):
            mid = self.kc.execute("await input('never answered ');", allow_stdin=True)
            next_input_request(self.kc, mid)
            interrupt_stops(self.km, self.kc, mid)
            for code in ("2 + 2", f"const d{i} = tslab.newDisplay();\nd{i}.text('epoch 1');"):
                content, _ = self.run_cell(code)
                self.assertEqual(content["status"], "ok", f"round {i}: {content}")


if __name__ == "__main__":
    unittest.main()
