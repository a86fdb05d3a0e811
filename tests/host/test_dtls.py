"""CoAP over DTLS 1.2 PSK (lwm2m.link.dtls) against libcoap's
coap-server-openssl on loopback, on CPython in-process and on MicroPython as
a subprocess: a GET, and the failures (wrong key, wrong identity, a server
silent mid-handshake, truncated and replayed records, a server that lost the
session), none of which may hang past its timeout or show the key."""
import binascii
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "tests", "host", "scripts")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
IDENTITY = "lwm2m-client-1"
KEY = b"sesame-psk-0123456789"

sys.path.insert(0, SCRIPTS)
import dtls_scenarios  # noqa: E402
import libcoap_server  # noqa: E402


@pytest.fixture(scope="module")
def libcoap():
    """coap-server-openssl: our identity has KEY, any other identity a key
    nobody has, so a wrong identity fails too."""
    if not libcoap_server.available():
        pytest.skip("libcoap's %s not installed (Debian package %s)" % (libcoap_server.SERVER, libcoap_server.PACKAGE))
    server = libcoap_server.LibcoapServer(IDENTITY, KEY).start()
    try:
        yield server.dtls_port
    finally:
        server.stop()


EXPECTED = {
    "engine": ["/.well-known/core None 2.05", "/time None 2.05", "handshakes 1"],
    "get": ["handshake rx 3 tx 3", "2.05 ok", "2.05 ok", "handshakes 1 lost 0", "repr key-free True"],
    "wrongkey": ["error 111 key-free"],
    "wrongid": ["error 111 key-free"],
    "silent": ["error 110 key-free", "within bound True"],
    "truncated": ["handshakes 1", "none", "2.05 ok"],
    "replayed": ["2.05 ok", "none", "delivered 5 datagrams"],
    "serverlost": ["none", "none", "2.05 ok", "handshakes 2"],
}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_dtls_psk_link_cpython(libcoap, scenario, capfd):
    assert dtls_scenarios.run(scenario, libcoap, IDENTITY, KEY) == EXPECTED[scenario]
    out, err = capfd.readouterr()
    assert KEY not in (out + err).encode()


def micropython_env():
    """The environment for a MicroPython subprocess with the compiled firmware
    and the scenario scripts on its path; skips when either is missing."""
    if not os.path.exists(MICROPYTHON):
        pytest.skip("micropython unix port not installed (make venv)")
    mpy = os.path.join(ROOT, "build", "mpy")
    if not os.path.isdir(os.path.join(mpy, "lwm2m", "link")):
        pytest.skip("build/mpy missing: run make mpy")
    return dict(os.environ, MICROPYPATH=":".join([SCRIPTS, mpy, ".frozen"]))


def micropython_run(scenario, port):
    env = micropython_env()
    cmd = [MICROPYTHON, os.path.join(SCRIPTS, "dtls_scenarios.py"), scenario, str(port), IDENTITY,
           binascii.hexlify(KEY).decode()]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_dtls_psk_link_micropython(libcoap, scenario):
    out = micropython_run(scenario, libcoap)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines() == EXPECTED[scenario]
    text = out.stdout + out.stderr
    assert KEY.decode() not in text and binascii.hexlify(KEY).decode() not in text


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_dtls_over_bg96_modem_on_a_pseudo_terminal(libcoap, runtime):
    """DTLS over the BG96 driver (AT commands on a pseudo-terminal to
    host_sim's simulator, whose radio is UDP on loopback) to libcoap."""
    from host_sim.modems.bg96 import Bg96Sim
    from host_sim.modems.bridge import PtyModem

    if runtime == "micropython":
        env = micropython_env()
        cmd = [MICROPYTHON]
    else:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "firmware"), SCRIPTS, ROOT]))
        cmd = [sys.executable]
    modem = PtyModem(lambda clock, send: Bg96Sim(clock, send, attach_ms=0, open_ms=50, latency_ms=5)).start()
    try:
        cmd += [os.path.join(SCRIPTS, "dtls_modem.py"), modem.path, str(libcoap), IDENTITY,
                binascii.hexlify(KEY).decode()]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=90)
    finally:
        modem.stop()
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines()[1:] == ["2.05 ok", "done"]
    assert out.stdout.startswith("handshakes 1 mtu ")
    assert KEY.decode() not in out.stdout + out.stderr
