"""`make sim`, part one: the CoAP engine on the simulated network.

A client Endpoint and a server Endpoint (firmware/lwm2m/coap, unchanged) 40 ms
+ 0..20 ms apart: GET, PUT, POST, an error, an observation with notifications,
block-wise transfers both ways, GETs with 30 % loss each way, and a GET after
the client's carrier NAT forgot its mapping. Every datagram is printed with
its size.
"""
from lwm2m.coap import message as m
from lwm2m.error import CoapError, NOT_FOUND, METHOD_NOT_ALLOWED

from host_sim.endpoints import coap_endpoint
from host_sim.network import Nat, Network
from host_sim.scheduler import Simulator
from host_sim.trace import Trace, totals_table

MTU = 400  # small enough that 1 KB bodies go in 256-byte blocks
WAIT_MS = 600000
NAT_IDLE_MS = 120000


class Resources:
    """The demo server's resources: path -> bytes, and the observations of them."""

    def __init__(self):
        self.values = {"temp": b"21.5", "big": bytes(range(256)) * 4}
        self.log = []
        self.observers = []

    def handle(self, request, peer):
        path = "/".join(request.uri_path())
        if request.code == m.POST and path == "log":
            self.log.append(bytes(request.payload))
            return m.Message(m.CREATED)
        if path not in self.values and request.code != m.PUT:
            raise CoapError(NOT_FOUND, "no " + path)
        if request.code == m.GET:
            return m.Message(m.CONTENT, payload=self.values[path])
        if request.code == m.PUT:
            self.values[path] = bytes(request.payload)
            return m.Message(m.CHANGED)
        raise CoapError(METHOD_NOT_ALLOWED)


class Notifications:
    """What the observing client receives after the first response.

    The engine's client role completes an Exchange with the first response; a
    later notification (same token) has no exchange to go to, so this wrapper
    takes notifications for the watched tokens off the endpoint and ACKs the
    CON ones, as an observing client must (RFC 7641 section 3.2).
    """

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.watch = {}  # token -> list of payloads

    def receive(self, data, peer):
        try:
            msg = m.decode(bytes(data))
        except m.ParseError:
            msg = None
        if msg is not None and msg.token in self.watch and msg.observe() is not None \
                and msg.type in (m.CON, m.NON):
            self.watch[msg.token].append(bytes(msg.payload))
            if msg.type == m.CON:
                self.endpoint.link.send(bytes([0x60, 0, msg.mid >> 8, msg.mid & 255]), peer)
            return
        self.endpoint.receive(data, peer)

    def tick(self):
        self.endpoint.tick()

    def next_timeout_ms(self):
        return self.endpoint.next_timeout_ms()


class Demo:
    def __init__(self, seed=1, echo=print):
        self.sim = Simulator()
        self.trace = Trace(self.sim.clock, echo=echo)
        self.net = Network(self.sim, seed=seed, trace=self.trace, delay_ms=40, jitter_ms=20)
        self.resources = Resources()
        self.server = coap_endpoint(self.net, "server", 5683, handler=self.resources.handle, mtu=MTU)
        self.server.on_observe = self.resources.observers.append
        self.net.node("client", nat=Nat(idle_ms=NAT_IDLE_MS))  # a carrier NAT, as on NB-IoT
        self.client = coap_endpoint(self.net, "client", mtu=MTU)
        self.notes = Notifications(self.client)
        self.client.link.attach(self.notes)  # in the endpoint's place
        self.peer = self.server.link.address
        self.results = []

    def ask(self, title, msg):
        """Send msg from the client, run until it is done; returns the Exchange."""
        self.trace.note(title)
        ex = self.client.request(msg, self.peer)
        self.sim.run_until(lambda: ex.done, WAIT_MS)
        if ex.error:
            outcome = "error: %s" % ex.error
        else:
            outcome = "%s, %d B" % (_code(ex.response.code), len(ex.response.payload))
        self.trace.note("  -> " + outcome)
        self.results.append((title, outcome))
        self.sim.run_for(1000)
        return ex

    def basics(self):
        self.ask("GET /temp", _req(m.GET, "temp"))
        self.ask("PUT /temp 22.0", _req(m.PUT, "temp", b"22.0"))
        self.ask("POST /log", _req(m.POST, "log", b"boot ok"))
        self.ask("GET /nothing (4.04 expected)", _req(m.GET, "nothing"))

    def observe(self):
        req = _req(m.GET, "temp")
        req.add_option(m.OBSERVE, 0)
        ex = self.ask("GET /temp Observe=0", req)
        got = self.notes.watch[ex.token] = []
        obs = self.resources.observers[-1]
        for i, value in enumerate((b"22.5", b"23.0", b"23.5")):
            self.sim.run_for(10000)
            self.resources.values["temp"] = value
            self.trace.note("server: temp = %s, notify %s" % (value.decode(), "CON" if i == 2 else "NON"))
            self.server.notify(obs, m.Message(m.CONTENT, payload=value), con=(i == 2))
        self.sim.run_for(10000)
        self.trace.note("  client got %d notifications" % len(got))
        cancel = _req(m.GET, "temp")
        cancel.add_option(m.OBSERVE, 1)
        cancel.token = ex.token
        self.ask("GET /temp Observe=1 (cancel)", cancel)

    def blockwise(self):
        self.ask("GET /big (1 KB, Block2)", _req(m.GET, "big"))
        self.ask("PUT /upload (700 B, Block1)", _req(m.PUT, "upload", bytes(700)))

    def lossy(self, loss=0.3, count=8):
        self.trace.note("--- %d %% loss each way from now on" % int(loss * 100))
        self.net.both("client", "server", loss=loss)
        for i in range(count):
            self.ask("GET /temp (lossy #%d)" % (i + 1), _req(m.GET, "temp"))

    def nat_rebinding(self):
        self.net.both("client", "server", loss=0.0)
        self.trace.note("--- loss off; the client stays quiet for 3 min, longer than its NAT keeps a mapping")
        self.sim.run_for(180000)
        self.ask("GET /temp (after the NAT forgot us: a new source address)", _req(m.GET, "temp"))

    def run(self):
        self.basics()
        self.observe()
        self.blockwise()
        self.lossy()
        self.nat_rebinding()
        return self


def _req(code, path, payload=b""):
    msg = m.Message(code, payload=payload)
    return msg.set_uri_path(path)


def _code(code):
    return "%d.%02d" % (code >> 5, code & 31)


def main(echo=print, seed=1):
    echo("== CoAP engine on the simulated network (seed %d)" % seed)
    demo = Demo(seed, echo).run()
    echo("")
    for line in totals_table(demo.net):
        echo(line)
    echo("virtual time %.1f s" % (demo.sim.now_ms / 1000))
    return demo
