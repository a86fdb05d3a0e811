"""DTLS 1.2 with a pre-shared key in front of the server (int-401), over
python-mbedtls. Devices speak DTLS to the front's port; each session's
plaintext goes on to the plain CoAP server from a loopback socket of its own,
so the server sees one address per session (and a device that comes back in a
new session from a new address moves, as after a NAT rebinding).

The PSK identity a session used is `front.identity(address)` for the address
the server sees; the server puts it on the Registration. A wrong key or an
unknown identity fails the handshake at the client's Finished without an
alert (mbedTLS discards the record, as DTLS does with bad records), so such
a client sees its handshake time out."""
import asyncio
import collections.abc

from mbedtls import tls as _m

_CHUNK = 4096
_HANDSHAKE = 22  # DTLS record content type


class _Keys(collections.abc.Mapping):
    """The PSK store mbedTLS asks during a handshake; remembers the identity it
    asked for, which python-mbedtls does not tell the session."""

    def __init__(self, keys):
        self._keys = dict(keys)
        self.asked = None

    def __getitem__(self, identity):
        self.asked = identity
        return self._keys[identity]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)

    def __repr__(self):  # never show a key
        return "<PSK store, %d identities>" % len(self._keys)


class _Inner(asyncio.DatagramProtocol):
    def __init__(self, session):
        self.session = session

    def datagram_received(self, data, addr):
        self.session.to_device(data)


class _Outer(asyncio.DatagramProtocol):
    def __init__(self, front):
        self.front = front

    def datagram_received(self, data, addr):
        self.front.received(data, addr)

    def error_received(self, exc):
        pass  # an ICMP error for one device is no reason to stop


class Session:
    def __init__(self, front, addr):
        self.front = front
        self.addr = addr
        self.cookie = ("%s:%d" % addr[:2]).encode()
        self.buf = front.fresh_buffer(self.cookie)
        self.identity = None
        self.open = False
        self.inner = None  # the datagram transport to the server, once open
        self.backlog = []  # plaintext that came before the inner socket was ready

    def _flush(self):
        out = self.buf.peek_outgoing(_CHUNK)
        while out:
            self.front.outer.sendto(out, self.addr)
            self.buf.consume_outgoing(len(out))
            out = self.buf.peek_outgoing(_CHUNK)

    def feed(self, data):
        self.buf.receive_from_network(data)
        if not self.open:
            self._handshake()
        if self.open:
            self._read()

    def _handshake(self):
        keys = self.front.keys
        keys.asked = None
        while self.buf._handshake_state is not _m.HandshakeStep.HANDSHAKE_OVER:
            try:
                self.buf.do_handshake()
            except _m.WantWriteError:
                self._flush()
                continue
            except _m.WantReadError:
                self._flush()
                return
            except _m.HelloVerifyRequest:
                # The cookie went out; the ClientHello that returns it starts afresh.
                self._flush()
                self.buf = self.front.fresh_buffer(self.cookie)
                return
            except _m.TLSError:
                self._flush()  # the alert, if mbedTLS wrote one
                self.front.drop(self)
                return
            if keys.asked is not None:
                self.identity = keys.asked
            self._flush()
        self.open = True
        self.front.connect(self)

    def _read(self):
        while True:
            try:
                data = self.buf.read(_CHUNK)
            except _m.WantReadError:
                return
            except _m.WantWriteError:
                self._flush()
                return
            except (_m.RaggedEOF, _m.TLSError):  # close_notify, a fatal alert
                self.front.drop(self)
                return
            if not data:  # python-mbedtls: nothing (more) buffered
                return
            if self.inner is None:
                self.backlog.append(data)
            else:
                self.inner.sendto(data)

    def connected(self, transport):
        self.inner = transport
        for data in self.backlog:
            transport.sendto(data)
        self.backlog = []

    def to_device(self, data):
        if not self.open:
            return
        try:
            self.buf.write(data)
        except _m.TLSError:
            self.front.drop(self)
            return
        self._flush()

    def close(self):
        self.open = False
        if self.inner is not None:
            self.inner.close()


class DtlsFront:
    """DtlsFront(keys, backend): keys {identity: key bytes}; backend the
    (host, port) of the plain server. `await start()`, then `port`."""

    def __init__(self, keys, backend, host="127.0.0.1", port=0, ciphers=None):
        self.keys = _Keys(keys)
        self.backend = backend
        self.host = host
        self.port = port
        self.sessions = {}  # device address -> Session
        self._inner = {}  # local port of a session's inner socket -> Session
        self.outer = None
        self._conf = _m.DTLSConfiguration(
            pre_shared_key_store=self.keys, validate_certificates=False, ciphers=ciphers,
            lowest_supported_version=_m.DTLSVersion.DTLSv1_2, highest_supported_version=_m.DTLSVersion.DTLSv1_2)
        self._ctx = _m.ServerContext(self._conf)
        self._tasks = set()

    def __repr__(self):
        return "<DtlsFront :%s, %d sessions>" % (self.port, len(self.sessions))

    async def start(self):
        loop = asyncio.get_running_loop()
        self.outer, _ = await loop.create_datagram_endpoint(lambda: _Outer(self), local_addr=(self.host, self.port))
        self.port = self.outer.get_extra_info("sockname")[1]
        return self

    async def stop(self):
        for task in list(self._tasks):
            task.cancel()
        for session in list(self.sessions.values()):
            self.drop(session)
        if self.outer is not None:
            self.outer.close()
            self.outer = None

    def fresh_buffer(self, cookie):
        buf = self._ctx.wrap_buffers()
        buf.setcookieparam(cookie)
        return buf

    def received(self, data, addr):
        session = self.sessions.get(addr)
        if session is not None and session.open and _new_handshake(data):
            self.drop(session)  # the device starts over from the same address (RFC 6347 4.2.8)
            session = None
        if session is None:
            if not _new_handshake(data):
                return  # a record for no session we know: drop it silently
            session = self.sessions[addr] = Session(self, addr)
        try:
            session.feed(data)
        except Exception:  # one broken session must not stop the others
            self.drop(session)

    def connect(self, session):
        async def open_inner():
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Inner(session), local_addr=("127.0.0.1", 0), remote_addr=self.backend)
            if not session.open:
                transport.close()
                return
            self._inner[transport.get_extra_info("sockname")[1]] = session
            session.connected(transport)

        task = asyncio.ensure_future(open_inner())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def drop(self, session):
        if self.sessions.get(session.addr) is session:
            del self.sessions[session.addr]
        if session.inner is not None:
            self._inner.pop(session.inner.get_extra_info("sockname")[1], None)
        session.close()

    def identity(self, address):
        """The PSK identity of the session the server sees at (host, port), or None."""
        session = self._inner.get(address[1]) if address[0] in ("127.0.0.1", "::ffff:127.0.0.1") else None
        return None if session is None else session.identity


def _new_handshake(data):
    # A ClientHello (handshake type 1) in a handshake record of epoch 0: the
    # start of a session. A stray later flight of a failed handshake is not.
    return len(data) > 13 and data[0] == _HANDSHAKE and data[3] == 0 and data[4] == 0 and data[13] == 1
