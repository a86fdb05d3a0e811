"""CoAP engine: flash (.mpy sizes), heap after import, and garbage per
request/response round on MicroPython.

Writes bench/results/coap.md. Heap figures are gc.mem_alloc() deltas in a
`.venv/bin/micropython` subprocess with build/mpy first on sys.path. Garbage per
round is measured with the collector off: bytes allocated over N rounds / N,
after warm-up rounds (so one-off growth of lists and caches is not counted).
Needs `make mpy` first (`make bench` does it).
"""
import os
import sys
import tempfile

try:
    from bench.mpy_probe import mpy_sizes, romfs_image, run_probe
except ImportError:  # run as a script: bench/ is on sys.path
    from mpy_probe import mpy_sizes, romfs_image, run_probe

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ("coap/message", "coap/params", "coap/block", "coap/exchange", "coap/endpoint", "link/udp", "clock")

# Runs inside MicroPython after mpy_probe.PRELUDE; from a ROMFS image only the
# import steps run.
PROBE = """
step('import_base', lambda: __import__('lwm2m.compat') and __import__('lwm2m.error'))
step('import_message', lambda: __import__('lwm2m.coap.message'))
step('import_endpoint', lambda: __import__('lwm2m.coap.endpoint') and __import__('lwm2m.coap.params'))
step('import_udp', lambda: __import__('lwm2m.link.udp') and __import__('lwm2m.clock'))
if sys.argv[1] != '-':
    sys.exit(0)

from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.params import Params
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message

class Clock:
    now = 1000
    def ticks_ms(self):
        return self.now

class Sink:
    mtu = 1152
    def send(self, data, peer):
        pass

class Wire:
    # loopback: a datagram sent is received by the other endpoint at once
    mtu = 1152
    def __init__(self, name):
        self.name = name
        self.other = None
    def send(self, data, peer):
        self.other.receive(bytes(data), self.name)

clock = Clock()
VALUE = b'21.5'
def handler(r, peer):
    return Message(cm.CONTENT, payload=VALUE)

def garbage(name, fn, n=200):
    for i in range(20):
        fn(i)
    gc.collect(); gc.disable(); a = gc.mem_alloc()
    for i in range(n):
        fn(i)
    b = gc.mem_alloc(); gc.enable()
    print(name, (b - a) // n)

# Server role only (what a LwM2M client does for a Read): one CON GET in,
# the handler's piggybacked 2.05 out. Requests are prebuilt, new MID each.
srv = Endpoint(Sink(), clock, handler, Params(), lambda b: 0)
reqs = []
for i in range(220):
    m = Message(cm.GET, cm.CON, i, b'\\x01\\x02\\x03\\x04')
    m.set_uri_path('3303/0/5700')
    reqs.append(bytes(m.encode()))
garbage('server_round', lambda i: srv.receive(reqs[i], 'peer'))

# decode alone
from lwm2m.coap.message import decode
garbage('decode', lambda i: decode(reqs[i]))
rsp = Message(cm.CONTENT, cm.ACK, 1, b'\\x01\\x02\\x03\\x04', VALUE)
garbage('encode', lambda i: rsp.encode())

# Client role alone: sending a prebuilt CON POST (Exchange, token, encode),
# then taking its piggybacked ACK (decode into a Message the exchange keeps).
class Keep:
    mtu = 1152
    def send(self, data, peer):
        pass
cli = Endpoint(Keep(), clock, None, Params(nstart=1000), lambda bits: 0)
pre = [Message(cm.POST, payload=bytes(40)).add_option(cm.URI_PATH, 'dp') for i in range(220)]
exs = []
garbage('client_send', lambda i: exs.append(cli.request(pre[i], 'B')))
acks = [bytes(Message(cm.CHANGED, cm.ACK, ex.mid, ex.token).encode()) for ex in exs]
garbage('client_response', lambda i: cli.receive(acks[i], 'B'))

# Full round over a loopback wire: client request (CON POST /dp, 40-byte
# body) -> server handler -> piggybacked ACK -> client callback.
a, b = Wire('A'), Wire('B')
cl = Endpoint(a, clock, None, Params(), lambda bits: 0)
sv = Endpoint(b, clock, lambda r, p: Message(cm.CHANGED), Params(), lambda bits: 0)
a.other, b.other = sv, cl
body = bytes(40)
def full(i):
    m = Message(cm.POST, payload=body)
    m.add_option(cm.URI_PATH, 'dp')
    ex = cl.request(m, 'B')
    assert ex.done
garbage('full_round', full)
"""


def sizes():
    return mpy_sizes(FILES)


def probe(image="-"):
    return dict(run_probe(PROBE, image))


def main():
    rows = sizes()
    h = probe()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rom = probe(romfs_image(tmp))
    except Exception as e:  # mpremote or vfs.VfsRom missing: plain .mpy figures only
        print("bench_coap: no ROMFS figures (%s)" % e)
        rom = {}
    out = ["# CoAP engine: size and heap (MicroPython unix port, 64-bit)", ""]
    out.append("Flash: .mpy size of each file of the engine (mpy-cross, build/mpy).")
    out.append("")
    out.append("| file | bytes |")
    out.append("|---|---|")
    out += ["| %s | %d |" % r for r in rows]
    out.append("")
    out.append("Heap retained after import (gc.mem_alloc() delta after gc.collect()), the .mpy files")
    out.append("loaded into RAM, and run in place from a ROMFS image as a board does from its ROMFS partition:")
    out.append("")
    out.append("| step | .mpy in RAM | ROMFS |")
    out.append("|---|---|---|")
    for k in ("import_base", "import_message", "import_endpoint", "import_udp"):
        out.append("| %s | %d | %s |" % (k, h[k], rom.get(k, "-")))
    out.append("")
    out.append("Garbage allocated per operation (collector off, average of 200 after 20 warm-up):")
    out.append("")
    out.append("| operation | bytes |")
    out.append("|---|---|")
    notes = {
        "server_round": "server role: CON GET /3303/0/5700 in, piggybacked 2.05 out (decode, handler, encode, dedup cache)",
        "decode": "decode of that request",
        "encode": "encode of the 2.05 response",
        "client_send": "client role: request() of a prebuilt CON POST /dp (Exchange, token, encode)",
        "client_response": "client role: its piggybacked 2.04 ACK in (decode into a Message the exchange keeps)",
        "full_round": "both ends: build CON POST /dp (40 B) -> server -> ACK 2.04 -> client; "
                      "includes the fake wire's two datagram copies",
    }
    for k in ("server_round", "decode", "encode", "client_send", "client_response", "full_round"):
        out.append("| %s: %s | %d |" % (k, notes[k], h[k]))
    out.append("")
    out.append("Goal: under 256 bytes per round (microCoAPy allocates ~1.2 KB per POST).")
    text = "\n".join(out) + "\n"
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "coap.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
