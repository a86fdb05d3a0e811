"""The server side of CoAP over DTLS 1.2 PSK, for the simulator's LwM2M
server (coaps://): a datagram link (docs/design.md) over an inner datagram
link, one DTLS session per peer, over python-mbedtls's ServerContext.

    link = DtlsServerLink(inner, {"identity": b"key"})
    got = link.recv(timeout_ms)       # (plaintext, peer) or None
    link.send(data, peer)             # one record to that peer's session

Handshakes run inside recv(): a ClientHello gets a HelloVerifyRequest
(stateless cookie, RFC 6347 4.2.1), then the handshake proceeds as datagrams
arrive. A new ClientHello from a known peer replaces its session (the client
lost it, RFC 6347 4.2.8), and a first ClientHello one still in its handshake
(the client timed out and starts over). `sessions` maps peer -> the PSK identity it used,
once up.

The keys are never shown: no repr here includes the store.
"""
from collections.abc import Mapping

from mbedtls import tls as _m
from mbedtls.exceptions import TLSError

from lwm2m.clock import SystemClock
from lwm2m.compat import ticks_add, ticks_diff

CIPHERS = ("TLS-PSK-WITH-AES-128-CCM-8", "TLS-PSK-WITH-AES-128-GCM-SHA256", "TLS-PSK-WITH-AES-128-CBC-SHA256")
CERT_CIPHERS = ("TLS-ECDHE-ECDSA-WITH-AES-128-CCM-8", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
                "TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256")
_CHUNK = 4096
_HANDSHAKE = 22
_CLIENT_HELLO = 1


def _is_client_hello(data):
    # record type 22, epoch 0 (bytes 3-4), handshake message type 1 at byte 13
    return len(data) > 13 and data[0] == _HANDSHAKE and data[3] == 0 and data[4] == 0 and data[13] == _CLIENT_HELLO


def _first_client_hello(data):
    # message_seq 0 (bytes 17-18): a client starting over, not the ClientHello
    # with our cookie (message_seq 1) nor a retransmission of it
    return _is_client_hello(data) and len(data) > 18 and data[17] == 0 and data[18] == 0


class _Session:
    def __init__(self, buf):
        self.buf = buf
        self.up = False
        self.identity = None


class _Keys(Mapping):
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


class DtlsServerLink:
    def __init__(self, inner, psk_store, ciphers=CIPHERS, clock=None, certs=None):
        """certs: (certificate chain [DER, ...], private key DER, client CA DER)
        to also accept clients with certificates (LwM2M Security mode 2);
        such a client must present a certificate that leads to the CA."""
        self.inner = inner
        # recv's deadline; mbedTLS's own retransmission timers stay on real time.
        self.clock = clock or SystemClock()
        self.mtu = inner.mtu - 29
        self._keys = _Keys(psk_store)
        extra = {}
        if certs is not None:
            from mbedtls import x509
            from host_sim.mbedtls_tls import _private_key

            chain, key, ca = certs
            extra = {"certificate_chain": ([x509.CRT.from_DER(c) for c in chain], _private_key(key)),
                     "trust_store": _m.TrustStore([x509.CRT.from_DER(ca)]), "validate_certificates": True}
            ciphers = tuple(ciphers) + CERT_CIPHERS
        conf = _m.DTLSConfiguration(
            ciphers=[c for c in ciphers if c in _m.ciphers_available()],
            pre_shared_key_store=self._keys,
            lowest_supported_version=_m.DTLSVersion.DTLSv1_2,
            highest_supported_version=_m.DTLSVersion.DTLSv1_2,
            **(extra or {"validate_certificates": False}),
        )
        self._ctx = _m.ServerContext(conf)
        del conf, extra
        self._peers = {}
        self.sessions = {}  # peer -> "up" once the handshake completed
        self.failed = 0  # handshakes that ended in an error

    def __repr__(self):
        return "<DtlsServerLink %d sessions>" % len(self.sessions)

    def _new(self, peer):
        buf = self._ctx.wrap_buffers()
        buf.setcookieparam(repr(peer).encode())
        s = _Session(buf)
        self._peers[peer] = s
        self.sessions.pop(peer, None)
        return s

    def _flush(self, s, peer):
        out = s.buf.peek_outgoing(_CHUNK)
        while out:
            self.inner.send(out, peer)
            s.buf.consume_outgoing(len(out))
            out = s.buf.peek_outgoing(_CHUNK)

    def _handshake(self, s, peer):
        while True:
            self._keys.asked = None
            try:
                s.buf.do_handshake()
            except _m.WantReadError:
                self._flush(s, peer)
                return
            except _m.WantWriteError:
                self._flush(s, peer)
                continue
            except _m.HelloVerifyRequest:
                # The cookie went out; the client answers with a new
                # ClientHello into a fresh session (mbedTLS reset this one).
                self._flush(s, peer)
                self._peers.pop(peer, None)
                return
            except TLSError:
                self.failed += 1  # counted before the alert goes out
                self._peers.pop(peer, None)
                self._flush(s, peer)  # our alert
                return
            if self._keys.asked is not None:
                s.identity = self._keys.asked
            self._flush(s, peer)
            if s.buf._handshake_state is _m.HandshakeStep.HANDSHAKE_OVER:
                s.up = True
                self.sessions[peer] = s.identity
                return

    def _datagram(self, data, peer):
        """Feed one datagram; the plaintext if it carried application data."""
        s = self._peers.get(peer)
        # A new ClientHello replaces a session that is up (the client lost it)
        # and one still in its handshake (the client gave up on that attempt,
        # our last flight or its Finished was lost).
        if s is None or (s.up and _is_client_hello(data)) or (not s.up and _first_client_hello(data)):
            if not _is_client_hello(data):
                return None  # no session for this peer: drop
            s = self._new(peer)
        s.buf.receive_from_network(data)
        if not s.up:
            self._handshake(s, peer)
            if not s.up:
                return None
        out = bytearray(_CHUNK)
        try:
            n = s.buf.readinto(out, _CHUNK)
        except (_m.WantReadError, _m.WantWriteError):
            self._flush(s, peer)
            return None
        except TLSError:
            # Fatal alert or close_notify from the client: forget it.
            self._peers.pop(peer, None)
            self.sessions.pop(peer, None)
            return None
        return bytes(out[:n])

    def recv(self, timeout_ms):
        end = ticks_add(self.clock.ticks_ms(), timeout_ms)
        while True:
            left = ticks_diff(end, self.clock.ticks_ms())
            got = self.inner.recv(max(0, left))
            if got is not None:
                data = self._datagram(bytes(got[0]), got[1])
                if data:
                    return data, got[1]
            if left <= 0 or ticks_diff(end, self.clock.ticks_ms()) <= 0:
                return None

    def feed(self, data, peer):
        """One datagram that reached a front which does its own I/O:
        (plaintext, peer) or None. A session that breaks on it is dropped;
        the others go on."""
        try:
            data = self._datagram(bytes(data), peer)
        except Exception:
            self.drop(peer)
            return None
        return (data, peer) if data else None

    def send(self, data, peer):
        s = self._peers.get(peer)
        if s is None or not s.up:
            raise OSError(107, "no DTLS session with this peer")
        s.buf.write(bytes(data))
        self._flush(s, peer)

    def drop(self, peer):
        """Forget a peer's session silently, as a server that restarted."""
        self._peers.pop(peer, None)
        self.sessions.pop(peer, None)

    def alert(self, peer):
        """Send close_notify to a peer and forget its session."""
        s = self._peers.get(peer)
        if s is not None and s.up:
            try:
                s.buf.shutdown()
            except TLSError:
                pass
            self._flush(s, peer)
        self.drop(peer)

    def close(self):
        self._peers.clear()
        self.sessions.clear()
        self.inner.close()
