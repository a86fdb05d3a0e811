"""The client as it runs on a board: lwm2m.main on the MicroPython unix port
(the firmware compiled to .mpy), a subprocess over real UDP loopback, against
the embedded server. Skips when the port or the .mpy build is missing."""
import asyncio
import os
import signal
import subprocess

import pytest

from client_harness import TIMEOUT, run
from host_sim.server import LwM2MServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
MPY = os.path.join(ROOT, "build", "mpy")


def _have():
    if not os.path.exists(MICROPYTHON):
        return "no micropython unix port in .venv"
    if not os.path.exists(os.path.join(MPY, "lwm2m", "main.mpy")):
        return "firmware not compiled (make mpy)"
    return None


@pytest.mark.skipif(_have() is not None, reason=str(_have()))
def test_micropython_client_registers_answers_and_deregisters():
    async def go():
        async with LwM2MServer(port=0) as server:
            env = dict(os.environ, MICROPYPATH=".frozen:" + MPY)
            proc = subprocess.Popen(
                [MICROPYTHON, "-X", "heapsize=1M", "-m", "lwm2m.main", "coap://127.0.0.1:%d" % server.port, "mp-dev", "60"],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            try:
                ev = await server.events.next("registered", "mp-dev", 10.0)
                reg = ev.registration
                assert reg.lifetime == 60 and reg.objects[3]["instances"] == [0]
                r = await server.read("mp-dev", "/3/0", accept="senml-json", timeout=TIMEOUT)
                assert r.code == 0x45 and r.values()[(3, 0, 0)] == "lwm2m-micropython"
                r = await server.read("mp-dev", "/3/0/0", accept="tlv", timeout=TIMEOUT)
                assert r.code == 0x45 and r.format == 11542
                r = await server.read("mp-dev", "/0/0", timeout=TIMEOUT)
                assert r.code == 0x81
                r = await server.write("mp-dev", "/1/0/1", {(1, 0, 1): 120}, fmt="senml-cbor", timeout=TIMEOUT)
                assert r.code == 0x44
                ev = await server.events.next("updated", "mp-dev", TIMEOUT)
                assert ev.changed == ["lifetime"]
                obs = await server.observe("mp-dev", "/3/0/13", accept="senml-json", timeout=TIMEOUT)
                assert obs.active
                r = await server.execute("mp-dev", "/3/0/4", timeout=TIMEOUT)
                assert r.code == 0x44
                proc.send_signal(signal.SIGINT)
                await server.events.next("deregistered", "mp-dev", 10.0)
            finally:
                if proc.poll() is None:
                    proc.kill()
                out = proc.communicate(timeout=10)[0].decode(errors="replace")
            # Reboot runs only after its 2.04 went out; Ctrl-C de-registers
            assert out.index("> A 2.04", out.index("< C POST mid")) < out.index("# reboot requested")
            assert "> C DELETE" in out and "! error" not in out

    run(go(), timeout=60)
