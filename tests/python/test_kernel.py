"""jupyter_kernel_test conformance suite against the ts231n kernel.

Run from the repository root with Debian's Python (jest does this, tests/integration/jupyter/conformance.test.ts):

    JUPYTER_PATH=kernel/share/jupyter /usr/bin/python3 -m unittest -v tests/python/test_kernel.py

TS231N_KERNEL_NAME picks another kernelspec (the protocol tests use a stub-engine one).
Cells run with the repository root as working directory, so they import ./kernel/runtime/...
"""
import os
import unittest

import jupyter_kernel_test


class Ts231nKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("TS231N_KERNEL_NAME", "ts231n")
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    # A declaration earlier in the same request is visible to completion.
    completion_samples = [
        {"text": "const zzzAlpha = 1, zzzBeta = 2;\nzzz", "matches": ["zzzAlpha", "zzzBeta"]},
        {"text": "Math.ma"},
    ]
    complete_code_samples = ["1 + 1", "const a = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const xs = [1, 2,", "if (true) {"]
    invalid_code_samples = ["1 +* 2)", "const = 5;", "}"]

    code_inspect_sample = "Math.max"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "const s = 'ab'; s.length + 1", "result": "3"},
    ]

    code_display_data = [
        {
            "code": "import { emit } from './kernel/runtime/output';\n"
            "emit({ 'text/html': '<b>hi</b>', 'text/plain': 'hi' });",
            "mime": "text/html",
        },
        {
            "code": "import { emit as emit2 } from './kernel/runtime/output';\n"
            "emit2({ 'image/svg+xml': '<svg xmlns=\"http://www.w3.org/2000/svg\"/>', 'text/plain': 'svg' });",
            "mime": "image/svg+xml",
        },
    ]

    code_history_pattern = "6 * *"
    supported_history_operations = ("tail", "range", "search")


if __name__ == "__main__":
    unittest.main()
