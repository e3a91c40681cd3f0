"""What the kit's runtime package (kernel/runtime, imported in cells as `ts231n`) exports, read from its source.

The kit is the one the kernel runs: TS231N_HOME when set (the kernelspec's launcher honours it too),
else this repository.
"""
import os
import re

REPO = os.environ.get("TS231N_HOME") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def runtime_exports(name):
    """True when the runtime package (kernel/runtime, imported as `ts231n`) declares export `name`."""
    pattern = re.compile(rf"export\s+(?:async\s+)?(?:function|const|let|class)\s+{name}\b|export\s*{{[^}}]*\b{name}\b")
    for folder, _, files in os.walk(os.path.join(REPO, "kernel", "runtime")):
        for f in files:
            if f.endswith(".ts") and not f.endswith(".d.ts"):
                with open(os.path.join(folder, f), encoding="utf-8") as fh:
                    if pattern.search(fh.read()):
                        return True
    return False
