# Fakes for the CoAP engine tests (both runtimes): a clock that only moves when
# told, a link that records what is sent, and a rand that is not random.
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.params import Params
from lwm2m.coap.message import Message, decode


class FakeClock:
    def __init__(self, now=1000):
        self.now = now

    def ticks_ms(self):
        return self.now

    def time(self):
        return self.now // 1000

    def sleep_ms(self, ms):
        self.now += ms

    def advance(self, ms):
        self.now += ms


class FakeLink:
    def __init__(self, mtu=1152):
        self.mtu = mtu
        self.sent = []  # (bytes, peer)
        self.inbox = []

    def send(self, data, peer):
        self.sent.append((bytes(data), peer))

    def recv(self, timeout_ms):
        if self.inbox:
            return self.inbox.pop(0)
        return None

    def close(self):
        pass

    def take(self):
        """Everything sent since the last take(), decoded."""
        out = [decode(d) for d, _ in self.sent]
        self.sent = []
        return out

    def raw(self):
        out = [d for d, _ in self.sent]
        self.sent = []
        return out


def zero(bits):
    return 0


def endpoint(handler=None, mtu=1152, rand=zero, **params):
    clock = FakeClock()
    link = FakeLink(mtu)
    ep = Endpoint(link, clock, handler, Params(**params), rand)
    return ep, link, clock


def pair(handler=None, mtu=1152, server_mtu=None, **params):
    """A client and a server endpoint sharing one clock; shuttle() carries what
    each sent to the other until both are quiet."""
    clock = FakeClock()
    cl = Endpoint(FakeLink(mtu), clock, None, Params(**params), zero)
    sv = Endpoint(FakeLink(server_mtu or mtu), clock, handler, Params(**params), lambda bits: 7)
    return cl, sv, clock


def shuttle(cl, sv, rounds=100):
    n = 0
    for _ in range(rounds):
        moved = False
        for a, b, peer in ((cl, sv, "C"), (sv, cl, "S")):
            sent = a.link.sent
            a.link.sent = []
            for d, _ in sent:
                b.receive(d, peer)
                moved = True
                n += 1
        if not moved:
            break
    return n


def req(code, path="", token=b"\x01", mid=0x1234, type=0, payload=b""):
    m = Message(code, type, mid, token, payload)
    if path:
        m.set_uri_path(path)
    return m
