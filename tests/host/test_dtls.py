"""CoAP over DTLS 1.2 PSK (lwm2m.link.dtls) against libcoap's
coap-server-openssl on loopback, on CPython in-process and on MicroPython as
a subprocess: a GET, and the failures (wrong key, wrong identity, a server
silent mid-handshake, truncated and replayed records, a server that lost the
session), none of which may hang past its timeout or show the key."""
import binascii
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "tests", "host", "scripts")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
SERVER = "coap-server-openssl"
IDENTITY = "lwm2m-client-1"
KEY = b"sesame-psk-0123456789"
OTHER_KEY = b"default-key-for-other-identities"
HINT = "lwm2m"

sys.path.insert(0, SCRIPTS)
import dtls_scenarios  # noqa: E402


def free_port_pair():
    """A port p with p and p+1 free for UDP on loopback (CoAP, CoAPS)."""
    for _ in range(50):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        if p >= 65535:
            continue
        try:
            t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            t.bind(("127.0.0.1", p + 1))
            t.close()
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="module")
def libcoap(tmp_path_factory):
    """coap-server-openssl with our identity mapped to KEY (-i) and every
    other identity to OTHER_KEY (-k): so a wrong identity fails too."""
    if shutil.which(SERVER) is None:
        pytest.skip("libcoap's %s not installed (Debian package libcoap3-bin)" % SERVER)
    ids = tmp_path_factory.mktemp("libcoap") / "identities"
    ids.write_text("%s,%s,%s\n" % (HINT, IDENTITY, KEY.decode()))
    port = free_port_pair()
    proc = subprocess.Popen(
        [SERVER, "-A", "127.0.0.1", "-p", str(port), "-h", HINT, "-k", OTHER_KEY.decode(), "-i", str(ids), "-v", "3"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_coap(port)
        yield port + 1
    finally:
        proc.terminate()
        proc.wait(5)


def wait_for_coap(port):
    """Until the plain-CoAP port answers a ping (a CON Empty -> RST)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.1)
    try:
        for _ in range(50):
            s.sendto(b"\x40\x00\x00\x01", ("127.0.0.1", port))
            try:
                s.recvfrom(64)
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("coap-server-openssl did not start")
    finally:
        s.close()


EXPECTED = {
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
