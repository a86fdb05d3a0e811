"""A full LwM2M session (register, read, observe, notify, update, de-register)
of the firmware, built from a board configuration, over each simulated modem
against the embedded server, all in virtual time (host_sim/device.py).

    s = Session("bg96-push").run()
    s.results["read"], s.modem.sent, s.net.trace.text()
"""
import asyncio

from lwm2m.app import build

from host_sim.aio import VirtualTimeLoop
from host_sim.device import Device, DeviceClock, ModemRadio, SimBoard
from host_sim.lorawan import ApplicationServer, NetworkServer, class_a_timers
from host_sim.modems.lora import Rak3172Sim, Rn2483Sim
from host_sim.modems.bg96 import Bg96Sim
from host_sim.modems.sara_r4 import SaraR4Sim
from host_sim.modems.sim7080 import Sim7080Sim
from host_sim.network import Network
from host_sim.scheduler import Simulator
from host_sim.simserver import SimServer
from host_sim.trace import Trace

WAIT_S = 600
TEMP = "/3303/0/5700"

# name -> (board.json "modem" section, simulator class, simulator settings)
CELLULAR = {
    "bg96-push": ({"type": "bg96", "push": True}, Bg96Sim, {}),
    "bg96-buffer": ({"type": "bg96", "push": False}, Bg96Sim, {}),
    "bg95-rai": ({"type": "bg95", "rai": True, "rat": "nb"}, Bg96Sim, {"bg95": True}),
    "sim7080": ({"type": "sim7080"}, Sim7080Sim, {}),
    "sara_r4": ({"type": "sara_r4"}, SaraR4Sim, {}),
}


def temperature(model):
    model.add(3303, 0, {5700: 21.5, 5701: "Cel"})


class Session:
    """One device (endpoint name = the modem's name) on one modem simulator.
    queue: register with Q. results: what the server saw, by step."""

    def __init__(self, kind, seed=1, queue=False, echo=None, delay_ms=300, register_only=False, psm=None):
        self.kind = kind
        self.register_only = register_only
        self.sim = Simulator()
        self.trace = Trace(self.sim.clock, echo=echo)
        self.net = Network(self.sim, seed=seed, trace=self.trace, delay_ms=delay_ms)
        self.loop = VirtualTimeLoop(self.sim)
        self.clock = DeviceClock(self.loop)
        self.ep = kind
        section, cls, settings = CELLULAR[kind]
        self.modem = cls(self.clock, latency_ms=20, **settings)
        self.radio = ModemRadio(self.net, "device", self.modem)
        port = self.net.node("server").port(5683)
        cfg = {"board": "sim", "endpoint": self.ep, "server": "coap://%s:%d" % port.address,
               "lifetime": 3600, "binding": "U", "queue_mode": queue, "modem": dict(section, apn="iot", psm=psm)}
        self.client, self.model = build(cfg, SimBoard(self.modem), self.clock, setup=temperature)
        self.server = SimServer(port, type_of=self.model.type_of, timeout=WAIT_S)
        self.device = Device(self.loop, self.client)
        self.results = {}

    async def script(self):
        server, ep, r = self.server, self.ep, self.results
        await server.start()
        r["registered"] = (await server.events.next("registered", ep, WAIT_S)).data["registration"]
        if self.register_only:
            return r
        r["read"] = await server.read(ep, TEMP, accept="text")
        await server.write_attributes(ep, TEMP, {"pmin": 1, "pmax": 600})
        obs = await server.observe(ep, TEMP, accept="text")
        r["observed"] = obs.result
        self.device.do(lambda: self.model.set((3303, 0, 5700), 23.0))
        r["notification"] = (await server.events.next("notification", ep, WAIT_S)).data
        await server.execute(ep, "/1/0/8")  # Registration Update Trigger
        r["updated"] = (await server.events.next("updated", ep, WAIT_S)).data
        self.device.do(self.client.deregister)
        r["deregistered"] = (await server.events.next("deregistered", ep, WAIT_S)).data
        await server.stop()
        return r

    def run(self):
        try:
            self.device.run(self.script(), limit_s=86400)
        finally:
            self.loop.close()
        return self


class PsmSession(Session):
    """Queue mode over a cellular modem in PSM: after the first read the modem
    sleeps; the server's next read waits in its outbox until the device
    speaks again (an Update), which wakes the modem by PWRKEY and brings it up."""

    def __init__(self, kind="bg96-push", **kw):
        Session.__init__(self, kind, queue=True, psm=("00111000", "00000001"), **kw)

    async def script(self):
        server, ep, r = self.server, self.ep, self.results
        await server.start()
        r["registered"] = (await server.events.next("registered", ep, WAIT_S)).data["registration"]
        r["read"] = await server.read(ep, TEMP, accept="text")
        self.device.do(self.modem.enter_psm)
        await asyncio.sleep(300)  # longer than the server believes a queue-mode device listens
        r["asleep"] = not self.modem.powered
        later = asyncio.ensure_future(server.read(ep, TEMP, accept="text"))
        await asyncio.sleep(200)  # (the read's own timeout is WAIT_S)
        r["queued"] = not later.done()
        self.device.do(lambda: self.model.set((3303, 0, 5700), 24.5))
        self.device.do(self.client.connections[0].reg.trigger_update)
        r["updated"] = (await server.events.next("updated", ep, WAIT_S)).data
        r["read_after_wake"] = await later
        await server.stop()
        return r


LORAWAN = {"rak3172": Rak3172Sim, "rn2483": Rn2483Sim}
DEV_EUI = "0004A30B001C0530"
FPORT = 5
LORA_WAIT_S = 7200  # a request may wait for several duty-cycle windows


class LoraSession:
    """The firmware over a simulated LoRaWAN modem (EU868, one 1 % sub-band)
    -> Class A network server -> application server (one UDP address per
    DevEUI) -> the embedded LwM2M server (binding U, or N: a b=N query is 4 B
    more in every Register block, too much for 51 B frames at DR0-2): register (Block1), read,
    write-attributes pmin = pmax, observe, one notification, de-register.
    ns.frames is every frame on the air."""

    def __init__(self, kind="rak3172", dr=0, seed=1, echo=None, pmax=900, ep="l1", register_only=False,
                 binding="U", loss=0.0, accept="text", heartbeat=None, upto=None):
        self.kind = kind
        self.register_only = register_only
        self.upto = upto  # "notification": stop the script once it came
        self.pmax = pmax
        self.accept = accept  # the format the server asks for in its read and observe
        self.sim = Simulator()
        self.trace = Trace(self.sim.clock, echo=echo)
        self.net = Network(self.sim, seed=seed, trace=self.trace, delay_ms=20)
        self.loop = VirtualTimeLoop(self.sim)
        self.clock = DeviceClock(self.loop)
        self.ep = ep
        port = self.net.node("server").port(5683)
        self.ns = NetworkServer(clock=self.clock, loss=loss, seed=seed)
        self.app = ApplicationServer(self.net, self.ns, port.address)
        self.modem = LORAWAN[kind](self.clock, self.ns, DEV_EUI)
        cfg = {"board": "sim", "endpoint": ep, "server": "lorawan://%d" % FPORT, "lifetime": 86400,
               "binding": binding, "queue_mode": True, "modem": {"type": kind, "dr": dr}, "heartbeat": heartbeat}
        self.client, self.model = build(cfg, SimBoard(self.modem), self.clock, setup=temperature)
        self.server = SimServer(port, type_of=self.model.type_of, timeout=LORA_WAIT_S)
        self.device = Device(self.loop, self.client)
        self.results = {}

    async def script(self):
        server, ep, r, w = self.server, self.ep, self.results, LORA_WAIT_S
        await server.start()
        r["registered"] = (await server.events.next("registered", ep, w)).data["registration"]
        r["t_registered"] = self.sim.now_ms
        if self.register_only:
            return r
        r["read"] = await server.read(ep, TEMP, accept=self.accept)
        await server.write_attributes(ep, TEMP, {"pmin": self.pmax, "pmax": self.pmax})
        obs = await server.observe(ep, TEMP, accept=self.accept)
        r["observed"] = obs.result
        r["t_observed"] = self.sim.now_ms
        self.device.do(lambda: self.model.set((3303, 0, 5700), 23.0))
        r["notification"] = (await server.events.next("notification", ep, w)).data
        r["t_notified"] = self.sim.now_ms
        if self.upto == "notification":
            await server.stop()
            return r
        await server.execute(ep, "/1/0/8")  # Registration Update Trigger
        r["updated"] = (await server.events.next("updated", ep, w)).data
        await server.stop()
        return r

    def run(self):
        try:
            with class_a_timers():
                self.device.run(self.script(), limit_s=86400)
        finally:
            self.loop.close()
        return self
