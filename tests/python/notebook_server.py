"""Drive the classic notebook server with the ts231n kernel, as a browser would.

Starts `/usr/bin/python3 -m notebook` on 127.0.0.1 (free port, random token, JUPYTER_PATH set
to the repository's kernelspecs), then: lists the kernel via /api/kernelspecs, starts it via
/api/kernels, runs a cell over /api/kernels/<id>/channels (tornado's websocket client),
interrupts a `while (true) {}` via /api/kernels/<id>/interrupt, runs a cell after it, deletes
the kernel, and stops the server. Prints one JSON object with what it saw; exit status 0 when
every step worked. Used by tests/jupyter.server.test.ts.

    /usr/bin/python3 tests/python/notebook_server.py <repo>
"""
import asyncio
import datetime
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from tornado.websocket import websocket_connect


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, repo, notebook_dir=None, env_extra=None):
        """Serves `notebook_dir` (default: the repository) with the repository's kernelspec."""
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.tmp = tempfile.mkdtemp(prefix="ts231n-nb-")
        env = dict(os.environ)
        env["JUPYTER_PATH"] = os.path.join(repo, "kernel", "share", "jupyter")
        env["JUPYTER_RUNTIME_DIR"] = os.path.join(self.tmp, "runtime")
        env["JUPYTER_CONFIG_DIR"] = os.path.join(self.tmp, "config")
        env.update(env_extra or {})
        self.log = open(os.path.join(self.tmp, "server.log"), "w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             "--port-retries=0", f"--NotebookApp.token={self.token}", f"--notebook-dir={notebook_dir or repo}"]
            + (["--allow-root"] if os.geteuid() == 0 else []),
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)

    def wait_up(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("notebook server exited: " + self.tail())
            try:
                return self.api("GET", "/api/status")
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("notebook server did not answer in %ss: %s" % (timeout, self.tail()))

    def tail(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def message(session, msg_type, content):
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "test", "session": session, "msg_type": msg_type,
                   "version": "5.3", "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": [],
    }


async def run_cell(ws, session, code, timeout=60, on_busy=None):
    """Send an execute_request; collect its IOPub outputs and reply until it is idle again."""
    msg = message(session, "execute_request", {"code": code, "silent": False, "store_history": True,
                                                "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    await ws.write_message(json.dumps(msg))
    mid = msg["header"]["msg_id"]
    outputs, reply, idle = [], None, False
    deadline = time.time() + timeout
    while not (reply and idle):
        raw = await asyncio.wait_for(ws.read_message(), max(0.1, deadline - time.time()))
        if raw is None:
            raise RuntimeError("websocket closed")
        m = json.loads(raw)
        if m.get("parent_header", {}).get("msg_id") != mid:
            continue
        t = m["header"]["msg_type"]
        if t == "execute_reply":
            reply = m["content"]
        elif t == "status":
            if m["content"]["execution_state"] == "busy" and on_busy:
                await on_busy()
            idle = m["content"]["execution_state"] == "idle"
        elif t != "execute_input":
            outputs.append({"type": t, **{k: m["content"].get(k) for k in ("name", "text", "data", "ename", "evalue", "execution_count")}})
    return reply, outputs


async def scenario(server, seen):
    _, specs = server.api("GET", "/api/kernelspecs")
    seen["kernelspecs"] = sorted(specs["kernelspecs"])
    seen["display_name"] = specs["kernelspecs"].get("ts231n", {}).get("spec", {}).get("display_name")
    t0 = time.time()
    status, kernel = server.api("POST", "/api/kernels", {"name": "ts231n"})
    seen["start_status"] = status
    kid = kernel["id"]
    ws = await websocket_connect(f"ws://127.0.0.1:{server.port}/api/kernels/{kid}/channels?token={server.token}")
    session = uuid.uuid4().hex
    reply, outputs = await run_cell(ws, session, 'console.log("from the websocket");\nconst xs: number[] = [1, 2, 3];\nxs.reduce((a, b) => a + b, 0)')
    seen["first_cell_seconds"] = round(time.time() - t0, 2)
    seen["reply"] = {k: reply.get(k) for k in ("status", "execution_count")}
    seen["outputs"] = outputs

    async def interrupt_soon():
        await asyncio.sleep(1.0)
        server.api("POST", f"/api/kernels/{kid}/interrupt")

    async def busy():
        asyncio.ensure_future(interrupt_soon())

    reply, outputs = await run_cell(ws, session, "while (true) {}", on_busy=busy)
    seen["interrupt_reply"] = {k: reply.get(k) for k in ("status", "ename")}
    reply, outputs = await run_cell(ws, session, "xs.length")
    seen["after_interrupt"] = [o.get("data", {}).get("text/plain") for o in outputs if o["type"] == "execute_result"]
    ws.close()
    status, _ = server.api("DELETE", f"/api/kernels/{kid}")
    seen["delete_status"] = status
    _, kernels = server.api("GET", "/api/kernels")
    seen["kernels_after_delete"] = len(kernels)


def main():
    repo = os.path.abspath(sys.argv[1])
    server = Server(repo)
    seen = {}
    code = 1
    try:
        server.wait_up()
        _, about = server.api("GET", "/api")
        seen["server_version"] = about.get("version")
        asyncio.run(asyncio.wait_for(scenario(server, seen), 150))
        code = 0
    except Exception as e:  # report, do not hide: the jest test prints this
        seen["error"] = f"{type(e).__name__}: {e}"
        seen["server_log"] = server.tail()
    finally:
        server.stop()
    print(json.dumps(seen))
    sys.exit(code)


if __name__ == "__main__":
    main()
