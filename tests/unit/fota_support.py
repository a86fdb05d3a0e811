# A device for the firmware-update tests (both runtimes): a model with Device
# and object 5, a CoAP endpoint, a flash that can lose power, and a second
# endpoint playing the LwM2M server (push) and the package repository (pull).
from coap_fakes import shuttle, zero, FakeClock, FakeLink
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.params import Params
from fota_fakes import Flash, PowerCut
from lwm2m.model import Model
from lwm2m.coap.message import Message, CONTENT
from lwm2m.fota import slots
from lwm2m.fota.build import build
from lwm2m.fota.update import FirmwareUpdate

BOARD = "test-board"


def files(n=3, size=100, tag=b"v2"):
    out = []
    for i in range(n):
        body = (tag + b"-%d-" % i) * size
        out.append(("lwm2m/m%d.mpy" % i, body[:size]))
    return out


def package(version="2.0.0", board=BOARD, n=3, size=100, sig_type=0, sign=None):
    return build(files(n, size), board, "lwm2m-fw", version, sig_type, sign)


class Repo:
    """The package repository's handler: GET /fw/<name> -> the package."""

    def __init__(self):
        self.files = {}
        self.requests = []

    def __call__(self, m, peer):
        self.requests.append(m)
        path = "/".join(m.uri_path())
        if path not in self.files:
            return Message(0x84)
        r = Message(CONTENT)
        r.payload = self.files[path]
        return r


class Device:
    def __init__(self, flash=None, mtu=1152, **config):
        self.flash = flash or Flash()
        self.repo = Repo()
        self.mtu = mtu
        self.clock = FakeClock()
        self.reboots = 0
        self.config = {"board": BOARD, "version": "1.0.0", "reboot": self._reboot,
                       "connect": lambda s, h, p: (self.ep, "C")}
        self.config.update(config)
        self.boot()

    def _reboot(self):
        self.reboots += 1

    def boot(self):
        """Power on: choose the slot, then the firmware starts (model, object 5)."""
        # The device's endpoint (sv: server role for pushes) and the LwM2M
        # server's (cl), which also answers GETs as the package repository;
        # a reset loses both sides' exchanges in flight.
        self.server = Endpoint(FakeLink(self.mtu), self.clock, self.repo, Params(max_body=1 << 20), zero)
        self.ep = Endpoint(FakeLink(self.mtu), self.clock, None, Params(max_body=1 << 20), lambda bits: 7)
        self.store = self.flash.reboot()
        self.slot = slots.select(self.store)
        self.model = Model()
        self.model.add(3, 0, {0: "ACME"})
        self.ep.handler = self._handle
        self.ep.stream_block1 = None
        self.fu = FirmwareUpdate(self.store, self.clock, self.config)
        self.fu.install(self.model, self.ep)
        return self

    def _handle(self, m, peer):
        # The client's dispatcher, cut down to what these tests send.
        if m.code == 3 and m.uri_path() == ["5", "0", "0"]:
            self.model.write((5, 0, 0), [((5, 0, 0), bytes(m.payload))])
            return Message(0x44)
        return Message(0x84)

    def run(self, steps=50):
        for _ in range(steps):
            shuttle(self.server, self.ep)
            self.fu.step()
            if not self.fu._todo and self.ep.next_timeout_ms() is None:
                break

    def push(self, data):
        m = Message(3)  # PUT
        m.set_uri_path("5/0/0")
        m.add_option(12, 42)
        m.payload = data
        ex = self.server.request(m, "S")
        self.run()
        return ex

    def pull(self, data, name="fw/pkg"):
        self.repo.files[name] = data
        self.model.write((5, 0, 1), [((5, 0, 1), "coap://repo/" + name)])
        self.run()

    def get(self, rid, oid=5):
        return self.model.get((oid, 0, rid))

    def update(self):
        self.model.execute((5, 0, 2), b"")
        self.fu.step()


__all__ = ["Device", "Flash", "PowerCut", "package", "files", "BOARD"]
