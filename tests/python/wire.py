"""
Shared by the jupyter_client tests under tests/python: wait for a request's reply or for one iopub
message it caused, collect its iopub messages until the kernel is idle again, and interrupt a cell.
"""
import time

from jupyter_client.utils import run_sync


def reply_to(kc, msg_id, channel="shell", timeout=90):
    """The reply to msg_id on the shell (default) or control channel; fails after timeout seconds."""
    get = kc.get_shell_msg if channel == "shell" else run_sync(kc.control_channel.get_msg)
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = get(timeout=max(0.1, deadline - time.time()))
        if m["parent_header"].get("msg_id") == msg_id:
            return m
    raise AssertionError(f"no reply to {msg_id} in {timeout}s")


def outputs_of(kc, msg_id, timeout=90, skip=()):
    """msg_id's iopub messages up to its idle status (which is left out), less the types in skip."""
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out
        if m["msg_type"] not in skip:
            out.append(m)
    raise AssertionError(f"no idle for {msg_id} in {timeout}s")


def iopub_message(kc, msg_id, msg_type, timeout=30):
    """The first iopub message of msg_type that msg_id caused (earlier ones are dropped)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == msg_type:
            return m
    raise AssertionError(f"no {msg_type} for {msg_id} in {timeout}s")


def interrupt_stops(km, kc, msg_id, timeout=15, note=""):
    """Interrupts the kernel; the cell msg_id must end with InterruptError. Its iopub is drained."""
    km.interrupt_kernel()
    r = reply_to(kc, msg_id, timeout=timeout)["content"]
    got = (r["status"], r.get("ename"))
    assert got == ("error", "InterruptError"), f"{got} != ('error', 'InterruptError') {note}"
    outputs_of(kc, msg_id)
