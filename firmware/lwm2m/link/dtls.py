# CoAP over DTLS 1.2 with a pre-shared key: a datagram link (docs/design.md)
# that carries each datagram as one DTLS record inside another datagram link
# (a UDP socket, a modem's socket). mbedTLS does the protocol: MicroPython's
# `tls` module, or on CPython a shim of it over python-mbedtls (compat.tls).
import io

from lwm2m.compat import const, ticks_ms, ticks_diff, ticks_add, tls as _tls

# DtlsError codes (e.args[0]); Linux errno values, the same on both runtimes.
EBADF = const(9)  # the link was closed
ECONNRESET = const(104)  # a send failed (session dropped), or the inner link failed in a handshake
ETIMEDOUT = const(110)  # the handshake got no answer, every attempt
ECONNREFUSED = const(111)  # the peer refused the handshake (wrong key or identity)

# A send after this long with nothing sent or received handshakes first: a
# carrier NAT has most likely forgotten our mapping, so the server would take
# our records for a stranger's and drop them without a word (RFC 4787 REQ-5
# lets a NAT forget an idle UDP mapping after 2 min; DTLS 1.2 without a
# Connection ID cannot follow us to a new port). None where the path has no
# NAT (a private APN, a LAN).
IDLE_REHANDSHAKE_MS = const(110000)

_EIO = const(5)
_MBEDTLS_TIMEOUT = const(-0x6800)  # mbedTLS gave up retransmitting (its 60 s limit)
_RX_MAX = const(1536)
_FOREVER = const(1 << 28)  # recv(None): ~3 days, within ticks_diff's range
# HelloVerifyRequest + the ServerHello flight: what a server sends before it
# needs our Finished.
_SERVER_FLIGHTS = const(2)

# Preference order. RFC 7925 (and LwM2M) name CCM_8; MicroPython's mbedTLS
# builds often lack CCM, so AEAD GCM, then CBC, follow. Only the suites the
# runtime has are offered.
CIPHERS = ("TLS-PSK-WITH-AES-128-CCM-8", "TLS-PSK-WITH-AES-128-GCM-SHA256", "TLS-PSK-WITH-AES-128-CBC-SHA256")
# Certificate mode (LwM2M Security mode 2): ECDSA on P-256, as RFC 7925 names.
CERT_CIPHERS = ("TLS-ECDHE-ECDSA-WITH-AES-128-CCM-8", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
                "TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256")


class DtlsError(OSError):
    """args: (code, text), code one of EBADF, ECONNRESET, ETIMEDOUT,
    ECONNREFUSED. The text names mbedTLS's numeric code, never the key."""


def record_overhead(cipher):
    """Bytes a DTLS 1.2 record adds to a payload with this suite (worst case
    for CBC): 13 header + explicit nonce/IV + tag/MAC (+ padding)."""
    if cipher is None:
        return 93
    if "CCM-8" in cipher or "CCM_8" in cipher:
        return 29
    if "GCM" in cipher or "CCM" in cipher:
        return 37
    if "SHA384" in cipher:
        return 93
    if "SHA256" in cipher:
        return 77
    return 65


class _Wire(io.IOBase):
    """The inner link as the stream mbedTLS reads and writes: write() sends
    one datagram, readinto() returns one datagram, None for "nothing yet", or
    a negative errno (the io.IOBase protocol's way to fail without raising
    through mbedTLS's C code)."""

    def __init__(self, link, peer, now=ticks_ms):
        self.link = link
        self.peer = peer
        self.now = now  # ticks_ms of the clock deadlines are on
        self.deadline = None  # ticks_ms; None: do not wait
        self.slice_ms = None  # handshake: say "nothing yet" this often, so mbedTLS can retransmit
        self.fail_at_deadline = False  # handshake: past the deadline, fail with ETIMEDOUT
        self.error = None  # what the inner link's recv raised
        self.interrupt = None  # a KeyboardInterrupt held until mbedTLS has returned
        self.tx_bytes = self.rx_bytes = self.tx_count = self.rx_count = 0

    def write(self, buf):
        try:
            self.link.send(buf, self.peer)
        except OSError as e:
            return -(e.args[0] if e.args and isinstance(e.args[0], int) and e.args[0] > 0 else ECONNRESET)
        self.tx_bytes += len(buf)
        self.tx_count += 1
        return len(buf)

    def readinto(self, buf):
        wait = 0
        if self.deadline is not None:
            wait = ticks_diff(self.deadline, self.now())
            if wait <= 0:
                if self.fail_at_deadline:
                    return -ETIMEDOUT
                wait = 0
        if self.slice_ms is not None and wait > self.slice_ms:
            wait = self.slice_ms
        try:
            got = self.link.recv(wait)
        except KeyboardInterrupt as e:
            # Ctrl-C inside mbedTLS's read would unwind through its C code and
            # leave the session half-read (the next record never decrypts):
            # say "nothing yet" and raise it once mbedTLS has returned.
            self.interrupt = e
            return -_EIO if self.fail_at_deadline else None
        except Exception as e:
            # Never raise through mbedTLS: fail a handshake, or end the wait.
            self.error = e
            return -_EIO if self.fail_at_deadline else None
        if got is None or not got[0]:
            return None  # (an empty datagram would read as end of stream)
        data = got[0]
        n = len(data)
        if n > len(buf):
            n = len(buf)  # cut: mbedTLS drops the broken record
        buf[:n] = data[:n]
        self.rx_bytes += len(data)
        self.rx_count += 1
        return n

    def ioctl(self, req, arg):
        return 0

    def reraise(self):
        e = self.interrupt
        if e is not None:
            self.interrupt = None
            raise e


class DtlsLink:
    """DTLS 1.2 PSK client session to one peer over `inner` (a datagram link).

    send(data, peer) handshakes first when there is no session (raising
    DtlsError if that fails); recv(timeout_ms) -> (data, peer) or None, and a
    session the peer broke (fatal alert, close_notify) is dropped there and
    counted in `lost`: the next send handshakes again. So does a send after
    `max_unanswered` CoAP CON messages went out with nothing received (the
    peer lost our session silently, or a NAT moved us), and a send after
    `idle_rehandshake_ms` with nothing sent or received (the NAT mapping is
    gone: the server would drop our records, a NON notification silently).

    handshake_timeout_ms: one attempt's limit (mbedTLS retransmits its flights
    inside it, after 1, 2, 4, .. s); handshake_attempts: attempts before
    DtlsError(ETIMEDOUT). A refused handshake (wrong key or identity) raises
    DtlsError(ECONNREFUSED): at once when the server sends an alert, after the
    attempt's timeout when it silently drops our Finished (OpenSSL does).
    retransmit_ms: mbedTLS's first retransmission timer, where the runtime
    lets us set it (CPython); MicroPython's tls keeps mbedTLS's 1 s, which
    on NB-IoT (round trips of seconds) costs spurious retransmissions.
    clock: the firmware clock (ticks_ms()) the timeouts and the idle time
    are measured on; None: the system's. mbedTLS's own retransmission timer
    always runs on the system clock.
    """

    def __init__(self, inner, peer, identity, key, ciphers=CIPHERS, handshake_timeout_ms=60000,
                 handshake_attempts=2, slice_ms=100, max_unanswered=4, idle_rehandshake_ms=IDLE_REHANDSHAKE_MS,
                 retransmit_ms=None, cert=None, ca=None, server_name=None, clock=None):
        """Certificate mode: cert (own certificate, DER), key (its private
        key, DER), ca (the certificate the server's chain must lead to, DER),
        server_name (what the server's certificate must name); identity unused."""
        self.inner = inner
        self.cert = cert
        self.ca = ca
        self.server_name = server_name
        if cert is not None and ciphers is CIPHERS:
            ciphers = CERT_CIPHERS
        self.peer = peer
        self.identity = identity
        self._key = key
        self._prefs = ciphers
        self._ciphers = None
        self.handshake_timeout_ms = handshake_timeout_ms
        self.handshake_attempts = handshake_attempts
        self.slice_ms = slice_ms
        self.max_unanswered = max_unanswered
        self.idle_rehandshake_ms = idle_rehandshake_ms
        self.retransmit_ms = retransmit_ms
        self._now = now = ticks_ms if clock is None else clock.ticks_ms
        self._wire = _Wire(inner, peer, now)
        self._ssl = None
        self._closed = False
        self._unanswered = 0
        self._last_io = now()
        self.cipher = None
        self.handshakes = 0  # completed
        self.lost = 0  # sessions the peer broke
        self.last_error = 0  # code of the last failure

    def __repr__(self):
        return "<DtlsLink %r %s>" % (self.identity, "up" if self._ssl else "down")

    @property
    def mtu(self):
        return self.inner.mtu - record_overhead(self.cipher)

    @property
    def connected(self):
        return self._ssl is not None

    def stats(self):
        """Bytes and datagrams on the inner link, both directions."""
        w = self._wire
        return {"tx_bytes": w.tx_bytes, "rx_bytes": w.rx_bytes, "tx": w.tx_count, "rx": w.rx_count}

    def _context(self):
        tls = _tls()
        ctx = tls.SSLContext(tls.PROTOCOL_DTLS_CLIENT)
        if self.cert is not None:  # certificates: the server's must lead to ca
            ctx.load_cert_chain(self.cert, self._key)
            ctx.load_verify_locations(self.ca)
            ctx.verify_mode = tls.CERT_REQUIRED
        else:
            ctx.verify_mode = tls.CERT_NONE  # PSK: the key authenticates the server
        if self._ciphers is None:
            have = ctx.get_ciphers()
            self._ciphers = [c for c in self._prefs if c in have]
            if not self._ciphers:
                raise DtlsError(ECONNREFUSED, "no cipher suite of ours in this mbedTLS")
        ctx.set_ciphers(self._ciphers)
        if self.cert is None:
            ctx.psk_identity = self.identity
            ctx.psk_key = self._key
        if self.retransmit_ms is not None:
            try:
                ctx.handshake_timeout_min = self.retransmit_ms / 1000
            except AttributeError:
                pass  # MicroPython: mbedTLS's default stays
        return ctx

    def connect(self):
        """Handshake now (send() does it when needed). Raises DtlsError."""
        if self._closed:
            raise DtlsError(EBADF, "link closed")
        if self._ssl is not None or self.handshakes:
            self._drop()
            # A fresh local port where the inner link can: a server that still
            # holds our old session ignores a new ClientHello from the old
            # address (libcoap 4.3 does), so a new address is a new peer.
            reopen = getattr(self.inner, "reopen", None)
            if reopen is not None:
                reopen()
        w = self._wire
        attempt = 0
        while True:
            attempt += 1
            ctx = self._context()
            w.deadline = ticks_add(self._now(), self.handshake_timeout_ms)
            w.slice_ms = self.slice_ms
            w.fail_at_deadline = True
            rx0 = w.rx_count
            w.error = None
            try:
                self._ssl = ctx.wrap_socket(w, server_side=False, server_hostname=self.server_name)
            except OSError as e:
                code = e.args[0] if e.args else 0
                if w.error is not None:
                    self.last_error = ECONNRESET
                    raise DtlsError(ECONNRESET, "handshake: the inner link failed (%r)" % (w.error,))
                if code != ETIMEDOUT and code != _MBEDTLS_TIMEOUT:
                    self.last_error = ECONNREFUSED
                    raise DtlsError(ECONNREFUSED, "handshake refused (mbedTLS %d)" % code)
                if attempt < self.handshake_attempts:
                    continue
                if w.rx_count - rx0 >= _SERVER_FLIGHTS:
                    # The server answered our hello and went silent after our
                    # Finished: it could not decrypt it, DTLS servers drop
                    # such records without an alert. Wrong key or identity.
                    self.last_error = ECONNREFUSED
                    raise DtlsError(ECONNREFUSED, "handshake: no Finished from the server (key or identity rejected)")
                self.last_error = ETIMEDOUT
                raise DtlsError(ETIMEDOUT, "handshake: no answer, %d attempts" % attempt)
            finally:
                w.slice_ms = None
                w.fail_at_deadline = False
                ctx = None
                w.reraise()
            c = self._ssl.cipher()
            self.cipher = c[0] if isinstance(c, tuple) else c
            self.handshakes += 1
            self._unanswered = 0
            self._last_io = self._now()
            return

    def _stale(self):
        if self.max_unanswered is not None and self._unanswered >= self.max_unanswered:
            return True
        t = self.idle_rehandshake_ms
        return t is not None and ticks_diff(self._now(), self._last_io) >= t

    def _drop(self):
        s = self._ssl
        self._ssl = None
        if s is not None:
            try:
                s.close()
            except Exception:
                pass

    def _lose(self, code):
        self._drop()
        self.lost += 1
        self.last_error = code

    def send(self, data, peer=None):
        if self._ssl is None or self._stale():
            self.connect()
        if data and data[0] & 0x30 == 0:  # a CoAP CON: expects an answer
            self._unanswered += 1
        try:
            self._ssl.write(data)
        except OSError as e:
            self._lose(ECONNRESET)
            raise DtlsError(ECONNRESET, "send failed, session dropped (%d)" % (e.args[0] if e.args else 0))
        self._last_io = self._now()  # keeps the NAT mapping alive

    def recv(self, timeout_ms):
        w = self._wire
        w.deadline = ticks_add(self._now(), _FOREVER if timeout_ms is None else timeout_ms)
        while True:
            if self._ssl is None:
                # No session: nothing the peer sends can be read; wait and discard.
                w.readinto(bytearray(_RX_MAX))
                data = None
            else:
                try:
                    data = self._ssl.recv(_RX_MAX)
                except OSError:
                    data = b""
                w.reraise()
                if data == b"":  # fatal alert or close_notify: the session is gone
                    self._lose(ECONNRESET)
                    data = None
            if data:
                self._unanswered = 0
                self._last_io = self._now()
                return data, self.peer
            if w.error is not None:  # the inner link failed: end this wait, keep the session
                w.error = None
                return None
            if ticks_diff(w.deadline, self._now()) <= 0:
                return None

    def close(self):
        self._drop()
        if not self._closed:
            self._closed = True
            self.inner.close()
