# A small device on the real data model, and CoAP requests built with the
# real Message class, for the client's unit tests.
from lwm2m.model import Model
from lwm2m.coap.message import Message, CONTENT_FORMAT, ACCEPT, OBSERVE, LOCATION_PATH

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
    """One port on an in-memory datagram hub; `wire` records every datagram."""

    mtu = 1152

    def __init__(self, name, wire, hub=None):
        self.name = name
        self.wire = wire
        self.hub = hub if hub is not None else {}
        self.hub[name] = self
        self.inbox = []
        self.up = True

    def send(self, data, peer):
        data = bytes(data)
        self.wire.append((self.name, data))
        if self.up and peer in self.hub:
            self.hub[peer].inbox.append((data, self.name))

    def recv(self, timeout_ms):
        return self.inbox.pop(0) if self.inbox else None

    def close(self):
        pass


def wire(*names):
    """The client's link and one link per server name (default "server"), and the log."""
    log, hub = [], {}
    a = Link("client", log, hub)
    others = [Link(n, log, hub) for n in (names or ("server",))]
    return (a,) + tuple(others) + (log,)


def pump(client, server_ep, link_c, link_s, rounds=50):
    """Deliver every datagram in flight, both ways, until the wire is quiet."""
    pump_all(client, link_c, [(server_ep, link_s)], rounds)


def pump_all(client, link_c, servers, rounds=50):
    for _ in range(rounds):
        client.step()
        busy = False
        for ep, link in servers:
            while link.inbox:
                busy = True
                d, p = link.inbox.pop(0)
                ep.receive(d, p)
        while link_c.inbox:
            busy = True
            d, p = link_c.inbox.pop(0)
            client.endpoint.receive(d, p)
        if not busy:
            client.step()
            if not any(link.inbox for ep, link in servers):
                return


class FakeServer:
    """A CoAP Endpoint answering like a LwM2M (bootstrap) server: Register
    2.01 rd/abc, Update `update_code` (2.04), De-register 2.02, /bs `bs_code`
    (2.04), anything else 2.04. `got`: (code, path, query, payload) of each request."""

    def __init__(self, link, clock):
        from lwm2m.coap.endpoint import Endpoint

        self.ep = Endpoint(link, clock, handler=self.handle)
        self.got = []
        self.update_code = 0x44
        self.bs_code = 0x44

    def handle(self, m, peer):
        from lwm2m.coap.message import Message

        path = m.uri_path()
        self.got.append((m.code, path, m.uri_query(), bytes(m.payload)))
        if path == ["bs"]:
            return Message(self.bs_code)
        if path == ["rd"]:
            r = Message(0x41)
            r.add_option(LOCATION_PATH, "rd")
            r.add_option(LOCATION_PATH, "abc")
            return r
        if path == ["rd", "abc"]:
            return Message(self.update_code if m.code == POST else 0x42)
        return Message(0x44)
