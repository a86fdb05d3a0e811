# Bytes and round trips of a DTLS PSK session, the same on both runtimes
# (bench/bench_dtls.py runs it on each):
#   micropython dtls_measure.py <port> <identity> <key hex>
# Prints "name value" lines.
import gc
import sys

try:
    from time import ticks_ms, ticks_diff
except ImportError:
    from lwm2m.compat import ticks_ms, ticks_diff

from udp_link import UdpLink
from faulty_link import FaultyLink
from lwm2m.link.dtls import DtlsLink

# A 20-byte CoAP notification: NON 2.05, token 2, Observe 4 bytes, payload 9.
NOTIFY = b"\x52\x45\x00\x07\xab\xcd\x63\x00\x01\x02\xff" + b"21.5 degC"
assert len(NOTIFY) == 20
SLOW_MS = 1500


def tally(log, prefix, out):
    tx = [n for d, n in log if d == "tx"]
    rx = [n for d, n in log if d == "rx"]
    out.append((prefix + "_tx_bytes", sum(tx)))
    out.append((prefix + "_tx_datagrams", len(tx)))
    out.append((prefix + "_rx_bytes", sum(rx)))
    out.append((prefix + "_rx_datagrams", len(rx)))


def measure(port, identity, key):
    out = []
    f = FaultyLink(UdpLink("127.0.0.1", port))
    link = DtlsLink(f, None, identity, key)
    gc.collect()
    heap0 = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    t = ticks_ms()
    link.connect()
    out.append(("handshake_ms", ticks_diff(ticks_ms(), t)))
    gc.collect()
    if heap0:
        out.append(("session_heap_bytes", gc.mem_alloc() - heap0))
    out.append(("cipher", link.cipher))
    tally(f.log, "handshake", out)
    out.append(("handshake_round_trips", f.round_trips()))
    f.log = []
    link.send(NOTIFY, None)
    out.append(("notify_payload", len(NOTIFY)))
    out.append(("notify_on_wire", f.log[0][1]))
    out.append(("record_overhead", f.log[0][1] - len(NOTIFY)))
    out.append(("mtu", link.mtu))
    f.log = []
    link.connect()  # a full new handshake: neither runtime resumes sessions
    tally(f.log, "rehandshake", out)
    out.append(("rehandshake_round_trips", f.round_trips()))
    link.close()
    # NB-IoT-like: every answer arrives SLOW_MS late. mbedTLS's 1 s timer
    # retransmits our flights; retransmit_ms (CPython only) avoids it.
    f = FaultyLink(UdpLink("127.0.0.1", port))
    f.delay_ms = SLOW_MS
    link = DtlsLink(f, None, identity, key, handshake_timeout_ms=60000, retransmit_ms=2 * SLOW_MS)
    t = ticks_ms()
    link.connect()
    out.append(("slow_handshake_ms", ticks_diff(ticks_ms(), t)))
    tally(f.log, "slow_handshake", out)
    link.close()
    return out


if __name__ == "__main__":
    import binascii

    for name, value in measure(int(sys.argv[1]), sys.argv[2], binascii.unhexlify(sys.argv[3])):
        print(name, value)
