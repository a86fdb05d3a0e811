"""int-401 (UDP channel security, PSK) with the client as it runs on a board:
lwm2m.main on the MicroPython unix port (its own `tls`, the firmware as
.mpy) as a subprocess, over coaps:// to the embedded server's DTLS front.
Also the wrong-key case: reported, retried, never crashes, never prints the
key. Skips when the port, the .mpy build or python-mbedtls is missing."""
import asyncio
import os
import signal
import subprocess

import pytest

pytest.importorskip("mbedtls")

from client_harness import TIMEOUT, run  # noqa: E402
from secure_harness import KEY, key_forms  # noqa: E402
from test_client_micropython import MICROPYTHON, MPY, _have  # noqa: E402

from host_sim.server import LwM2MServer  # noqa: E402

IDENTITY = "mp-psk"


def start(port, ep, key=KEY, lifetime=60):
    env = dict(os.environ, MICROPYPATH=".frozen:" + MPY)
    return subprocess.Popen(
        [MICROPYTHON, "-X", "heapsize=1M", "-m", "lwm2m.main", "coaps://127.0.0.1:%d" % port, ep, str(lifetime),
         "--psk", "%s:%s" % (IDENTITY, key.hex())],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(proc):
    if proc.poll() is None:
        proc.kill()
    return proc.communicate(timeout=10)[0].decode(errors="replace")


def secret_free(out, key=KEY):
    # the command line carries the key (a development tool); the output never does
    for form in key_forms(key):
        assert form not in out, "the key shows in the output"


@pytest.mark.skipif(_have() is not None, reason=str(_have()))
def test_int_401_micropython_register_read_observe_over_dtls_psk():
    async def go():
        async with LwM2MServer(port=0, psk={IDENTITY: KEY}, dtls_port=0) as server:
            proc = start(server.dtls_port, "mp-psk-dev")
            try:
                reg = (await server.events.next("registered", "mp-psk-dev", 20.0)).registration
                assert reg.identity == IDENTITY and reg.lifetime == 60
                r = await server.read("mp-psk-dev", "/3/0", accept="senml-json", timeout=TIMEOUT)
                assert r.code == 0x45 and r.values()[(3, 0, 0)] == "lwm2m-micropython"
                r = await server.read("mp-psk-dev", "/0/0/5", timeout=TIMEOUT)
                assert r.code == 0x81  # the key is not readable by a server
                r = await server.write_attributes("mp-psk-dev", "/3/0/13", {"pmax": 1}, timeout=TIMEOUT)
                assert r.code == 0x44
                obs = await server.observe("mp-psk-dev", "/3/0/13", accept="senml-json", timeout=TIMEOUT)
                assert obs.active
                n = await obs.next(5.0)  # pmax 1: a notification within a couple of seconds
                assert n.payload
                r = await server.write("mp-psk-dev", "/1/0/1", {(1, 0, 1): 120}, fmt="senml-cbor", timeout=TIMEOUT)
                assert r.code == 0x44
                ev = await server.events.next("updated", "mp-psk-dev", TIMEOUT)
                assert ev.changed == ["lifetime"]
                proc.send_signal(signal.SIGINT)
                await server.events.next("deregistered", "mp-psk-dev", 10.0)
            finally:
                out = finish(proc)
            assert "! error" not in out and "> C DELETE" in out
            secret_free(out)

    run(go(), timeout=60)


@pytest.mark.skipif(_have() is not None, reason=str(_have()))
def test_micropython_wrong_key_reported_retried_no_crash_no_key():
    async def go():
        async with LwM2MServer(port=0, psk={IDENTITY: b"\x01" * 16}, dtls_port=0) as server:
            proc = start(server.dtls_port, "mp-bad-key")
            try:
                await asyncio.sleep(6.0)  # the handshake fails, the Register retransmits fail fast
                assert proc.poll() is None  # still running
                assert server.registrations() == []
                proc.send_signal(signal.SIGINT)
                await asyncio.sleep(1.0)
            finally:
                out = finish(proc)
            assert "handshake refused" in out and "Traceback" not in out
            secret_free(out, b"\x01" * 16)
            secret_free(out)

    run(go(), timeout=60)
