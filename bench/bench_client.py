"""The LwM2M client: flash (.mpy sizes), heap on MicroPython, bytes on the wire.

Writes bench/results/client.md. Sizes come from build/mpy (`make mpy` first;
`make bench` does it). Heap: gc.mem_alloc() deltas in a `.venv/bin/micropython`
subprocess after gc.collect(). Wire: the client on CPython over an in-memory
wire against a CoAP endpoint that answers like a LwM2M server; UDP payload
bytes (add 28 B IPv4/UDP or 48 B IPv6/UDP per datagram for the radio).
"""
import os
import subprocess
import sys

try:
    from bench.mpy_probe import MICROPYTHON, MPY, mpy_sizes, run_probe
except ImportError:  # run as a script: bench/ is on sys.path
    from mpy_probe import MICROPYTHON, MPY, mpy_sizes, run_probe

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

MODULES = ["client/" + n for n in ("attrs", "notify", "reglinks", "registration", "dispatch", "reporter",
                                   "acl", "offline", "execargs", "servers", "client")] + \
          ["objects/std_device", "objects/std_values", "objects/std_connstats", "main"]

# Runs inside MicroPython after mpy_probe.PRELUDE, on the plain .mpy files.
PROBE = """
step('import lwm2m.coap.endpoint (engine)', lambda: __import__('lwm2m.coap.endpoint'))
step('import lwm2m.model (+ object tables)', lambda: __import__('lwm2m.model'))
step('import lwm2m.codec.senml_cbor', lambda: __import__('lwm2m.codec.senml_cbor'))
step('import lwm2m.codec.linkformat', lambda: __import__('lwm2m.codec.linkformat'))
step('import lwm2m.client.client (all client modules)', lambda: __import__('lwm2m.client.client'))
step('import lwm2m.objects.std_device', lambda: __import__('lwm2m.objects.std_device'))
class NullLink:
    mtu = 1152
    def send(self, d, p): pass
    def recv(self, t): return None
    def close(self): pass
class Clock:
    def ticks_ms(self): return 0
    def time(self): return 1000
    def sleep_ms(self, ms): pass
def device():
    from lwm2m.model import Model
    from lwm2m.objects.std_device import Device
    from lwm2m.client.servers import provision
    m = Model()
    Device({'manufacturer': 'ACME', 'model': 'N1', 'serial': '42', 'firmware': '1.0'}).install(m)
    m.add(3303, 0, {5700: 21.5, 5701: 'Cel'})
    provision(m, 'coap://192.0.2.1:5683', 1, 300)
    return m
m = step('device model (Device, Temperature, 0/1)', device)
def client():
    from lwm2m.client.client import Client
    c = Client(m, NullLink(), Clock(), {'ep': 'urn:dev:42', 'resolve': lambda u: 'srv'})
    c.start()
    c.step()
    return c
c = step('Client started, Register in flight', client)
"""


def sizes():
    rows = mpy_sizes(MODULES)
    return ["| %s | %d |" % r for r in rows[:-1]] + ["| **total** | **%d** |" % rows[-1][1]]


def heap():
    if not os.path.exists(MICROPYTHON):
        return ["(no micropython in .venv)"]
    try:
        return ["| %s | %s |" % r for r in run_probe(PROBE)]
    except RuntimeError as e:
        return ["(probe failed: %s)" % str(e).strip().splitlines()[-1:]]


def wire():
    sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    from client_support import device, FakeClock, FakeServer, wire as mkwire, pump, req
    from lwm2m.coap.message import decode
    from lwm2m.client.client import Client

    m = device()
    clock = FakeClock()
    lc, ls, log = mkwire()
    srv = FakeServer(ls, clock)
    c = Client(m, lc, clock, {"ep": "urn:dev:42", "resolve": lambda uri: "server"})
    rows = []

    def measure(what, action):
        mark = len(log)
        action()
        pump(c, srv.ep, lc, ls)
        up = sum(len(d) for who, d in log[mark:] if who == "client")
        down = sum(len(d) for who, d in log[mark:] if who == "server")
        n = len(log) - mark
        rows.append("| %s | %d | %d | %d |" % (what, n, up, down))

    measure("Register (5 objects) + 2.01", c.start)
    measure("Update (nothing changed) + 2.04", c.connections[0].reg.trigger_update)
    measure("Update with new object list + 2.04", lambda: m.add(3303, 2, {5700: 1.0}))
    for fmt, name in ((112, "SenML CBOR"), (11542, "TLV"), (110, "SenML JSON"), (11544, "LwM2M CBOR")):
        measure("Read /3/0 in %s" % name, lambda f=fmt: srv.ep.request(req(1, "/3/0", accept=f), "client"))
    measure("Observe /3303/0/5700 (SenML CBOR)", lambda: srv.ep.request(req(1, "/3303/0/5700", observe=0, accept=112),
                                                                       "client"))
    measure("one NON notification", lambda: m.set((3303, 0, 5700), 22.0))
    measure("Send /3303/0/5700 + 2.04", lambda: c.send([(3303, 0, 5700)]))
    measure("De-register + 2.02", c.deregister)
    return rows


def sim_day():
    """A virtual day in host_sim (tests/host/test_client_sim.py's world):
    registration kept alive through a carrier NAT, per lifetime and loss."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "host"))
    from test_client_sim import _world, DAY_MS

    rows = []
    for lifetime, loss in ((300, 0.0), (300, 0.2), (3600, 0.0), (86400, 0.0)):
        sim, net, server, client, model = _world(seed=1, loss=loss, lifetime=lifetime)
        sim.run_for(DAY_MS)
        c = net.totals()["device"]
        ups = len([w for t, w in server.log if w.startswith("update")])
        rows.append("| %d s | %d%% | %d | %d | %d | %d | %d |" % (
            lifetime, loss * 100, ups, c["up_datagrams"], c["up_bytes"], c["down_datagrams"], c["down_bytes"]))
    return rows


def min_heap():
    """The smallest MicroPython heap (unix port, 64-bit, .mpy loaded into RAM,
    nothing frozen) with which lwm2m.main registers and answers reads in SenML
    CBOR and TLV, against the embedded server on loopback."""
    import asyncio
    sys.path.insert(0, ROOT)
    from host_sim.server import LwM2MServer

    async def works(heap):
        async with LwM2MServer(port=0) as server:
            env = dict(os.environ, MICROPYPATH=".frozen:" + MPY)
            p = subprocess.Popen([MICROPYTHON, "-X", "heapsize=%dK" % heap, "-m", "lwm2m.main",
                                  "coap://127.0.0.1:%d" % server.port, "heap", "60"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                await server.events.next("registered", "heap", 5)
                a = await server.read("heap", "/3/0", accept="senml-cbor", timeout=5)
                b = await server.read("heap", "/3/0", accept="tlv", timeout=5)
                return a.code == 0x45 and b.code == 0x45
            except Exception:
                return False
            finally:
                p.kill()
                p.wait()

    if not os.path.exists(MICROPYTHON):
        return ["(no micropython in .venv)"]
    for heap in range(128, 321, 16):
        if asyncio.run(works(heap)):
            return ["Smallest heap that runs `lwm2m.main` (register, reads in SenML CBOR and TLV): "
                    "**%d KB** (`-X heapsize`, unix port, 64-bit, modules as .mpy in RAM; frozen or "
                    "ROMFS modules cost far less)." % heap]
    return ["lwm2m.main did not run in 320 KB or less"]


def main():
    lines = ["# LwM2M client", "", "Generated by bench/bench_client.py.", "",
             "## Flash: .mpy sizes (bytes)", "", "| module | bytes |", "|---|---|"]
    lines += sizes()
    lines += ["", "## Heap on MicroPython (unix port, bytes retained after gc.collect())", "",
              "| step | bytes |", "|---|---|"]
    lines += heap()
    lines += [""] + min_heap()
    lines += ["", "## Bytes on the wire (UDP payload; add 28 B IPv4/UDP per datagram)", "",
              "| exchange | datagrams | up B | down B |", "|---|---|---|---|"]
    lines += wire()
    lines += ["", "## A virtual day keeping the registration (host_sim, carrier NAT idle 120 s, 300 ms delay)", "",
              "UDP payload bytes from and to the device; no observations.", "",
              "| lifetime | loss each way | Updates | up datagrams | up B | down datagrams | down B |",
              "|---|---|---|---|---|---|---|"]
    lines += sim_day()
    text = "\n".join(lines) + "\n"
    with open(os.path.join(HERE, "results", "client.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
