"""Acceptance (issue 8): the firmware on the MicroPython unix port (and on
CPython), built from a board configuration, drives a simulated BG96 (or a
RAK3172 on a Class A network server) on a pseudo-terminal; the simulator's
radio is real UDP on loopback and the embedded server on aiocoap answers:
register, read, observe, notify, update, de-register."""
import asyncio
import os
import subprocess
import sys

import pytest

from host_sim.lorawan import NetworkServer
from host_sim.modems.bg96 import Bg96Sim
from host_sim.modems.bridge import PtyModem
from host_sim.modems.lora import Rak3172Sim
from host_sim.server import LwM2MServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "tests", "host", "scripts", "lwm2m_over_modem.py")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
MPY = os.path.join(ROOT, "build", "mpy")
WAIT = 20.0


def command(runtime, kind, tty, port, ep):
    if runtime == "cpython":
        return [sys.executable, SCRIPT, kind, tty, str(port), ep], dict(os.environ, PYTHONPATH=os.path.join(ROOT, "firmware"))
    if not os.path.exists(MICROPYTHON):
        pytest.skip("micropython unix port not installed (make venv)")
    if not os.path.exists(os.path.join(MPY, "lwm2m", "app.mpy")):
        pytest.skip("build/mpy missing: run make mpy")
    return [MICROPYTHON, SCRIPT, kind, tty, str(port), ep], dict(os.environ, MICROPYPATH=MPY + ":.frozen")


def simulator(kind, server_port):
    if kind == "bg96":
        return lambda clock, send: Bg96Sim(clock, send, attach_ms=0, open_ms=50, latency_ms=5)

    def lora(clock, send):
        # real time: DR5, a 50 % duty cycle and short receive windows keep the test quick
        ns = NetworkServer(forward=lambda dev, fport, data: send(data, ("127.0.0.1", server_port)), clock=clock)
        return Rak3172Sim(clock, ns, duty=0.5, join_ms=50, rx1_ms=100, rx2_ms=200)

    return lora


@pytest.mark.parametrize("kind", ["bg96", "rak3172"])
@pytest.mark.parametrize("runtime", ["micropython", "cpython"])
def test_lwm2m_session_over_a_simulated_modem_on_a_pty(runtime, kind):
    ep = "pty-%s-%s" % (kind, runtime)
    modem = None

    async def go():
        nonlocal modem
        async with LwM2MServer(port=0) as server:
            modem = PtyModem(simulator(kind, server.port)).start()
            cmd, env = command(runtime, kind, modem.path, server.port, ep)
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            try:
                reg = (await server.events.next("registered", ep, WAIT)).registration
                assert reg.lifetime == 60 and 3303 in reg.objects
                r = await server.read(ep, "/3303/0/5700", accept="text", timeout=WAIT)
                assert r.code == 0x45
                await server.write_attributes(ep, "/3303/0/5700", {"pmin": 1, "pmax": 30}, timeout=WAIT)
                obs = await server.observe(ep, "/3303/0/5700", accept="text", timeout=WAIT)
                assert obs.active
                await server.events.next("notification", ep, WAIT)
                await server.execute(ep, "/1/0/8", timeout=WAIT)
                await server.events.next("updated", ep, WAIT)
                await server.events.next("deregistered", ep, WAIT)  # the device leaves after its Update
            finally:
                try:
                    out = proc.communicate(timeout=10)[0].decode(errors="replace")
                except subprocess.TimeoutExpired:
                    proc.kill()
                    out = proc.communicate()[0].decode(errors="replace")
            return out

    try:
        out = asyncio.run(go())
    finally:
        if modem is not None:
            modem.stop()
    assert "stopped" in out, out
    # the datagrams went through the modem's AT dialect, not a socket of the client's own
    assert any(c.startswith(("AT+QISEND=", "AT+SEND=5:")) for c in modem.modem.log)
