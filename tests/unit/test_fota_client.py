# Firmware update with the real LwM2M client (lwm2m.fota.mount), in process on
# both runtimes, over an in-memory wire to a CoAP Endpoint playing the LwM2M
# server and the package repository: push and pull, Update, reboot, then the
# new firmware's registration and what the server reads back.
from client_support import FakeClock, wire, pump
from fota_fakes import Flash
from fota_support import package
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.message import Message, decode, LOCATION_PATH, CONTENT_FORMAT, ACCEPT
from lwm2m.model import Model
from lwm2m.client.client import Client
from lwm2m.client.servers import provision
from lwm2m.fota import slots
from lwm2m.fota.mount import mount

GET, POST, PUT = 1, 2, 3


class Server:
    """Registers anyone (2.01 rd/x), serves GET /fw/pkg from `pkg`."""

    def __init__(self, link, clock, pkg):
        self.ep = Endpoint(link, clock, handler=self.handle)
        self.pkg = pkg
        self.registers = 0
        self.fw_blocks = []

    def handle(self, m, peer):
        path = m.uri_path()
        if path == ["rd"]:
            self.registers += 1
            r = Message(0x41)
            r.add_option(LOCATION_PATH, "rd")
            r.add_option(LOCATION_PATH, "x")
            return r
        if path == ["fw", "pkg"]:
            self.fw_blocks.append(m.block2())
            r = Message(0x45)
            r.payload = self.pkg
            return r
        return Message(0x44)


class Board:
    def __init__(self, pkg):
        self.flash = Flash()
        self.clock = FakeClock()
        self.pkg = pkg
        self.reboots = 0

    def power_on(self):
        store = self.flash.reboot()
        self.slot = slots.select(store)
        m = Model()
        m.add(3, 0, {0: "ACME", 3: "factory"})
        provision(m, "coap://server", ssid=1, lifetime=300)
        self.lc, self.ls, self.log = wire()
        self.server = Server(self.ls, self.clock, self.pkg)
        c = Client(m, self.lc, self.clock, {"ep": "fw-dev", "resolve": lambda uri: "server"})
        self.fu = mount(c, store, {"board": "test-board", "version": "1.0.0", "reboot": self._reboot,
                                   "connect": lambda s, h, p: (c.endpoint, "server")})
        self.client = c
        c.start()
        self.pump()
        return self

    def _reboot(self):
        self.reboots += 1

    def pump(self):
        pump(self.client, self.server.ep, self.lc, self.ls, 400)

    def request(self, code, path, payload=b"", ct=None, accept=None):
        m = Message(code)
        m.set_uri_path(path)
        if accept is not None:
            m.add_option(ACCEPT, accept)
        if ct is not None:
            m.add_option(CONTENT_FORMAT, ct)
        m.payload = payload
        ex = self.server.ep.request(m, "client")
        self.pump()
        self.client.step()  # object 5's deferred work
        self.pump()
        return ex.response

    def read(self, path):
        r = self.request(GET, path, accept=0)  # text/plain
        assert r.code == 0x45, (path, r)
        return bytes(r.payload)


def _update_and_check(b):
    assert b.read("5/0/3") == b"2" and b.read("5/0/7") == b"2.0.0"
    assert b.request(POST, "5/0/2").code == 0x44
    assert b.reboots == 1
    b.power_on()
    assert b.slot == "a" and b.server.registers == 1
    assert b.read("3/0/3") == b"2.0.0"
    assert b.read("5/0/3") == b"0" and b.read("5/0/5") == b"1"


def test_push_with_the_client_then_reboot_reports_new_version():
    pkg = package(n=4, size=900)
    b = Board(pkg).power_on()
    assert b.read("3/0/3") == b"1.0.0"
    r = b.request(PUT, "5/0/0", pkg, ct=42)
    assert r.code == 0x44
    # The package went in Block1 blocks, each answered 2.31 but the last.
    acks = [decode(d) for who, d in b.log if who == "client"]
    b1 = [(m.code, m.block1()) for m in acks if m.block1() is not None]
    n = (len(pkg) + 1023) // 1024
    assert b1[0] == (0x5F, (0, 1, 6)) and b1[-1] == (0x44, (n - 1, 0, 6)) and len(b1) == n
    _update_and_check(b)


def test_pull_with_the_client_then_reboot_reports_new_version():
    pkg = package(n=4, size=900)
    b = Board(pkg).power_on()
    assert b.read("5/0/8/0") == b"0"
    r = b.request(PUT, "5/0/1", b"coap://server/fw/pkg", ct=0)
    assert r.code == 0x44
    for _ in range(5):
        b.client.step()
        b.pump()
    assert b.server.fw_blocks[0] == (0, 0, 6)  # Block2 from the start, 1024-byte blocks
    gets = [decode(d).block2() for who, d in b.log if who == "client" and decode(d).code == GET]
    assert gets == [(i, 0, 6) for i in range((len(pkg) + 1023) // 1024)]
    _update_and_check(b)
