"""jupyter_kernel_test conformance suite against the ts231n kernel, with every optional sample it has.

Run from the repository root with Debian's Python (jest does this, tests/integration/jupyter/conformance.test.ts):

    JUPYTER_PATH=$PWD/kernel/share/jupyter /usr/bin/python3 -m unittest -v tests/python/test_kernel.py

TS231N_KERNEL_NAME picks another kernelspec. The kernel starts in a fresh empty folder, as for a
notebook a student opened outside the kit; cells import the runtime as the package `ts231n`.

jupyter_kernel_test 0.4.5 (Debian) has one test per message kind; its optional fields and what this
file gives each (docs/kernel.md, "Conformance", has the counts):
- code_hello_world, code_stderr, code_generate_error: console.log, console.error, throw;
- completion_samples: exact match sets; complete/incomplete/invalid_code_samples: is_complete;
- code_inspect_sample (one); code_execute_result + code_history_pattern + supported_history_operations;
- code_display_data: HTML, SVG and PNG from the runtime's display helpers, and a progress bar;
- code_clear_output: the runtime's clearOutput();
- code_page_something: not given. TypeScript cells have no help syntax (IPython's `x?`) that pages
  text, and the kernel sends no pager payloads, so test_pager is skipped.
"""
import os
import shutil
import tempfile
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel


class Ts231nKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("TS231N_KERNEL_NAME", "ts231n")
    language_name = "typescript"
    file_extension = ".ts"

    @classmethod
    def setUpClass(cls):
        cls.notebook_dir = tempfile.mkdtemp(prefix="ts231n-conformance-")
        cls.km, cls.kc = start_new_kernel(kernel_name=cls.kernel_name, cwd=cls.notebook_dir, startup_timeout=90)
        # The suite gives each request 15 s. The first import of the runtime loads TensorFlow.js, which
        # takes longer than that on a loaded 2-core machine, so it is loaded once here, outside history.
        cls.kc.execute_interactive("import 'ts231n';", silent=True, store_history=False, timeout=120)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.notebook_dir, ignore_errors=True)

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    # Exact match sets. A declaration earlier in the same request is visible to completion.
    completion_samples = [
        {"text": "const zzzAlpha = 1, zzzBeta = 2;\nzzz", "matches": ["zzzAlpha", "zzzBeta"]},
        {"text": "Math.ma", "matches": ["max"]},
        {"text": "[1, 2].fil", "matches": ["fill", "filter"]},
        {"text": "const testVariableForCompletion = 42;\ntestVariableFor", "matches": ["testVariableForCompletion"]},
    ]
    complete_code_samples = ["1 + 1", "const a = 1;", "function f() { return 1; }", "class A {}"]
    incomplete_code_samples = [
        "function f() {",
        "const xs = [1, 2,",
        "if (true) {",
        "for (let i = 0; i < 3; i++) {",
        "/* a comment",
        "const s = `a ${",
    ]
    invalid_code_samples = ["1 +* 2)", "const = 5;", "}", "const x = ;", "let 1a = 2"]

    code_inspect_sample = "Math.max"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "const s = 'ab'; s.length + 1", "result": "3"},
        {"code": "import { tf } from 'ts231n';\ntf.tensor([[1, 2], [3, 4]])", "mime": "text/html"},
    ]

    code_display_data = [
        {
            "code": "import { emit } from 'ts231n';\nemit({ 'text/html': '<b>hi</b>', 'text/plain': 'hi' });",
            "mime": "text/html",
        },
        {
            "code": "import { plotLines } from 'ts231n';\nplotLines({ x: [1, 2, 3], series: { y: [1, 4, 9] } });",
            "mime": "image/svg+xml",
        },
        {
            "code": "import { plotLines as plotPng } from 'ts231n';\n"
            "plotPng({ x: [1, 2, 3], series: { y: [1, 4, 9] }, format: 'png' });",
            "mime": "image/png",
        },
        {
            "code": "import { progress } from 'ts231n';\nfor (const _ of progress([1, 2, 3], { label: 'steps' })) {}",
            "mime": "text/html",
        },
    ]

    code_history_pattern = "6 * *"
    supported_history_operations = ("tail", "range", "search")

    code_clear_output = "import { clearOutput } from 'ts231n';\nconsole.log('soon gone');\nclearOutput();"

    def test_pager(self):
        raise unittest.SkipTest("not applicable: no help syntax that pages text, no pager payloads")


if __name__ == "__main__":
    unittest.main()
