"""Each cellular driver on both runtimes against the simulator on a pseudo-terminal,
its datagrams carried over real UDP on loopback to an echo server."""
import os
import socket
import subprocess
import sys
import threading

import pytest

from host_sim.lorawan import NetworkServer
from host_sim.modems.bg96 import Bg96Sim
from host_sim.modems.lora import Rak3172Sim, Rn2483Sim
from host_sim.modems.sara_r4 import SaraR4Sim
from host_sim.modems.sim7080 import Sim7080Sim
from host_sim.modems.bridge import PtyModem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "tests", "host", "scripts", "modem_session.py")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")


def echo_server(modem_box):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = []

    def run():
        while not stop:
            try:
                data, peer = sock.recvfrom(2048)
            except socket.timeout:
                continue
            if data == b"reboot-me":
                with modem_box[0].lock:
                    modem_box[0].modem.reboot()
            else:
                sock.sendto(b"echo:" + data, peer)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return sock.getsockname()[1], lambda: (stop.append(1), t.join(1), sock.close())


def lora(sim_class):
    """A LoRaWAN modem whose network server forwards uplinks to the echo server."""

    def make(clock, send, server_port):
        ns = NetworkServer(forward=lambda dev, fport, data: send(data, ("127.0.0.1", server_port)))
        return sim_class(clock, ns, duty=0.5, join_ms=50, rx1_ms=100, rx2_ms=200)

    return make


SIMS = {
    "rak3172": lora(Rak3172Sim),
    "rn2483": lora(Rn2483Sim),
    "bg96": lambda clock, send, _: Bg96Sim(clock, send, attach_ms=0, open_ms=50, latency_ms=5),
    "sim7080": lambda clock, send, _: Sim7080Sim(clock, send, pdp_ms=50, latency_ms=5),
    "sara_r4": lambda clock, send, _: SaraR4Sim(clock, send, latency_ms=5),
}


@pytest.mark.parametrize("driver", sorted(SIMS))
@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_modem_session_over_a_pseudo_terminal(runtime, driver):
    if runtime == "micropython" and not os.path.exists(MICROPYTHON):
        pytest.skip("micropython unix port not installed (make venv)")
    box = [None]
    port, stop_server = echo_server(box)
    box[0] = PtyModem(lambda clock, send: SIMS[driver](clock, send, port)).start()
    try:
        if runtime == "cpython":
            cmd = [sys.executable, SCRIPT, driver, box[0].path, str(port)]
            env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "firmware"))
        else:
            mpy = os.path.join(ROOT, "build", "mpy")
            if not os.path.isdir(mpy):
                pytest.skip("build/mpy missing: run make mpy")
            cmd = [MICROPYTHON, SCRIPT, driver, box[0].path, str(port)]
            env = dict(os.environ, MICROPYPATH=mpy + ":.frozen")
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    finally:
        box[0].stop()
        stop_server()
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stdout + out.stderr
    peer = "('lorawan', 5)" if driver in ("rak3172", "rn2483") else "('127.0.0.1', %d)" % port
    assert lines[0] == "got (b'echo:hello', %s)" % peer
    assert lines[1] == "lost None"
    assert lines[2] == "got (b'echo:again', %s)" % peer
    assert lines[3] == "done"
