"""host_sim's DTLS server link (python-mbedtls ServerContext, PSK) against
our client link: the same scenarios as with libcoap, with the client on
CPython in-process and on MicroPython as a subprocess, plus what only a
server we control can do (forget a session, send close_notify, serve two
clients)."""
import binascii
import os
import subprocess
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "tests", "host", "scripts")
sys.path.insert(0, SCRIPTS)

import dtls_scenarios  # noqa: E402
from udp_link import UdpLink  # noqa: E402
from udp_server_link import UdpServerLink  # noqa: E402

from host_sim.dtls_server import DtlsServerLink  # noqa: E402
from lwm2m.link.dtls import DtlsLink, DtlsError, ECONNREFUSED  # noqa: E402
from test_dtls import MICROPYTHON, micropython_env  # noqa: E402

IDENTITY = "lwm2m-client-1"
KEY = b"sesame-psk-0123456789"


def coap_answer(req):
    """A piggybacked 2.05 with a link-format payload for any CON request."""
    if len(req) < 4 or req[0] & 0x30:
        return None
    tkl = req[0] & 0x0F
    return bytes([0x60 | tkl, 0x45, req[2], req[3]]) + req[4:4 + tkl] + b"\xff</x>"


class Server:
    def __init__(self):
        self.link = DtlsServerLink(UdpServerLink(), {IDENTITY: KEY})
        self.port = self.link.inner.port
        self.lock = threading.Lock()
        self._stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self._stop:
            with self.lock:
                got = self.link.recv(20)
                if got is not None:
                    answer = coap_answer(got[0])
                    if answer:
                        self.link.send(answer, got[1])

    def stop(self):
        self._stop = True
        self.thread.join(2)
        self.link.close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


SCENARIOS = {
    "get": ["handshake rx 3 tx 3", "2.05 ok", "2.05 ok", "handshakes 1 lost 0", "repr key-free True"],
    "wrongkey": ["error 111 key-free"],
    "wrongid": ["error 111 key-free"],
    "replayed": ["2.05 ok", "none", "delivered 5 datagrams"],
    "serverlost": ["none", "none", "2.05 ok", "handshakes 2"],
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_server_link_with_cpython_client(server, scenario):
    assert dtls_scenarios.run(scenario, server.port, IDENTITY, KEY) == SCENARIOS[scenario]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_server_link_with_micropython_client(server, scenario):
    env = micropython_env()
    cmd = [MICROPYTHON, os.path.join(SCRIPTS, "dtls_scenarios.py"), scenario, str(server.port), IDENTITY,
           binascii.hexlify(KEY).decode()]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines() == SCENARIOS[scenario]


def client(port, **kw):
    return DtlsLink(UdpLink("127.0.0.1", port), None, IDENTITY, KEY, **kw)


def test_server_restart_forgets_session_client_rehandshakes(server):
    c = client(server.port, max_unanswered=1)
    c.send(dtls_scenarios.get(1))
    assert dtls_scenarios.answer(c.recv(2000), 1) == "2.05 ok"
    with server.lock:
        for peer in list(server.link.sessions):
            server.link.drop(peer)
    c.send(dtls_scenarios.get(2))  # into the void: the server drops it
    assert c.recv(300) is None
    c.send(dtls_scenarios.get(2))  # one CON unanswered: a new handshake first
    assert dtls_scenarios.answer(c.recv(2000), 2) == "2.05 ok"
    assert c.handshakes == 2
    c.close()


def test_close_notify_from_server_drops_session_next_send_rehandshakes(server):
    c = client(server.port)
    c.send(dtls_scenarios.get(1))
    assert dtls_scenarios.answer(c.recv(2000), 1) == "2.05 ok"
    with server.lock:
        for peer in list(server.link.sessions):
            server.link.alert(peer)
    assert c.recv(500) is None
    assert c.lost == 1 and not c.connected
    c.send(dtls_scenarios.get(2))
    assert dtls_scenarios.answer(c.recv(2000), 2) == "2.05 ok"
    assert c.handshakes == 2
    c.close()


def test_two_clients_have_separate_sessions(server):
    a, b = client(server.port), client(server.port)
    a.connect()
    b.connect()
    b.send(dtls_scenarios.get(7))
    a.send(dtls_scenarios.get(8))
    assert dtls_scenarios.answer(a.recv(2000), 8) == "2.05 ok"
    assert dtls_scenarios.answer(b.recv(2000), 7) == "2.05 ok"
    assert len(server.link.sessions) == 2
    a.close()
    b.close()


def test_server_refuses_unknown_identity_with_an_alert(server):
    c = DtlsLink(UdpLink("127.0.0.1", server.port), None, "stranger", KEY, handshake_timeout_ms=3000)
    e = pytest.raises(DtlsError, c.connect).value
    assert e.args[0] == ECONNREFUSED
    assert "mbedTLS" in e.args[1]  # an alert, not a timeout
    assert server.link.failed == 1
    c.close()


def test_server_link_repr_and_errors_never_show_keys(server):
    assert KEY.decode() not in repr(server.link)
    with pytest.raises(OSError) as e:
        server.link.send(b"x", ("127.0.0.1", 9))
    assert KEY.decode() not in str(e.value)


def test_idle_longer_than_nat_timeout_rehandshakes_before_sending(server):
    import time

    c = client(server.port, idle_rehandshake_ms=200)
    c.send(dtls_scenarios.get(1))
    assert dtls_scenarios.answer(c.recv(2000), 1) == "2.05 ok"
    c.send(dtls_scenarios.get(2))  # within the idle limit: same session
    assert dtls_scenarios.answer(c.recv(2000), 2) == "2.05 ok"
    assert c.handshakes == 1
    time.sleep(0.3)
    c.send(dtls_scenarios.get(3))
    assert dtls_scenarios.answer(c.recv(2000), 3) == "2.05 ok"
    assert c.handshakes == 2
    c.close()


def test_retransmit_timer_setting_spaces_client_hello_retransmissions():
    """A peer that never answers: with retransmit_ms=2000 mbedTLS sends no
    second ClientHello within 1.5 s (its default would at 1 s). CPython only:
    MicroPython's tls has no such setting."""
    sent = []

    class Silent:
        mtu = 1232

        def send(self, data, peer=None):
            sent.append(bytes(data))

        def recv(self, timeout_ms):
            import time

            time.sleep(min(timeout_ms, 20) / 1000)

        def close(self):
            pass

    for retransmit_ms, hellos in ((None, 2), (2000, 1)):
        del sent[:]
        c = DtlsLink(Silent(), None, IDENTITY, KEY, handshake_timeout_ms=1500, handshake_attempts=1,
                     retransmit_ms=retransmit_ms)
        pytest.raises(DtlsError, c.connect)
        assert len(sent) == hellos
