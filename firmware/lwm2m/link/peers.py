# PeerLinks: one datagram link (docs/design.md) that is really several: a
# plain link shared by every NoSec (coap://) peer and, for each secured
# (coaps://, PSK) peer, a DtlsLink over a link of its own. The client keeps
# one CoAP endpoint; it calls secure(peer, identity, key) for each coaps
# server it finds in the Security object (and release(peer) for the others).
#
#   links = PeerLinks(lambda: UdpLink("0.0.0.0", 0))
#   client = Client(model, links, clock, {"ep": "dev-1"})
import select

from lwm2m.compat import const, say, ticks_ms, ticks_diff, ticks_add

_SLICE_MS = const(20)  # links without a socket to poll: wait on each this long in turn
_ETIMEDOUT = const(110)


def _mid(data):
    return (data[2] << 8) | data[3] if len(data) >= 4 else -1


def _key(peer):
    # MicroPython's socket addresses can be bytearrays, which cannot be dict keys
    return bytes(peer) if isinstance(peer, bytearray) else peer


def _sock(link):
    """The socket a link reads from (UdpLink.sock, a DtlsLink's inner's), or None."""
    for _ in range(4):
        s = getattr(link, "sock", None)
        if s is not None:
            return s
        link = getattr(link, "inner", None)
        if link is None:
            return None
    return None


class PeerLinks:
    """make_link(): a new datagram link with a socket of its own (the plain
    link is made at once, each DTLS session makes one more). dtls: keyword
    settings for every DtlsLink (handshake_timeout_ms, handshake_attempts,
    ...). trace(text): one line per failed handshake (never the key)."""

    def __init__(self, make_link, dtls=None, trace=None):
        self._make = make_link
        self._dtls = dtls or {}
        self.trace = trace
        self.plain = make_link()
        self._secure = {}  # peer -> DtlsLink
        self._creds = {}  # peer -> (identity, key): a new secure() with the same keeps the session
        self._failed = {}  # peer -> MID of the message whose handshake failed
        self._socks = None
        self._poll = None
        self._next = 0

    def __repr__(self):
        return "<PeerLinks %d secured>" % len(self._secure)

    @property
    def mtu(self):
        m = self.plain.mtu
        for link in self._secure.values():
            if link.mtu < m:
                m = link.mtu
        return m

    def secure(self, peer, identity, key, cert=None, ca=None, server_name=None):
        """From now on, datagrams to peer travel in a DTLS session over a link
        of their own (kept when the credentials are unchanged): PSK (identity,
        key), or with cert (certificate mode: key is then its private key, ca
        the server's trust anchor, server_name what its certificate names)."""
        k = _key(peer)
        creds = (identity, key, cert, ca, server_name)
        if self._creds.get(k) == creds:
            return self._secure[k]
        self.release(k)
        from lwm2m.link.dtls import DtlsLink  # only boards with a coaps server load tls

        link = DtlsLink(self._make(), peer, identity, key, cert=cert, ca=ca, server_name=server_name, **self._dtls)
        self._secure[k] = link
        self._creds[k] = creds
        return link

    def release(self, peer):
        """peer goes back to the plain link; its DTLS session (if any) ends."""
        k = _key(peer)
        link = self._secure.pop(k, None)
        self._creds.pop(k, None)
        self._failed.pop(k, None)
        if link is not None:
            link.close()

    def session(self, peer):
        """The DtlsLink of a secured peer (its handshakes, cipher, stats), or None."""
        k = _key(peer)
        return self._secure.get(k)

    @property
    def handshakes(self):
        """Completed DTLS handshakes over every session, released ones excepted."""
        n = 0
        for link in self._secure.values():
            n += link.handshakes
        return n

    def send(self, data, peer):
        k = _key(peer)
        link = self._secure.get(k)
        if link is None:
            self.plain.send(data, peer)
            return
        mid = _mid(data)
        if not link.connected and self._failed.get(k) == mid:
            # A retransmission of the message whose handshake just failed:
            # fail at once rather than block in another handshake; the next
            # new message (the registration's retry) tries again.
            from lwm2m.link.dtls import DtlsError

            raise DtlsError(link.last_error or _ETIMEDOUT, "no DTLS session (handshake failed)")
        try:
            link.send(data, peer)
        except OSError as e:
            self._failed[k] = mid
            self._log("DTLS with %r: %s" % (peer, e.args[-1] if e.args else e))
            raise
        self._failed.pop(k, None)

    def _links(self):
        out = [self.plain]
        for link in self._secure.values():
            out.append(link)
        return out

    def recv(self, timeout_ms):
        links = self._links()
        if len(links) == 1:
            return links[0].recv(timeout_ms)
        # Start with a different link each time so a busy one starves none.
        self._next = (self._next + 1) % len(links)
        links = links[self._next:] + links[:self._next]
        socks = [_sock(link) for link in links]
        if None in socks:
            return self._recv_sliced(links, timeout_ms)
        if self._socks is None or len(self._socks) != len(socks) or [1 for a, b in zip(socks, self._socks) if a is not b]:
            self._socks = socks
            self._poll = select.poll()
            for s in socks:
                self._poll.register(s, select.POLLIN)
        if not self._poll.poll(-1 if timeout_ms is None else timeout_ms):
            return None
        for link in links:
            r = link.recv(0)
            if r is not None:
                return r
        return None  # a handshake record, an alert, a broken record: nothing for CoAP

    def _recv_sliced(self, links, timeout_ms):
        deadline = ticks_add(ticks_ms(), 3600000 if timeout_ms is None else timeout_ms)
        while True:
            for link in links:
                left = ticks_diff(deadline, ticks_ms())
                r = link.recv(_SLICE_MS if left > _SLICE_MS else max(left, 0))
                if r is not None:
                    return r
            if ticks_diff(deadline, ticks_ms()) <= 0:
                return None

    def close(self):
        for peer in list(self._secure):
            self.release(peer)
        self.plain.close()

    def _log(self, text):
        say(self.trace, text)
