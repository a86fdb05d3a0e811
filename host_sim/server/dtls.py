"""DTLS 1.2 with a pre-shared key in front of the server (int-401). The DTLS
work is host_sim/dtls_server.py's DtlsServerLink (python-mbedtls); this front
feeds it from an asyncio socket and relays each session's plaintext to the
plain CoAP server from a loopback socket of its own, so the server sees one
address per session (and a device that comes back in a new session from a new
address moves, as after a NAT rebinding).

The PSK identity a session used is `front.identity(address)` for the address
the server sees; the server puts it on the Registration. A wrong key or an
unknown identity fails the handshake at the client's Finished without an
alert (mbedTLS discards the record, as DTLS does with bad records), so such
a client sees its handshake time out."""
import asyncio

from host_sim.dtls_server import DtlsServerLink


class _Wire:
    """The datagram link DtlsServerLink sends through (the asyncio socket); what
    the socket gets is fed to it (DtlsServerLink.feed)."""

    mtu = 1152

    def __init__(self):
        self.transport = None

    def send(self, data, peer):
        self.transport.sendto(bytes(data), peer)

    def recv(self, timeout_ms):
        return None

    def close(self):
        pass


class _Outer(asyncio.DatagramProtocol):
    def __init__(self, front):
        self.front = front

    def datagram_received(self, data, addr):
        self.front.received(data, addr)

    def error_received(self, exc):
        pass  # an ICMP error for one device is no reason to stop


class _Inner(asyncio.DatagramProtocol):
    """A session's socket towards the server."""

    def __init__(self, front, peer):
        self.front = front
        self.peer = peer

    def datagram_received(self, data, addr):
        self.front.to_device(self.peer, data)


class DtlsFront:
    """DtlsFront(keys, backend): keys {identity: key bytes}; backend the
    (host, port) of the plain server. `await start()`, then `port`."""

    def __init__(self, keys, backend, host="127.0.0.1", port=0, certs=None):
        self.backend = backend
        self.host = host
        self.port = port
        self._wire = _Wire()
        self.link = DtlsServerLink(self._wire, keys, certs=certs)
        self._relays = {}  # device address -> inner transport (None while it opens)
        self._by_port = {}  # local port of an inner socket -> device address
        self._backlog = {}  # device address -> plaintext that came before its inner socket
        self._tasks = set()

    def __repr__(self):
        return "<DtlsFront :%s, %d sessions>" % (self.port, len(self.link.sessions))

    @property
    def sessions(self):
        """{device address: PSK identity} of the sessions up now."""
        return self.link.sessions

    async def start(self):
        loop = asyncio.get_running_loop()
        self._wire.transport, _ = await loop.create_datagram_endpoint(
            lambda: _Outer(self), local_addr=(self.host, self.port))
        self.port = self._wire.transport.get_extra_info("sockname")[1]
        return self

    async def stop(self):
        for task in list(self._tasks):
            task.cancel()
        for peer in list(self._relays):
            self._close_relay(peer)
        self.link.close()
        if self._wire.transport is not None:
            self._wire.transport.close()
            self._wire.transport = None

    def received(self, data, addr):
        got = self.link.feed(data, addr)
        for peer in list(self._relays):
            if peer not in self.link.sessions:
                self._close_relay(peer)  # its session ended or was replaced
        if got is not None:
            self._to_server(got[1], got[0])

    def _to_server(self, peer, data):
        if peer not in self._relays:
            self._relays[peer] = None
            self._backlog[peer] = []
            self._open_relay(peer)
        transport = self._relays[peer]
        if transport is None:
            self._backlog[peer].append(data)
        else:
            transport.sendto(data)

    def _open_relay(self, peer):
        async def open_inner():
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Inner(self, peer), local_addr=("127.0.0.1", 0), remote_addr=self.backend)
            if peer not in self._relays:
                transport.close()
                return
            self._relays[peer] = transport
            self._by_port[transport.get_extra_info("sockname")[1]] = peer
            for data in self._backlog.pop(peer, ()):
                transport.sendto(data)

        task = asyncio.ensure_future(open_inner())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _close_relay(self, peer):
        transport = self._relays.pop(peer, None)
        self._backlog.pop(peer, None)
        if transport is not None:
            self._by_port.pop(transport.get_extra_info("sockname")[1], None)
            transport.close()

    def to_device(self, peer, data):
        try:
            self.link.send(data, peer)
        except OSError:  # the session is gone
            self._close_relay(peer)

    def identity(self, address):
        """The PSK identity of the session the server sees at (host, port), or None."""
        if address[0] not in ("127.0.0.1", "::ffff:127.0.0.1"):
            return None
        peer = self._by_port.get(address[1])
        return None if peer is None else self.link.sessions.get(peer)
