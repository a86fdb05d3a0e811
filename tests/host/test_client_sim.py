"""The client in the host simulator: a virtual day on a lossy cellular path
behind a carrier NAT, the server a CoAP endpoint keeping registrations like a
LwM2M server (expiry included). Seconds of wall time, same result every run."""
import os
import sys

_FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "firmware")
if _FIRMWARE not in sys.path:
    sys.path.insert(0, _FIRMWARE)

# pylint: disable=wrong-import-position
from host_sim.scheduler import Simulator
from host_sim.network import Network, Nat
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.message import Message, LOCATION_PATH, CONTENT_FORMAT, ACCEPT
from lwm2m.model import Model
from lwm2m.client.client import Client
from lwm2m.client.servers import provision
from lwm2m.client import registration as R

DAY_MS = 24 * 3600 * 1000


class SimServer:
    """Register / Update / De-register with lifetimes that expire."""

    def __init__(self, port, clock):
        self.clock = clock
        self.ep = Endpoint(port, clock, handler=self.handle)
        port.attach(self.ep)
        self.regs = {}  # id -> [ep, lifetime, expires_at, remote]
        self.log = []  # (time, what)
        self.n = 0
        self.peers = set()  # every source address a registration was heard from

    def handle(self, m, peer):
        now = self.clock.time()
        for rid in [r for r in self.regs if self.regs[r][2] < now]:
            self.log.append((now, "expired " + rid))
            del self.regs[rid]
        path = m.uri_path()
        q = dict(x.split("=", 1) if "=" in x else (x, "") for x in m.uri_query())
        if path == ["rd"] and m.code == 2:
            self.n += 1
            rid = "r%d" % self.n
            lt = int(q["lt"])
            self.regs[rid] = [q["ep"], lt, now + lt, peer]
            self.log.append((now, "register " + rid))
            r = Message(0x41)
            r.add_option(LOCATION_PATH, "rd")
            r.add_option(LOCATION_PATH, rid)
            return r
        if len(path) == 2 and path[0] == "rd":
            reg = self.regs.get(path[1])
            if reg is None:
                return Message(0x84)
            if m.code == 4:
                del self.regs[path[1]]
                return Message(0x42)
            if "lt" in q:
                reg[1] = int(q["lt"])
            reg[2] = now + reg[1]
            reg[3] = peer
            self.peers.add(tuple(peer))
            self.log.append((now, "update " + path[1]))
            return Message(0x44)
        return Message(0x84)


def _world(seed, loss, lifetime=300):
    sim = Simulator()
    net = Network(sim, seed=seed, delay_ms=300)
    dev = net.node("device", nat=Nat(idle_ms=120000)).port()
    srv_port = net.node("server").port(5683)
    net.both("device", "server", loss=loss, jitter_ms=200)
    server = SimServer(srv_port, sim.clock)
    model = Model()
    model.add(3, 0, {0: "ACME", 16: "U"})
    model.add(3303, 0, {5700: 20.0})
    provision(model, "coap://server:5683", ssid=1, lifetime=lifetime)
    client = Client(model, dev, sim.clock, {"ep": "sim-dev", "resolve": lambda uri: srv_port.address})
    dev.attach(client)
    client.start()
    return sim, net, server, client, model


def test_a_day_on_a_lossy_nat_path_never_lets_the_registration_expire():
    sim, net, server, client, model = _world(seed=7, loss=0.2)
    sim.run_for(DAY_MS)
    registers = [t for t, what in server.log if what.startswith("register")]
    updates = [t for t, what in server.log if what.startswith("update")]
    assert not [w for t, w in server.log if w.startswith("expired")]
    assert len(registers) == 1 and len(updates) > 24 * 3600 // 300
    assert client.connections[0].reg.state in (R.REGISTERED, R.UPDATING)
    # the NAT forgot the mapping between Updates: the server saw new addresses
    assert len(server.peers) > 100


def test_server_restart_loses_the_registration_and_the_client_registers_again():
    sim, net, server, client, model = _world(seed=3, loss=0.0, lifetime=120)
    sim.run_for(60000)
    server.regs.clear()  # the server restarted without its registrations
    sim.run_for(120000)
    assert [w for t, w in server.log].count("register r1") == 1
    assert "register r2" in [w for t, w in server.log]
    assert client.connections[0].reg.location == ["rd", "r2"]


def test_a_read_reaches_the_device_behind_the_nat_right_after_an_update():
    sim, net, server, client, model = _world(seed=5, loss=0.0)
    sim.run_for(300000)  # several NAT timeouts and Updates
    peer = list(server.regs.values())[0][3]
    m = Message(1)
    m.set_uri_path("/3303/0/5700")
    m.add_option(ACCEPT, 0)
    ex = server.ep.request(m, peer)
    sim.run_until(lambda: ex.done, 60000)
    assert ex.response is not None and ex.response.code == 0x45 and bytes(ex.response.payload) == b"20.0"
