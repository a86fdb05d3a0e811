"""CoAP over DTLS 1.2 PSK on the simulated network, in virtual time (CPython only).

Server side: SimDtlsFront, the embedded server's DTLS front (host_sim/server/dtls.py)
as a simulator actor: host_sim/dtls_server.py's DtlsServerLink (python-mbedtls) on a
simulated port, relaying each session's plaintext to the plain CoAP server from a
simulated port of its own (zero delay: the same host), so the server sees one address
per session and a device that comes back in a new session has moved.

Client side: BlockingPort, a device's simulated port as the inner link of the
firmware's lwm2m.link.dtls.DtlsLink. DtlsLink handshakes in a blocking call (as
MicroPython's tls does); recv(timeout_ms) runs the simulation for up to that long,
so the flights cross the simulated path with its delay and rate and the device does
nothing else meanwhile, as on a board. DtlsLink's own deadlines run on the virtual
clock (its `clock`); mbedTLS's retransmission timer runs on wall time, and a
handshake takes milliseconds of wall time, so it never fires: a flight lost on the
path (not in the reference runs) costs the attempt's whole timeout.

Counting: Flights(node) sniffs a node's datagrams and counts DTLS handshake
messages on the wire (ClientHello, HelloVerifyRequest, ServerHello): a full
handshake is one ServerHello.
"""
from host_sim.dtls_server import DtlsServerLink

_CHANGE_CIPHER_SPEC = 20
_HANDSHAKE = 22
_FOREVER_MS = 10 ** 15
CLIENT_HELLO, SERVER_HELLO, HELLO_VERIFY_REQUEST = 1, 2, 3


def clear_records(data):
    """True when a datagram carries an epoch-0 record (handshake or
    ChangeCipherSpec): part of a handshake flight."""
    i, n = 0, len(data)
    while i + 13 <= n:
        if data[i] in (_HANDSHAKE, _CHANGE_CIPHER_SPEC) and data[i + 3] == 0 and data[i + 4] == 0:
            return True
        i += 13 + ((data[i + 11] << 8) | data[i + 12])
    return False


def handshake_messages(data):
    """The handshake message types in the epoch-0 records of one datagram (a
    flight may pack several records), first fragments only."""
    out = []
    i, n = 0, len(data)
    while i + 13 <= n:
        length = (data[i + 11] << 8) | data[i + 12]
        body = i + 13
        if data[i] == _HANDSHAKE and data[i + 3] == 0 and data[i + 4] == 0 and length >= 12:
            offset = (data[body + 6] << 16) | (data[body + 7] << 8) | data[body + 8]
            if offset == 0:
                out.append(data[body])
        i = body + length
    return out


class Flights:
    """Handshake messages seen on a node's wire: counts[(direction, type)];
    datagrams[direction] and nbytes[direction]: the handshake flights' share."""

    def __init__(self, node):
        self.counts = {}
        self.datagrams = {"up": 0, "down": 0}
        self.nbytes = {"up": 0, "down": 0}
        self.server_hellos = []  # virtual ms of each ServerHello the node received or sent
        node.sniff(self._seen)

    def _seen(self, now, direction, data):
        if clear_records(data):
            self.datagrams[direction] += 1
            self.nbytes[direction] += len(data)
        for t in handshake_messages(data):
            key = (direction, t)
            self.counts[key] = self.counts.get(key, 0) + 1
            if t == SERVER_HELLO:
                self.server_hellos.append(now)

    @property
    def handshakes(self):
        """Full handshakes: ServerHellos on the wire."""
        return len(self.server_hellos)


class _Relay:
    """A session's port towards the plain server: answers go back in the session."""

    def __init__(self, front, peer, port):
        self.front, self.peer, self.port = front, peer, port
        port.attach(self)

    def receive(self, data, src):
        self.front.to_device(self.peer, data)

    def tick(self):
        pass

    def next_timeout_ms(self):
        return None


class SimDtlsFront:
    """SimDtlsFront(net, "server", 5684, backend, {identity: key}): DTLS PSK on
    that node's port, plaintext to `backend` (the plain server's (host, port)).

    A session that comes up replaces the older sessions of the same PSK
    identity (a device has one session; the old address is a forgotten NAT
    mapping), as a server's connection store evicts stale connections."""

    def __init__(self, net, node, number, backend, keys):
        self.net = net
        self.node = net.node(node)
        self.port = self.node.port(number)
        self.backend = tuple(backend)
        # python-mbedtls asks the store with the identity as text
        keys = dict((k.decode() if isinstance(k, bytes) else k, v) for k, v in keys.items())
        self.link = DtlsServerLink(self.port, keys, clock=net.sim.clock)
        self._relays = {}  # device address -> _Relay
        self.replaced = 0  # sessions dropped for a newer one of the same identity
        net.path(node, node, delay_ms=0, jitter_ms=0, rate_bps=None, loss=0.0)
        self.port.attach(self)

    @property
    def address(self):
        return self.port.address

    @property
    def sessions(self):
        return self.link.sessions

    def receive(self, data, peer):
        before = dict(self.link.sessions)
        got = self.link.feed(data, peer)
        ident = self.link.sessions.get(peer)
        if ident is not None and before.get(peer) != ident:
            for other, who in list(self.link.sessions.items()):
                if other != peer and who == ident:
                    self.link.drop(other)
                    self.replaced += 1
        for p in list(self._relays):
            if p not in self.link.sessions:
                self._relays.pop(p).port.close()  # its session ended or was replaced
        if got is not None:
            relay = self._relays.get(peer)
            if relay is None:
                relay = self._relays[peer] = _Relay(self, peer, self.node.port())
            relay.port.send(got[0], self.backend)

    def to_device(self, peer, data):
        try:
            self.link.send(data, peer)
        except OSError:  # the session is gone
            relay = self._relays.pop(peer, None)
            if relay is not None:
                relay.port.close()

    def tick(self):
        pass

    def next_timeout_ms(self):
        return None


class BlockingPort:
    """A device's simulated port (or a tap on it) as a blocking datagram link:
    recv(timeout_ms) lets up to that much virtual time pass. The device's actor
    puts what the port delivers into `inbox` (deliver()) and must not let the
    simulator tick it while `waiting`."""

    def __init__(self, link, sim):
        self.link = link
        self.sim = sim
        self.mtu = link.mtu
        self.inbox = []
        self.waiting = False

    def deliver(self, data, peer):
        self.inbox.append((data, peer))

    def send(self, data, peer):
        self.link.send(data, peer)

    def _has_input(self):
        return bool(self.inbox)

    def _has_input_or_nothing_pending(self):
        return bool(self.inbox) or self.sim.next_time() is None

    def recv(self, timeout_ms):
        if not self.inbox and (timeout_ms is None or timeout_ms > 0):
            self.waiting = True
            try:
                if timeout_ms is None:  # as long as anything may still arrive
                    self.sim.run_until(self._has_input_or_nothing_pending, _FOREVER_MS)
                else:
                    self.sim.run_until(self._has_input, timeout_ms)
            finally:
                self.waiting = False
        return self.inbox.pop(0) if self.inbox else None

    def close(self):
        pass
