# lwm2m.link.dtls without a network: what the client puts on the wire, its
# timeouts, and that the key never shows. Runs on both runtimes (real mbedTLS
# on each: MicroPython's tls, python-mbedtls on CPython).
from support import raises
from lwm2m.compat import sleep_ms
from lwm2m.link.dtls import DtlsLink, DtlsError, ETIMEDOUT, EBADF, ECONNRESET, record_overhead

KEY = b"unit-test-psk-8c1f"
# PSK suites we offer (CCM_8, GCM, CBC) and the renegotiation SCSV mbedTLS adds.
OFFERED = (0xC0A8, 0x00A8, 0x00AE, 0x00FF)


class SilentLink:
    """A datagram link whose peer never answers; keeps what was sent."""

    mtu = 1232

    def __init__(self):
        self.sent = []
        self.closed = False

    def send(self, data, peer=None):
        self.sent.append(bytes(data))

    def recv(self, timeout_ms):
        sleep_ms(min(timeout_ms, 20))
        return None

    def close(self):
        self.closed = True


def suites(hello):
    """Cipher suites of a DTLS ClientHello record."""
    p = 13 + 12 + 2 + 32  # record header, handshake header, version, random
    p += 1 + hello[p]  # session id
    p += 1 + hello[p]  # cookie
    n = (hello[p] << 8) | hello[p + 1]
    return [(hello[p + 2 + i] << 8) | hello[p + 3 + i] for i in range(0, n, 2)]


def test_silent_peer_gives_etimedout_after_each_attempt_sent_a_client_hello():
    inner = SilentLink()
    link = DtlsLink(inner, None, "dev-1", KEY, handshake_timeout_ms=300, handshake_attempts=2)
    e = raises(DtlsError, link.connect)
    assert e.args[0] == ETIMEDOUT
    assert link.last_error == ETIMEDOUT and not link.connected
    hellos = [d for d in inner.sent if d[0] == 22 and d[13] == 1]
    assert len(hellos) >= 2  # one per attempt (mbedTLS's 1 s timer retransmits none in 300 ms)
    assert all(d[3:5] == b"\x00\x00" for d in hellos)  # epoch 0


def test_client_hello_offers_only_psk_suites_in_our_order():
    inner = SilentLink()
    link = DtlsLink(inner, None, "dev-1", KEY, handshake_timeout_ms=100, handshake_attempts=1)
    raises(DtlsError, link.connect)
    offered = suites(inner.sent[0])
    assert offered and all(s in OFFERED for s in offered)
    ours = [s for s in offered if s != 0x00FF]
    assert ours == [s for s in OFFERED[:3] if s in ours]  # preference order kept


def test_key_never_in_repr_or_error_text():
    link = DtlsLink(SilentLink(), None, "dev-1", KEY, handshake_timeout_ms=50, handshake_attempts=1)
    e = raises(DtlsError, link.connect)
    for text in (repr(link), str(link), repr(e), str(e)):
        assert "unit-test-psk" not in text
        assert "dev-1" in repr(link)


def test_send_on_closed_link_raises_ebadf_and_closes_inner():
    inner = SilentLink()
    link = DtlsLink(inner, None, "dev-1", KEY)
    link.close()
    assert inner.closed
    assert raises(DtlsError, link.send, b"\x40\x01\x00\x01", None).args[0] == EBADF


def test_recv_without_session_waits_and_returns_none():
    link = DtlsLink(SilentLink(), None, "dev-1", KEY)
    assert link.recv(30) is None


def test_mtu_is_inner_mtu_less_record_overhead():
    assert record_overhead("TLS-PSK-WITH-AES-128-CCM-8") == 13 + 8 + 8
    assert record_overhead("TLS-PSK-WITH-AES-128-GCM-SHA256") == 13 + 8 + 16
    assert record_overhead("TLS-PSK-WITH-AES-128-CBC-SHA256") == 13 + 16 + 32 + 16
    link = DtlsLink(SilentLink(), None, "dev-1", KEY)
    assert link.mtu == 1232 - record_overhead(None)  # worst case before a handshake


def test_compat_tls_is_a_dtls_client_module():
    from lwm2m.compat import tls

    m = tls()
    ctx = m.SSLContext(m.PROTOCOL_DTLS_CLIENT)
    assert "TLS-PSK-WITH-AES-128-GCM-SHA256" in ctx.get_ciphers()
    assert "Mbed TLS" in m.MBEDTLS_VERSION


def test_recv_none_waits_and_an_inner_link_error_ends_the_wait_without_raising():
    class Failing(SilentLink):
        def recv(self, timeout_ms):
            assert timeout_ms > 0
            raise OSError(5, "modem gone")

    link = DtlsLink(Failing(), None, "dev-1", KEY)
    assert link.recv(None) is None


def test_inner_link_error_during_handshake_is_econnreset():
    class Failing(SilentLink):
        def recv(self, timeout_ms):
            raise OSError(5, "modem gone")

    link = DtlsLink(Failing(), None, "dev-1", KEY)
    e = raises(DtlsError, link.connect)
    assert e.args[0] == ECONNRESET


class _VirtualClock:
    """A firmware clock that only moves when the link waits."""

    def __init__(self):
        self.now = 5000

    def ticks_ms(self):
        return self.now


class _VirtualSilentLink(SilentLink):
    def __init__(self, clock):
        SilentLink.__init__(self)
        self.clock = clock

    def recv(self, timeout_ms):
        self.clock.now += timeout_ms  # the wait is virtual time (a simulated modem, the host simulator)
        return None


def test_handshake_deadline_runs_on_the_given_clock():
    # A simulated device's DTLS link waits in virtual time: one attempt of
    # 60 s ends after 60 s of that clock, not of the system's.
    clock = _VirtualClock()
    link = DtlsLink(_VirtualSilentLink(clock), None, "dev-1", KEY, handshake_timeout_ms=60000,
                    handshake_attempts=1, clock=clock)
    e = raises(DtlsError, link.connect)
    assert e.args[0] == ETIMEDOUT
    assert 60000 <= clock.now - 5000 <= 60000 + link.slice_ms


def test_idle_rehandshake_is_on_by_default_under_the_two_minute_nat_minimum():
    link = DtlsLink(SilentLink(), None, "dev-1", KEY)
    assert 0 < link.idle_rehandshake_ms < 120000  # RFC 4787 REQ-5: a NAT keeps an idle mapping 2 min
