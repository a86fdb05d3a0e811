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
from host_sim.server.bootstrap import Bootstrap, script_for  # noqa: E402

IDENTITY = "mp-psk"


def start(port, ep, key=KEY, lifetime=60, extra=None):
    """extra: other arguments instead of --psk."""
    env = dict(os.environ, MICROPYPATH=".frozen:" + MPY)
    return subprocess.Popen(
        [MICROPYTHON, "-X", "heapsize=1M", "-m", "lwm2m.main", "coaps://127.0.0.1:%d" % port, ep, str(lifetime)]
        + (extra or ["--psk", "%s:%s" % (IDENTITY, key.hex())]),
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


@pytest.mark.skipif(_have() is not None, reason=str(_have()))
def test_int_1_micropython_bootstrap_over_coaps_psk_then_register_over_coaps():
    async def go():
        bs = Bootstrap({})
        async with LwM2MServer(port=0, psk={IDENTITY: KEY}, dtls_port=0, bootstrap=bs) as server:
            uri = "coaps://127.0.0.1:%d" % server.dtls_port
            bs.scripts["mp-int1"] = script_for(uri, identity=IDENTITY, key=KEY)
            proc = start(server.dtls_port, "mp-int1", extra=["--psk", "%s:%s" % (IDENTITY, KEY.hex()), "--bootstrap"])
            try:
                ev = await server.events.next("bootstrap-finished", "mp-int1", 20.0)
                assert ev.ok, ev.results
                reg = (await server.events.next("registered", "mp-int1", 20.0)).registration
                assert reg.identity == IDENTITY
                r = await server.read("mp-int1", "/3/0/0", "text", timeout=TIMEOUT)
                assert r.code == 0x45
            finally:
                out = finish(proc)
            assert "# bootstrap finished" in out and "Traceback" not in out
            secret_free(out)

    run(go(), timeout=60)


@pytest.mark.skipif(_have() is not None, reason=str(_have()))
def test_int_2_micropython_bootstrap_with_certificates_then_register(tmp_path):
    from certs import make

    c = make()
    files = []
    for name in ("client", "client_key", "ca"):
        path = tmp_path / (name + ".der")
        path.write_bytes(c[name])
        files.append(str(path))

    async def go():
        bs = Bootstrap({})
        async with LwM2MServer(port=0, psk={}, dtls_port=0, bootstrap=bs,
                               certs=([c["server"], c["ca"]], c["server_key"], c["ca"])) as server:
            uri = "coaps://127.0.0.1:%d" % server.dtls_port
            bs.scripts["mp-int2"] = [("delete", "/"),
                                     ("write", "/0/1", {0: uri, 1: False, 2: 2, 3: c["client"], 4: c["ca"],
                                                        5: c["client_key"], 10: 101}),
                                     ("write", "/1/0", {0: 101, 1: 300, 6: False, 7: "U"})]
            proc = start(server.dtls_port, "mp-int2", extra=["--cert", ",".join(files), "--bootstrap"])
            try:
                ev = await server.events.next("bootstrap-finished", "mp-int2", 20.0)
                assert ev.ok, ev.results
                await server.events.next("registered", "mp-int2", 20.0)
                r = await server.read("mp-int2", "/3/0/0", "text", timeout=TIMEOUT)
                assert r.code == 0x45
            finally:
                out = finish(proc)
            assert "# bootstrap finished" in out and "Traceback" not in out
            assert c["client_key"].hex() not in out

    run(go(), timeout=60)
