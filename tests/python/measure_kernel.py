"""Measure the ts231n kernel as Jupyter sees it: start-to-ready (process start until the
kernel_info reply, i.e. the kernel is idle and can run cells), the first cell, and a cell that
imports the notebook runtime (TensorFlow.js). Median of N fresh kernels.

    JUPYTER_PATH=$PWD/kernel/share/jupyter /usr/bin/python3 tests/python/measure_kernel.py [N]
    JUPYTER_PATH=$PWD/tests/fixtures/jupyter/share TS231N_KERNEL_NAME=ts231n-stub \
        /usr/bin/python3 tests/python/measure_kernel.py 5 --no-runtime   # protocol layer alone
"""
import json
import os
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

KERNEL = os.environ.get("TS231N_KERNEL_NAME", "ts231n")
# The stub-engine kernel (tests/fixtures/jupyter/share) runs JavaScript only: no runtime import.
NO_RUNTIME = "--no-runtime" in sys.argv


def timed_cell(kc, code):
    t0 = time.time()
    reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return time.time() - t0


REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Where a student's notebook runs: Jupyter starts the kernel in the notebook's folder.
NOTEBOOK_DIR = os.path.join(REPO, "assignments", "assignment1")


def once():
    km = KernelManager(kernel_name=KERNEL)
    t0 = time.time()
    km.start_kernel(cwd=NOTEBOOK_DIR)
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        ready = time.time() - t0
        first = timed_cell(kc, "1 + 1")
        second = timed_cell(kc, "2 + 2")
        runtime = None if NO_RUNTIME else timed_cell(kc, "import { tf } from 'ts231n';\ntf.tensor([1, 2, 3]).sum().dataSync()[0]")
    finally:
        kc.stop_channels()
        t1 = time.time()
        km.shutdown_kernel(now=False)
    return {"start_to_ready": ready, "first_cell": first, "next_cell": second, "runtime_import_cell": runtime, "shutdown": time.time() - t1}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 3
    runs = [once() for _ in range(n)]
    med = {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0] if runs[0][k] is not None}
    print(json.dumps({"runs": n, "median_seconds": med, "loadavg_1min": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
