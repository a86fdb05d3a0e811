# A small device on the real data model, and CoAP requests built with the
# real Message class, for the client's unit tests.
from lwm2m.model import Model
from lwm2m.coap.message import Message, CONTENT_FORMAT, ACCEPT, OBSERVE

GET, POST, PUT, DELETE, FETCH, IPATCH = 1, 2, 3, 4, 5, 7
SENML_JSON = 110


def device():
    m = Model()
    m.add(0, 0, {0: "coap://127.0.0.1:5683", 1: False, 2: 3, 10: 101})
    m.add(1, 0, {0: 101, 1: 300, 6: False, 7: "U"})
    m.executed = []
    m.add(3, 0, {0: "ACME", 6: {0: 1, 1: 5}, 9: 90, 16: "U"})
    m.bind((3, 0, 4), execute=lambda args: m.executed.append(((3, 0, 4), args)))
    m.add(3303, 0, {5700: 21.5, 5701: "Cel"})
    m.add(3303, 1, {5700: 19.0})
    return m


def req(code, path, payload=b"", ct=None, accept=None, observe=None, query=()):
    m = Message(code, token=b"\x01")
    m.set_uri_path(path)
    for q in query:
        m.add_query(q)
    if ct is not None:
        m.add_option(CONTENT_FORMAT, ct)
    if accept is not None:
        m.add_option(ACCEPT, accept)
    if observe is not None:
        m.add_option(OBSERVE, observe)
    m.payload = payload
    return m


class FakeClock:
    """Virtual time for both runtimes: ticks_ms and time() move only on advance."""

    def __init__(self, t=1000):
        self.ms = 0
        self.t0 = t

    def ticks_ms(self):
        return self.ms & ((1 << 30) - 1)

    def time(self):
        return self.t0 + self.ms // 1000

    def sleep_ms(self, ms):
        self.ms += ms

    def advance(self, ms):
        self.ms += ms


class Link:
    """One end of an in-memory datagram wire; `wire` records every datagram."""

    mtu = 1152

    def __init__(self, name, wire):
        self.name = name
        self.wire = wire
        self.inbox = []
        self.other = None
        self.up = True

    def send(self, data, peer):
        data = bytes(data)
        self.wire.append((self.name, data))
        if self.up:
            self.other.inbox.append((data, self.name))

    def recv(self, timeout_ms):
        return self.inbox.pop(0) if self.inbox else None

    def close(self):
        pass


def wire():
    log = []
    a, b = Link("client", log), Link("server", log)
    a.other, b.other = b, a
    return a, b, log


def pump(client, server_ep, link_c, link_s, rounds=50):
    """Deliver every datagram in flight, both ways, until the wire is quiet."""
    for _ in range(rounds):
        if not link_c.inbox and not link_s.inbox:
            client.step()
            if not link_s.inbox:
                return
        while link_s.inbox:
            d, p = link_s.inbox.pop(0)
            server_ep.receive(d, p)
        while link_c.inbox:
            d, p = link_c.inbox.pop(0)
            client.endpoint.receive(d, p)
        client.step()
