# UdpLink on real loopback sockets, on both runtimes (MicroPython's unix port
# has no getsockname, so the server side binds a port chosen here).
from lwm2m import compat
from lwm2m.clock import SystemClock
from lwm2m.link.udp import UdpLink
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message


def _bound(host):
    for _ in range(20):
        port = 20000 + compat.getrandbits(15)
        try:
            return UdpLink(host, port), port
        except OSError:
            pass
    raise AssertionError("no free port")


def test_one_datagram_per_recv_and_timeout_returns_none():
    a, port = _bound("127.0.0.1")
    b = UdpLink("127.0.0.1", 0)
    try:
        assert a.recv(0) is None
        dest = compat.sockaddr("127.0.0.1", port)
        b.send(b"one", dest)
        b.send(bytearray(b"two"), dest)
        d1, peer = a.recv(1000)
        d2, _ = a.recv(1000)
        assert (d1, d2) == (b"one", b"two")
        a.send(memoryview(b"back"), peer)
        assert b.recv(1000)[0] == b"back"
        assert a.recv(10) is None
    finally:
        a.close()
        b.close()


def test_system_clock_ticks_and_time():
    c = SystemClock()
    t = c.ticks_ms()
    c.sleep_ms(5)
    assert compat.ticks_diff(c.ticks_ms(), t) >= 4 and c.time() > 1000000


def _loopback(host):
    s_link, port = _bound(host)
    server = Endpoint(s_link, SystemClock(), lambda r, p: Message(cm.CONTENT, payload=b"/".join(r.options(cm.URI_PATH))))
    client = Endpoint(UdpLink(host, 0), SystemClock())
    try:
        m = Message(cm.GET).set_uri_path("3/0/0")
        ex = client.request(m, compat.sockaddr(host, port))
        for _ in range(100):
            server.poll(5)
            client.poll(5)
            if ex.done:
                break
        assert ex.error is None and bytes(ex.response.payload) == b"3/0/0"
    finally:
        s_link.close()
        client.link.close()


def test_endpoint_round_trip_over_udp_ipv4():
    _loopback("127.0.0.1")


def test_endpoint_round_trip_over_udp_ipv6():
    try:
        UdpLink("::1", 0).close()
    except OSError:
        return  # no IPv6 loopback on this machine
    _loopback("::1")
