# The reference session of bench/bench_footprint.py, run on MicroPython (and
# on CPython as a check): a Client and, in the same process, a CoAP Endpoint
# playing the LwM2M server, joined by an in-memory datagram link on a virtual
# clock. Register; read /3/0/0 in text and /3/0 in TLV and SenML CBOR (the
# core profile; argument `all` adds SenML JSON, LwM2M CBOR and LwM2M JSON);
# write; observe three resources (argument `obs`: then four more, measured);
# 20 notifications; Update (Execute /1/0/8); De-register. Prints `step bytes`
# lines (gc.mem_alloc() after gc.collect()) and `OK` at the end; any failure
# raises, so the exit status says whether the session fits in the heap it
# was given.
import gc
import sys

if not hasattr(gc, "mem_alloc"):  # CPython: the session runs, the figures are zero
    gc.mem_alloc = gc.mem_free = lambda: 0
gc.collect()
_base = gc.mem_alloc()
_marks = []


def mark(name):
    gc.collect()
    _marks.append((name, gc.mem_alloc() - _base))


from lwm2m.model import Model  # noqa: E402
from lwm2m.coap.message import Message  # noqa: E402
from lwm2m.coap.endpoint import Endpoint  # noqa: E402

mark("engine+model")
from lwm2m.client.client import Client  # noqa: E402

mark("client")

FORMATS = (11542, 112)
MODE = sys.argv[-1] if len(sys.argv) > 1 else ""
if MODE == "all":
    FORMATS = (11542, 112, 110, 11544, 11543)


class Clock:
    ms = 0

    def ticks_ms(self):
        return self.ms

    def time(self):
        return 1000 + self.ms // 1000

    def sleep_ms(self, ms):
        self.ms += ms


class Link:
    """One end of an in-memory datagram pipe: send() lands in the other end's inbox."""

    mtu = 1152

    def __init__(self, name):
        self.name = name
        self.inbox = []
        self.other = None

    sent = 0

    def send(self, data, peer):
        self.sent += 1
        self.other.inbox.append((bytes(data), self.name))

    def recv(self, timeout_ms):
        return self.inbox.pop(0) if self.inbox else None

    def close(self):
        pass


got = []  # (code, path) of each request the server saw


def serve(m, peer):
    path = m.uri_path()
    got.append((m.code, path))
    if path == ["rd"]:
        r = Message(0x41)
        r.add_option(8, "rd")  # Location-Path
        r.add_option(8, "x")
        return r
    return Message(0x44 if m.code == 2 else 0x42)


clock = Clock()
lc, ls = Link("c"), Link("s")
lc.other, ls.other = ls, lc
server = Endpoint(ls, clock, handler=serve)
model = Model()
model.add(0, 0, {0: "coap://s", 1: False, 2: 3, 10: 1})
model.add(1, 0, {0: 1, 1: 300, 6: False, 7: "U"})
model.add(3, 0, {0: "ACME", 1: "Node-1", 2: "0001", 3: "1.0", 9: 90, 13: 0, 16: "U"})
model.add(3303, 0, {5700: 21.5, 5701: "Cel"})
client = Client(model, lc, clock, {"ep": "ref", "resolve": lambda uri: "s"})
mark("device")


def pump():
    for _ in range(50):
        client.step()
        busy = False
        while ls.inbox:
            busy = True
            server.receive(*ls.inbox.pop(0))
        while lc.inbox:
            busy = True
            client.endpoint.receive(*lc.inbox.pop(0))
        if not busy:
            return


def ask(code, path, accept=None, ct=None, payload=b"", observe=None, callback=None):
    r = Message(code)
    r.set_uri_path(path)
    if observe is not None:
        r.add_option(6, observe)
    if ct is not None:
        r.add_option(12, ct)
    if accept is not None:
        r.add_option(17, accept)
    r.payload = payload
    ex = server.request(r, "c", callback)
    pump()
    if ex.response is None or ex.response.code >= 0x80:
        raise ValueError(path)
    return ex.response


client.start()
pump()
assert got[0] == (2, ["rd"])
mark("registered")
# Nothing the session must do goes inside an assert: -O3 drops asserts.
text = ask(1, "/3/0/0", accept=0).payload
assert text == b"ACME"
for cf in FORMATS:
    body = ask(1, "/3/0", accept=cf).payload
    assert len(body) > 20, cf
mark("reads")
ask(3, "/3/0/13", ct=0, payload=b"1700000000")
assert model.get((3, 0, 13)) == 1700000000
mark("write")
for p in ("/3303/0/5700", "/3/0/9", "/3/0/13"):
    ask(1, p, observe=0)
mark("observing")
if MODE == "obs":  # what one more observation costs, the dedup cache already full
    for i in range(1, 5):
        model.add(3303, i, {5700: 1.0})
    pump()
    for i in range(20):
        ask(1, "/3/0/0", accept=0)
    mark("obs_before")
    for i in range(1, 5):
        ask(1, "/3303/%d/5700" % i, observe=0)
    mark("obs_after")
for i in range(20):
    n = lc.sent
    model.set((3303, 0, 5700) if i % 2 else (3, 0, 9), i)
    pump()
    assert lc.sent == n + 1, (i, lc.sent - n)  # one NON notification, nothing else
mark("notified")
ask(2, "/1/0/8")
pump()
assert got[-1] == (2, ["rd", "x"]), got[-1]
mark("updated")
client.stop(wait_ms=0)
pump()
assert got[-1] == (4, ["rd", "x"]), got[-1]
mark("deregistered")
for name, n in _marks:
    print(name, n)
try:
    import micropython

    print("mem_peak", micropython.mem_peak())
except (ImportError, AttributeError):
    pass
print("mem_alloc", gc.mem_alloc(), "mem_free", gc.mem_free())
print("OK")
