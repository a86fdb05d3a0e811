# DTLS link scenarios against a CoAP server (libcoap's coap-server-openssl or
# host_sim's DtlsServerLink), the same on both runtimes: tests/host/test_dtls.py
# calls run() in-process on CPython and runs this file on MicroPython.
#   micropython dtls_scenarios.py <scenario> <port> <identity> <key hex>
# Each scenario returns lines to compare; none may contain the key.
import sys

try:
    from time import ticks_ms, ticks_diff
except ImportError:
    from lwm2m.compat import ticks_ms, ticks_diff

from udp_link import UdpLink
from faulty_link import FaultyLink
from lwm2m.link.dtls import DtlsLink, DtlsError

# CON GET /.well-known/core, MID 0x1234, no token
GET_CORE = b"\x40\x01\x12\x34\xbb.well-known\x04core"


def get(mid):
    return bytes([0x40, 0x01, mid >> 8, mid & 0xFF]) + GET_CORE[4:]


def answer(got, mid):
    """'2.05 ok' when got is the piggybacked 2.05 for mid with the resource list."""
    if got is None:
        return "none"
    data = got[0]
    ok = data[0] == 0x60 and data[1] == 0x45 and data[2] == mid >> 8 and data[3] == mid & 0xFF
    return "2.05 ok" if ok and b"</" in data else "bad %r" % data[:8]


def link(port, identity, key, **kw):
    faults = FaultyLink(UdpLink("127.0.0.1", port))
    return DtlsLink(faults, None, identity, key, **kw), faults


def failure(l):
    try:
        l.connect()
    except DtlsError as e:
        return "error %d %s" % (e.args[0], "key-free" if KEY_TEXT(e) else "KEY SHOWN")
    return "no error"


def KEY_TEXT(e):
    return _key not in repr(e).encode() and _key not in str(e).encode()


_key = b""


def run(scenario, port, identity, key):
    global _key
    _key = key
    out = []
    if scenario == "get":
        l, f = link(port, identity, key)
        l.connect()
        out.append("handshake rx %d tx %d" % (l.stats()["rx"], l.stats()["tx"]))
        l.send(get(0x1234), None)
        out.append(answer(l.recv(3000), 0x1234))
        l.send(get(0x1235), None)
        out.append(answer(l.recv(3000), 0x1235))
        out.append("handshakes %d lost %d" % (l.handshakes, l.lost))
        out.append("repr key-free %s" % (key not in repr(l).encode()))
        l.close()
    elif scenario == "wrongkey":
        l, f = link(port, identity, b"not-" + key, handshake_timeout_ms=3000, handshake_attempts=1)
        out.append(failure(l))
        l.close()
    elif scenario == "wrongid":
        l, f = link(port, "not-" + identity, key, handshake_timeout_ms=3000, handshake_attempts=1)
        out.append(failure(l))
        l.close()
    elif scenario == "silent":
        # The server answers the first ClientHello (HelloVerifyRequest), then
        # nothing: two attempts of 1.5 s, then ETIMEDOUT, well before 6 s.
        l, f = link(port, identity, key, handshake_timeout_ms=1500, handshake_attempts=2)
        f.silent_from = 1
        t = ticks_ms()
        out.append(failure(l))
        out.append("within bound %s" % (ticks_diff(ticks_ms(), t) < 6000))
        l.close()
    elif scenario == "truncated":
        # The server's second flight arrives cut: mbedTLS drops it and
        # retransmits; then the first response arrives cut: dropped, the
        # link stays up and the next exchange works.
        l, f = link(port, identity, key, handshake_timeout_ms=10000)
        f.truncate = (1,)
        l.connect()
        out.append("handshakes %d" % l.handshakes)
        f.truncate = (f.rx,)
        l.send(get(0x2001), None)
        out.append(answer(l.recv(1500), 0x2001))
        l.send(get(0x2002), None)
        out.append(answer(l.recv(3000), 0x2002))
        l.close()
    elif scenario == "replayed":
        # The first response arrives twice: the copy is dropped (anti-replay).
        l, f = link(port, identity, key)
        l.connect()
        f.duplicate = (f.rx,)
        l.send(get(0x3001), None)
        out.append(answer(l.recv(3000), 0x3001))
        out.append(answer(l.recv(500), 0x3001))
        out.append("delivered %d datagrams" % len([d for d, n in f.log if d == "rx"]))
        l.close()
    elif scenario == "serverlost":
        # Our records go unanswered (the server forgot the session, or a NAT
        # moved us): after max_unanswered CONs the next send handshakes
        # again, from a new local port.
        l, f = link(port, identity, key, max_unanswered=2)
        l.connect()
        f.silent_from = f.rx
        l.send(get(0x4001), None)
        out.append(answer(l.recv(300), 0x4001))
        l.send(get(0x4001), None)
        out.append(answer(l.recv(300), 0x4001))
        f.silent_from = None
        l.send(get(0x4001), None)
        out.append(answer(l.recv(3000), 0x4001))
        out.append("handshakes %d" % l.handshakes)
        l.close()
    elif scenario == "engine":
        # The CoAP engine (lwm2m.coap) over the DTLS link over the
        # firmware's UdpLink: two GETs, the second on the same session.
        from lwm2m.coap.endpoint import Endpoint
        from lwm2m.coap.message import Message, GET
        from lwm2m.clock import SystemClock
        from lwm2m.compat import sockaddr
        from lwm2m.link.udp import UdpLink as FirmwareUdpLink

        peer = sockaddr("127.0.0.1", port)
        l = DtlsLink(FirmwareUdpLink("127.0.0.1", 0), peer, identity, key)
        ep = Endpoint(l, SystemClock())
        for path in ("/.well-known/core", "/time"):
            ex = ep.request(Message(GET).set_uri_path(path), peer)
            t = ticks_ms()
            while not ex.done and ticks_diff(ticks_ms(), t) < 10000:
                ep.poll(100)
            r = ex.response
            out.append("%s %s %s" % (path, ex.error, "%d.%02d" % (r.code >> 5, r.code & 31) if r else "-"))
        out.append("handshakes %d" % l.handshakes)
        l.close()
    else:
        out.append("unknown scenario")
    return out


if __name__ == "__main__":
    import binascii

    for line in run(sys.argv[1], int(sys.argv[2]), sys.argv[3], binascii.unhexlify(sys.argv[4])):
        print(line)
