"""Typed completions, TSDoc inspection and the tensor-leak meter on the wire, through jupyter_client
(Debian, /usr/bin/python3). The kernel starts in assignments/assignment1, as for its notebooks.

    JUPYTER_PATH=$PWD/kernel/share/jupyter /usr/bin/python3 -m unittest -v tests/python/test_types_and_leaks.py
"""
import os
import unittest

from jupyter_client.manager import start_new_kernel

from tests.python.wire import reply_to

KERNEL = os.environ.get("TS231N_KERNEL_NAME", "ts231n")
ASSIGNMENT1 = os.path.join(os.path.dirname(__file__), "..", "..", "assignments", "assignment1")
WARNING = "⚠ this cell left "

SETUP = "\n".join(
    [
        "import { tf } from 'ts231n';",
        "import { svmLossNaive } from './cs231n/classifiers/linearSvm';",
        "const W = tf.zeros([3, 2]);",
        "let steps = 3;",
        "function scale(x: number): number { return 2 * x; }",
        "class Box { width = 1; }",
    ]
)


def run_cell(kc, code):
    mid = kc.execute(code)
    reply = reply_to(kc, mid, timeout=120)
    out = []
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") != mid:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return reply["content"], out
        out.append(m)


def stderr_of(outputs):
    streams = [m["content"] for m in outputs if m["msg_type"] == "stream"]
    return "".join(c["text"] for c in streams if c["name"] == "stderr")


def start(env=None):
    kw = {"cwd": ASSIGNMENT1}
    if env is not None:
        kw["env"] = env
    return start_new_kernel(kernel_name=KERNEL, startup_timeout=120, **kw)


class TypesAndLeaks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start()
        content, _ = run_cell(cls.kc, SETUP)
        assert content["status"] == "ok", content

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def complete(self, code, pos=None):
        mid = self.kc.complete(code, len(code) if pos is None else pos)
        return reply_to(self.kc, mid, timeout=120)["content"]

    def inspect(self, code, pos):
        mid = self.kc.inspect(code, pos)
        return reply_to(self.kc, mid, timeout=120)["content"]

    def types(self, code):
        c = self.complete(code)
        self.assertEqual(c["status"], "ok")
        items = c["metadata"]["_jupyter_types_experimental"]
        # One item per match, in the same order, over the same span.
        self.assertEqual([i["text"] for i in items], c["matches"])
        for i in items:
            self.assertEqual((i["start"], i["end"]), (c["cursor_start"], c["cursor_end"]))
            self.assertEqual(set(i), {"start", "end", "text", "type", "signature"})
        return {i["text"]: i for i in items}

    def test_a_course_function_is_a_function_with_its_signature(self):
        t = self.types("svmLo")
        self.assertEqual(t["svmLossNaive"]["type"], "function")
        self.assertEqual(
            t["svmLossNaive"]["signature"],
            "function svmLossNaive(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number): [number, tf.Tensor2D]",
        )

    def test_kinds_are_named_as_ipython_names_them(self):
        self.assertEqual(
            self.types("ste")["steps"],
            {"start": 0, "end": 3, "text": "steps", "type": "instance", "signature": "let steps: number"},
        )
        self.assertEqual(self.types("sca")["scale"]["type"], "function")
        self.assertEqual(self.types("Bo")["Box"]["type"], "class")
        self.assertEqual(self.types("W.resh")["reshape"]["type"], "function")
        self.assertIn("reshape", self.types("W.resh")["reshape"]["signature"])
        self.assertEqual(self.types("W.sha")["shape"]["type"], "property")
        self.assertEqual(self.types("retu")["return"]["type"], "keyword")
        self.assertEqual(self.types("t")["tf"]["type"], "module")

    def test_a_long_list_has_a_type_for_every_match(self):
        t = self.types("tf.")
        self.assertGreater(len(t), 300)
        self.assertNotIn("<unknown>", {i["type"] for i in t.values()})

    def test_inspect_shows_the_tsdoc_of_a_course_function_with_shapes(self):
        r = self.inspect("svmLossNaive", 3)
        self.assertTrue(r["found"])
        plain = r["data"]["text/plain"]
        signature = "function svmLossNaive(W: tf.Tensor, X: tf.Tensor, y: tf.Tensor, reg: number)"
        self.assertTrue(plain.startswith(signature), plain)
        self.assertIn("Structured (multiclass) SVM loss function, naive implementation (with loops).", plain)
        self.assertIn("- W: float32 tensor of shape (D, C) containing weights.", plain)
        self.assertIn("- X: float32 tensor of shape (N, D) containing a minibatch of data.", plain)
        self.assertNotIn("import svmLossNaive", plain)
        self.assertTrue(r["data"]["text/markdown"].startswith("```typescript\nfunction svmLossNaive("))

    def test_inspect_inside_the_parentheses_of_a_call_shows_the_called_function(self):
        code = "svmLossNaive(W, "
        r = self.inspect(code, len(code))
        self.assertTrue(r["found"])
        self.assertIn("(D, C)", r["data"]["text/plain"])
        self.assertFalse(self.inspect("   ", 1)["found"])

    def test_a_leaking_loop_shows_one_line_on_stderr_and_a_tidied_one_none(self):
        content, out = run_cell(self.kc, "for (let i = 0; i < 300; i++) tf.scalar(i).add(1);")
        self.assertEqual(content["status"], "ok")
        self.assertTrue(stderr_of(out).startswith(WARNING + "600 tensors"), stderr_of(out))
        _, out = run_cell(self.kc, "tf.tidy(() => { for (let i = 0; i < 300; i++) tf.scalar(i).add(1); });")
        self.assertEqual(stderr_of(out), "")
        _, out = run_cell(self.kc, "const kept = Array.from({ length: 300 }, (_, i) => tf.scalar(i));")
        self.assertEqual(stderr_of(out), "")


class LeaksOff(unittest.TestCase):
    def test_TS231N_LEAKS_off_in_the_kernels_environment_silences_the_meter(self):
        km, kc = start(env={**os.environ, "TS231N_LEAKS": "off"})
        try:
            run_cell(kc, "import { tf } from 'ts231n';")
            content, out = run_cell(kc, "for (let i = 0; i < 300; i++) tf.scalar(i).add(1);")
            self.assertEqual(content["status"], "ok")
            self.assertEqual(stderr_of(out), "")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
