"""DTLS PSK in a real LwM2M session: the firmware client (CPython in-process,
and lwm2m.main on the MicroPython unix port) registers with the embedded
server, over coaps:// (its DTLS front) and over coap://, through a counting
UDP relay on loopback. Measures bytes of a full registration (handshake
included), bytes per notification, handshakes per registration, and what a
session lost by the server costs the next Update. Writes
bench/results/security.md."""
import asyncio
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests", "host")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
MPY = os.path.join(ROOT, "build", "mpy")
IDENTITY = "bench-psk"
KEY = bytes(range(16))
NOTIFICATIONS = 5


class Relay(asyncio.DatagramProtocol):
    """Counts UDP payload bytes and datagrams each way between clients and target."""

    def __init__(self, target):
        self.target = target
        self.up = {}  # client address -> upstream transport
        self.tx = self.rx = self.tx_n = self.rx_n = 0
        self.server_hellos = 0  # one per completed (or attempted past the cookie) handshake
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.tx += len(data)
        self.tx_n += 1
        up = self.up.get(addr)
        if up is None:
            self.up[addr] = up = []
            asyncio.ensure_future(self._open(addr, data))
            return
        if isinstance(up, list):
            up.append(data)
        else:
            up.sendto(data)

    async def _open(self, addr, first):
        relay = self

        class Up(asyncio.DatagramProtocol):
            def datagram_received(self, data, _):
                relay.rx += len(data)
                relay.rx_n += 1
                if len(data) > 13 and data[0] == 22 and data[13] == 2:
                    relay.server_hellos += 1
                relay.transport.sendto(data, addr)

        loop = asyncio.get_running_loop()
        t, _ = await loop.create_datagram_endpoint(Up, remote_addr=self.target)
        queued = self.up[addr]
        self.up[addr] = t
        t.sendto(first)
        for d in queued:
            t.sendto(d)

    def snap(self):
        return (self.tx, self.tx_n, self.rx, self.rx_n, self.server_hellos)

    def close(self):
        for t in self.up.values():
            if not isinstance(t, list):
                t.close()
        self.transport.close()


def diff(a, b):
    return tuple(y - x for x, y in zip(a, b))


class InProcess:
    """The CPython client in a thread (a handshake blocks its caller)."""

    def __init__(self, port, secure, ep, certs=None):
        sys.path[:0] = [TESTS, os.path.join(ROOT, "firmware"), ROOT]
        from secure_harness import Driven, provision_psk
        from client_harness import demo_model
        from lwm2m.clock import SystemClock
        from lwm2m.client.client import Client
        from lwm2m.client.servers import provision
        from lwm2m.coap.params import Params
        from lwm2m.link.peers import PeerLinks
        from lwm2m.link.udp import UdpLink

        import time

        self.model = demo_model()
        self.model.remove((3, 0))
        self.model.add(3, 0, {0: "lwm2m-micropython", 13: 0})  # Current Time, as lwm2m.main's Device has
        self.model.bind((3, 0, 13), read=lambda: int(time.time()))
        if secure:
            iid = provision_psk(self.model, "coaps://127.0.0.1:%d" % port, identity=IDENTITY, key=KEY)
            if certs is not None:
                self.model.set((0, iid, 2), 2)
                self.model.set((0, iid, 3), certs["client"])
                self.model.set((0, iid, 4), certs["ca"])
                self.model.set((0, iid, 5), certs["client_key"])
        else:
            provision(self.model, "coap://127.0.0.1:%d" % port, ssid=1, lifetime=300)
        self.links = PeerLinks(lambda: UdpLink("127.0.0.1", 0))
        client = Client(self.model, self.links, SystemClock(), {"ep": ep, "params": Params(ack_timeout=500)},
                        trace=[].append)
        client.log = []
        self.driven = Driven(client)
        client.defer(client.start)
        self.driven.start()

    def trigger_update(self):
        c = self.driven.client
        c.defer(c.connections[0].reg.trigger_update)

    def stop(self):
        self.driven.stop()
        self.links.close()


class Subprocess:
    def __init__(self, port, secure, ep, certs=None):
        env = dict(os.environ, MICROPYPATH=".frozen:" + MPY)
        cmd = [MICROPYTHON, "-X", "heapsize=1M", "-m", "lwm2m.main",
               "%s://127.0.0.1:%d" % ("coaps" if secure else "coap", port), ep, "300"]
        if certs is not None:
            import tempfile

            self.dir = tempfile.mkdtemp()
            files = []
            for name in ("client", "client_key", "ca"):
                files.append(os.path.join(self.dir, name + ".der"))
                with open(files[-1], "wb") as f:
                    f.write(certs[name])
            cmd += ["--cert", ",".join(files)]
        elif secure:
            cmd += ["--psk", "%s:%s" % (IDENTITY, KEY.hex())]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    trigger_update = None

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def session(runner, secure, ep, certs=None):
    from host_sim.server import LwM2MServer

    out = {}
    server_certs = None if certs is None else ([certs["server"], certs["ca"]], certs["server_key"], certs["ca"])
    async with LwM2MServer(port=0, psk={IDENTITY: KEY}, dtls_port=0, certs=server_certs) as server:
        loop = asyncio.get_running_loop()
        relay = Relay(("127.0.0.1", server.dtls_port if secure else server.port))
        await loop.create_datagram_endpoint(lambda: relay, local_addr=("127.0.0.1", 0))
        port = relay.transport.get_extra_info("sockname")[1]
        client = runner(port, secure, ep, certs)
        try:
            s0 = relay.snap()
            await server.events.next("registered", ep, 30.0)
            await asyncio.sleep(0.3)  # the 2.01 reaches the client
            out["register"] = diff(s0, relay.snap())
            await server.write_attributes(ep, "/3/0/13", {"pmax": 1}, timeout=5.0)
            obs = await server.observe(ep, "/3/0/13", accept="senml-json", timeout=5.0)
            await obs.next(5.0)
            s1 = relay.snap()
            for _ in range(NOTIFICATIONS):
                n = await obs.next(5.0)
            out["notify"] = diff(s1, relay.snap())
            out["notify_payload"] = len(n.payload)
            if secure and client.trigger_update is not None:
                await server.cancel(obs, timeout=5.0)  # no notifications in the next figure
                await asyncio.sleep(1.5)
                for peer in list(server.dtls.link.sessions):
                    server.dtls.link.drop(peer)  # the server lost the session (restart; or a NAT change)
                s2 = relay.snap()
                client.trigger_update()
                await server.events.next("updated", ep, 60.0)
                await asyncio.sleep(0.3)
                out["recover"] = diff(s2, relay.snap())
        finally:
            client.stop()
            relay.close()
    return out


def measure(runner, secure, ep, certs=None):
    return asyncio.run(asyncio.wait_for(session(runner, secure, ep, certs), 120))


def fmt_bytes(t):
    return "%d B in %d / %d B in %d" % (t[0], t[1], t[2], t[3])


def main():
    sys.path[:0] = [TESTS, os.path.join(ROOT, "firmware"), ROOT]
    try:
        import mbedtls  # noqa: F401
    except ImportError:
        print("python-mbedtls missing: no security bench")
        return
    runners = [("CPython", InProcess)]
    if os.path.exists(MICROPYTHON) and os.path.exists(os.path.join(MPY, "lwm2m", "main.mpy")):
        runners.append(("MicroPython", Subprocess))
    from certs import make

    certs = make()
    rows = []
    for name, runner in runners:
        for secure, label in ((False, "NoSec"), (True, "DTLS PSK"), (True, "DTLS certificates (ECDSA P-256)")):
            c = certs if "cert" in label else None
            r = measure(runner, secure, "bench-%s-%d" % (name.lower(), len(label)), c)
            rows.append((name, label, r))
    lines = ["# DTLS PSK in a LwM2M session (`make bench`, bench/bench_security.py)", "",
             "The firmware client against the embedded server (host_sim.server; its DTLS front is "
             "python-mbedtls, Mbed TLS 2.28) through a counting UDP relay on loopback. Bytes are UDP "
             "payloads (add 28 per datagram for IPv4+UDP). `up` is client -> server, `down` server -> client. "
             "A registration starts with the client's first datagram and ends with the 2.01; over DTLS it "
             "includes the handshake. Notifications: /3/0/13 observed with pmax=1, SenML JSON, NON; "
             "%d in a row after the first. Handshakes: ServerHello records seen." % NOTIFICATIONS, "",
             "| client | security | registration up / down (datagrams) | handshakes per registration "
             "| per notification, bytes up | notification payload | lost session -> Update up / down (handshakes) |",
             "|---|---|---|---|---|---|---|"]
    for name, label, r in rows:
        reg = r["register"]
        rec = r.get("recover")
        lines.append("| %s | %s | %s | %d | %.1f | %d | %s |" % (
            name, label, fmt_bytes(reg), reg[4], r["notify"][0] / float(NOTIFICATIONS),
            r["notify_payload"], "-" if rec is None else "%s (%d)" % (fmt_bytes(rec), rec[4])))
    lines += ["", "The negotiated suite: CPython (python-mbedtls 2.28) TLS-PSK-WITH-AES-128-CCM-8 "
              "(29 bytes per record); MicroPython's `tls` has no CCM and negotiates "
              "TLS-PSK-WITH-AES-128-GCM-SHA256 (37 bytes); with certificates ECDHE-ECDSA with the same "
              "AEADs (the handshake carries a CA-signed client certificate and a server chain of two). "
              "The lost-session rows (CPython only, they need the "
              "client to start an Update): the server forgot the session; the Update's CON goes unanswered "
              "4 times (`max_unanswered`), its last retransmission handshakes first and gets through "
              "(CoAP ack_timeout 500 ms here)."]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(HERE, "results", "security.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
