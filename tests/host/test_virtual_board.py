"""The deploy path real boards use, on a virtual board: a `micropython` process
on a pseudo-terminal whose working directory plays the board's flash. `make
deploy`'s tool copies the board's .mpy files, board.json and main.py onto it
with mpremote; started with mpremote, the board registers with the embedded
LwM2M server through a simulated BG96 on a second pseudo-terminal, and answers
a Read the server sends back the same way."""
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time

import pytest

from host_sim.modems.bg96 import Bg96Sim
from host_sim.modems.bridge import PtyModem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")


def need(tool):
    path = shutil.which(tool) or (os.path.join(BIN, tool) if os.path.exists(os.path.join(BIN, tool)) else None)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("%s is required in CI (make system-deps)" % tool)
        pytest.skip("%s not installed (make system-deps)" % tool)
    return path


class Lines:
    """A process's stdout as a queue of lines, for waiting on what it prints."""

    def __init__(self, proc):
        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.q.put(line.rstrip("\n"))

    def wait_for(self, text, timeout):
        end = time.time() + timeout
        while time.time() < end:
            try:
                line = self.q.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError("never printed %r; saw:\n%s" % (text, "\n".join(self.seen[-30:])))


def test_deploy_to_a_virtual_board_and_register_through_a_simulated_bg96(tmp_path):
    socat = need("socat")
    micropython = need("micropython")
    mpremote = need("mpremote")
    if not os.path.isdir(os.path.join(ROOT, "build", "mpy")):
        pytest.skip("build/mpy missing: run make mpy")
    flash = tmp_path / "flash"
    flash.mkdir()
    board_tty = str(tmp_path / "board")
    procs = []
    modem = None
    try:
        server = subprocess.Popen([sys.executable, "-m", "host_sim.server", "--port", "0"], cwd=ROOT,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "firmware")))
        procs.append(server)
        out = Lines(server)
        first = out.wait_for("listening on", 20)
        port = int(first.split("listening on")[1].split()[0].rsplit(":", 1)[1])

        modem = PtyModem(lambda clock, send: Bg96Sim(clock, send, attach_ms=0, open_ms=50, latency_ms=5)).start()
        config = tmp_path / "board.json"
        config.write_text(json.dumps({
            "board": "unix", "port": "unix", "endpoint": "vboard", "lifetime": 120,
            "server": "coap://127.0.0.1:%d" % port,
            "modem": {"type": "bg96", "tty": modem.path, "apn": "iot", "push": True},
            "formats": [0, 40, 112, 11542], "extra_modules": ["lwm2m.port.tty"],
        }))
        board = subprocess.Popen([socat, "PTY,link=%s,raw,echo=0" % board_tty,
                                  "EXEC:%s -X heapsize=2M,pty,raw,echo=0,setsid,ctty" % micropython],
                                 cwd=str(flash), start_new_session=True)
        procs.append(board)
        for _ in range(50):
            if os.path.exists(board_tty):
                break
            time.sleep(0.1)

        deploy = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "deploy.py"), "--board", "unix",
                                 "--config", str(config), "--port", board_tty],
                                capture_output=True, text=True, timeout=180)
        assert deploy.returncode == 0, deploy.stdout + deploy.stderr
        assert (flash / "main.py").exists() and (flash / "board.json").exists()
        assert (flash / "lwm2m" / "modem" / "bg96.mpy").exists()
        assert not (flash / "lwm2m" / "modem" / "lorawan.mpy").exists()  # only what this board runs

        start = subprocess.run([mpremote, "connect", board_tty, "resume", "exec", "--no-follow",
                                "exec(open('main.py').read())"], capture_output=True, text=True, timeout=60)
        assert start.returncode == 0, start.stdout + start.stderr
        out.wait_for("registered vboard", 60)
        server.stdin.write("read vboard /3/0/0 text\n")
        server.stdin.flush()
        line = out.wait_for("/3/0/0=", 30)
        assert "lwm2m-micropython" in line
        assert modem.modem.sent, "every datagram went through the simulated modem"
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, 15) if p is board else p.terminate()
            except (ProcessLookupError, NameError, UnboundLocalError):
                p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        if modem:
            modem.stop()
