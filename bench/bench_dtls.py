"""DTLS 1.2 PSK link: handshake bytes and round trips, record overhead,
.mpy size; client on CPython (python-mbedtls) and MicroPython (its tls),
server libcoap's coap-server-openssl and host_sim's DtlsServerLink, all on
loopback. Writes bench/results/dtls.md."""
import binascii
import os
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPTS = os.path.join(ROOT, "tests", "host", "scripts")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
MPY = os.path.join(ROOT, "build", "mpy")
IDENTITY = "bench-client"
KEY = b"bench-psk-0123456789ab"

ROWS = [
    ("cipher", "negotiated suite"),
    ("handshake_round_trips", "handshake round trips"),
    ("handshake_tx_bytes", "handshake bytes client -> server"),
    ("handshake_tx_datagrams", "  in datagrams"),
    ("handshake_rx_bytes", "handshake bytes server -> client"),
    ("handshake_rx_datagrams", "  in datagrams"),
    ("rehandshake_round_trips", "new handshake (session lost): round trips"),
    ("rehandshake_tx_bytes", "new handshake: bytes client -> server"),
    ("rehandshake_rx_bytes", "new handshake: bytes server -> client"),
    ("notify_payload", "CoAP notification (NoSec datagram), bytes"),
    ("notify_on_wire", "the same over DTLS, bytes"),
    ("record_overhead", "DTLS overhead per record, bytes"),
    ("mtu", "link.mtu over a 1232-byte UDP link"),
    ("handshake_ms", "handshake time on loopback, ms"),
    ("slow_handshake_tx_bytes", "answers 1.5 s late: handshake bytes client -> server"),
    ("slow_handshake_tx_datagrams", "  in datagrams"),
    ("slow_handshake_rx_bytes", "answers 1.5 s late: bytes server -> client"),
    ("slow_handshake_rx_datagrams", "  in datagrams"),
    ("slow_handshake_ms", "answers 1.5 s late: handshake time, ms"),
    ("session_heap_bytes", "Python heap held by a session, bytes"),
]


def parse(text):
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        out[name] = value
    return out


def run_cpython(port):
    sys.path[:0] = [SCRIPTS, os.path.join(ROOT, "firmware"), ROOT]
    import dtls_measure

    return {k: str(v) for k, v in dtls_measure.measure(port, IDENTITY, KEY)}


def run_micropython(port):
    if not (os.path.exists(MICROPYTHON) and os.path.isdir(os.path.join(MPY, "lwm2m", "link"))):
        return None
    env = dict(os.environ, MICROPYPATH=":".join([SCRIPTS, MPY, ".frozen"]))
    cmd = [MICROPYTHON, os.path.join(SCRIPTS, "dtls_measure.py"), str(port), IDENTITY, binascii.hexlify(KEY).decode()]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    if p.returncode:
        raise RuntimeError(p.stdout + p.stderr)
    return parse(p.stdout)


def with_libcoap(fn):
    sys.path.insert(0, SCRIPTS)
    import libcoap_server

    if not libcoap_server.available():
        return None
    server = libcoap_server.LibcoapServer(IDENTITY, KEY).start()
    try:
        return fn(server.dtls_port)
    finally:
        server.stop()


def with_host_sim(fn):
    sys.path[:0] = [SCRIPTS, ROOT]
    from udp_server_link import UdpServerLink
    from host_sim.dtls_server import DtlsServerLink

    link = DtlsServerLink(UdpServerLink(), {IDENTITY: KEY})
    stop = []

    def serve():
        while not stop:
            link.recv(20)  # handshakes; the notification needs no answer

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        return fn(link.inner.port)
    finally:
        stop.append(1)
        t.join(2)
        link.close()


def main():
    columns = []
    for server_name, server in (("libcoap (OpenSSL)", with_libcoap), ("host_sim (mbedTLS 2.28)", with_host_sim)):
        for client_name, client in (("CPython", run_cpython), ("MicroPython", run_micropython)):
            result = server(client)
            if result is not None:
                columns.append(("%s -> %s" % (client_name, server_name), result))
    size = os.path.getsize(os.path.join(MPY, "lwm2m", "link", "dtls.mpy")) if os.path.isdir(MPY) else None
    lines = ["# DTLS 1.2 PSK link (`make bench`, bench/bench_dtls.py)", ""]
    lines.append("Client `lwm2m.link.dtls.DtlsLink` on loopback UDP; bytes are UDP payloads (add 28 per datagram "
                 "for IPv4+UDP headers). A round trip is a run of client datagrams answered by a run of server "
                 "datagrams. Time and heap figures are from this machine, for comparison only. \"Answers 1.5 s late\": "
                 "each datagram the client receives is held 1.5 s (an NB-IoT-like round trip) with "
                 "`retransmit_ms=3000`, which only CPython's binding can apply; MicroPython's mbedTLS "
                 "keeps its 1 s first retransmission timer.")
    lines.append("")
    lines.append("| | " + " | ".join(name for name, _ in columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for key, label in ROWS:
        lines.append("| %s | %s |" % (label, " | ".join(r.get(key, "-") for _, r in columns)))
    lines.append("")
    if size is not None:
        lines.append("`lwm2m/link/dtls.mpy`: %d bytes (mpy-cross, no frozen bytecode)." % size)
    if not any("libcoap" in n for n, _ in columns):
        lines.append("libcoap's coap-server-openssl missing (Debian package libcoap3-bin): its columns are absent.")
    text = "\n".join(lines) + "\n"
    path = os.path.join(HERE, "results", "dtls.md")
    with open(path, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
