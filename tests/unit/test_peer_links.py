# lwm2m.link.peers.PeerLinks without a network, and how the client uses it:
# coap:// peers over the plain link, coaps:// (Security mode 0) peers each
# in a DTLS session over a link of its own; a retransmission of a message
# whose handshake failed fails at once. Both runtimes (real mbedTLS on each).
from support import raises
from lwm2m.compat import sockaddr
from lwm2m.link.peers import PeerLinks
from lwm2m.link.dtls import DtlsError, ETIMEDOUT
from lwm2m.model import Model
from lwm2m.clock import SystemClock
from lwm2m.client.client import Client
from lwm2m.client.servers import provision
from test_dtls_link import SilentLink

KEY = b"peer-links-psk-77"


class Box(SilentLink):
    """A silent link that can be handed one datagram to receive."""

    def __init__(self):
        SilentLink.__init__(self)
        self.inbox = []

    def recv(self, timeout_ms):
        if self.inbox:
            return self.inbox.pop(0)
        return SilentLink.recv(self, timeout_ms)


def make():
    made = []

    def new():
        made.append(Box())
        return made[-1]

    return new, made


def con(mid):
    return bytes([0x40, 0x02, mid >> 8, mid & 255])


def test_plain_peers_share_the_plain_link():
    new, made = make()
    links = PeerLinks(new)
    a, b = sockaddr("127.0.0.1", 5683), sockaddr("127.0.0.1", 5783)
    links.send(b"one", a)
    links.send(b"two", b)
    assert len(made) == 1 and made[0].sent == [b"one", b"two"]
    made[0].inbox.append((b"back", a))
    assert links.recv(100) == (b"back", a)
    assert links.recv(0) is None and links.mtu == 1232


def test_secured_peer_gets_its_own_link_and_a_failed_handshake_is_not_repeated_for_retransmissions():
    new, made = make()
    lines = []
    links = PeerLinks(new, dtls={"handshake_timeout_ms": 150, "handshake_attempts": 1}, trace=lines.append)
    peer = sockaddr("127.0.0.1", 5684)
    if not isinstance(peer, tuple):
        peer = bytearray(peer)  # MicroPython's addresses can be bytearrays: not hashable
    s = links.secure(peer, b"dev-1", KEY)
    assert links.secure(peer, b"dev-1", KEY) is s  # same credentials: same session
    assert len(made) == 2 and links.session(peer) is s
    e = raises(DtlsError, links.send, con(7), peer)
    assert e.args[0] == ETIMEDOUT
    hellos = len(made[1].sent)
    assert hellos >= 1 and made[0].sent == []  # the ClientHello went on the session's own link
    raises(DtlsError, links.send, con(7), peer)  # the CON's retransmission: no new handshake
    assert len(made[1].sent) == hellos
    raises(DtlsError, links.send, con(8), peer)  # a new message tries again
    assert len(made[1].sent) > hellos
    assert len(lines) == 2 and "DTLS with" in lines[0]
    for line in lines:
        assert KEY.hex() not in line and repr(KEY) not in line
    links.release(peer)
    assert made[1].closed and links.session(peer) is None
    links.send(con(9), peer)
    assert made[0].sent == [con(9)]  # back on the plain link
    links.close()
    assert made[0].closed


class Spy:
    """A link with PeerLinks' secure/release, behind a wrapper (as the
    connectivity statistics wrap it)."""

    mtu = 1152

    def __init__(self):
        self.calls = []
        self.trace = None

    def secure(self, peer, identity, key):
        self.calls.append(("secure", peer, identity, key))

    def release(self, peer):
        self.calls.append(("release", peer))

    def send(self, data, peer):
        pass

    def recv(self, timeout_ms):
        return None

    def close(self):
        pass


class Wrapper:
    mtu = 1152

    def __init__(self, link):
        self.link = link

    def send(self, data, peer):
        self.link.send(data, peer)

    def recv(self, timeout_ms):
        return self.link.recv(timeout_ms)


def test_client_secures_coaps_psk_servers_and_releases_coap_ones():
    m = Model()
    iid = provision(m, "coaps://127.0.0.1:5684", ssid=1)
    m.set((0, iid, 2), 0)
    m.set((0, iid, 3), b"dev-1")
    m.set((0, iid, 5), KEY)
    provision(m, "coap://127.0.0.1:5683", ssid=2)
    spy = Spy()
    lines = []
    c = Client(m, Wrapper(spy), SystemClock(), {"ep": "peers"}, trace=lines.append)
    c.start()
    secured = [x for x in spy.calls if x[0] == "secure"]
    released = [x for x in spy.calls if x[0] == "release"]
    assert len(secured) == 1 and secured[0][1] == sockaddr("127.0.0.1", 5684)
    assert secured[0][2:] == (b"dev-1", KEY)
    assert len(released) == 1 and released[0][1] == sockaddr("127.0.0.1", 5683)
    assert spy.trace is not None  # handshake failures go to the client's trace
    for line in lines:
        assert KEY.hex() not in line


def test_client_leaves_a_coaps_server_in_an_unsupported_mode_alone():
    m = Model()
    iid = provision(m, "coaps://127.0.0.1:5684", ssid=1)
    m.set((0, iid, 2), 1)  # raw public key
    spy = Spy()
    lines = []
    Client(m, spy, SystemClock(), {"ep": "cert"}, trace=lines.append).start()
    assert spy.calls == [] and [x for x in lines if "mode 1 is not supported" in x]
