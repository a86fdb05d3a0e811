"""`make sim`, queue mode: a month of a sleeping sensor, its radio and its battery.

The reference scenario of docs/queue.md: an IPSO temperature (3303/0/5700) observed with
pmin = pmax = 900 s, lifetime 86400 s, queue mode, on an NB-IoT-like link (300 + 0..200 ms,
25 kbit/s) behind a carrier NAT that forgets idle mappings after 2 min, against the embedded
server, for 30 simulated days, NoSec or DTLS 1.2 PSK (the firmware's DtlsLink against the
server's DTLS front, host_sim/sim_dtls.py; full handshakes counted on the wire). The device samples
every 900 s (riding along with the notification's wake), sleeps between wakes, optionally in
deep sleep (rebuilt from lwm2m.store at every wake). The energy model (host_sim/energy.py,
BG96 NB-IoT profile) turns what the radio did into mAh and days on 2 x AA, and a timeline plot
of the first hours is written next to the results.
"""
import asyncio
import os
import time

from lwm2m.client.servers import provision

from host_sim import energy
from host_sim.aio import run_virtual
from host_sim.network import Nat, Network
from host_sim.queue_device import QueueDevice
from host_sim.sim_dtls import Flights, SimDtlsFront
from host_sim.scenarios.lwm2m_demo import device_model
from host_sim.scheduler import Simulator
from host_sim.simserver import SimServer

EP = "queue-dev-1"
PERIOD = 900
LIFETIME = 86400
AWAKE_S = 93
WAIT_S = 600
IDENTITY = b"queue-dev-1"
KEY = bytes(range(16))
NAT_IDLE_MS = 120000


class Month:
    def __init__(self, days=30, seed=1, deep=False, profile=energy.BG96_NB, loss=0.0, awake_s=AWAKE_S,
                 dtls=None, nat=True):
        """dtls: None (NoSec) or DtlsLink settings ({} for the defaults), PSK; nat: the
        device sits behind a carrier NAT that forgets idle mappings after 2 min."""
        self.days = days
        self.awake_s = awake_s
        self.deep = deep
        self.profile = profile
        self.sim = Simulator()
        self.net = Network(self.sim, seed=seed, delay_ms=300, jitter_ms=200, rate_bps=25000)
        if loss:
            self.net.both("device", "server", loss=loss)
        self.net.node("device", nat=Nat(idle_ms=NAT_IDLE_MS) if nat else None)
        port = self.net.node("server").port(5683)
        self.uri = "coap://%s:%d" % port.address
        self.front = None
        secure = None
        if dtls is not None:
            self.front = SimDtlsFront(self.net, "server", 5684, port.address, {IDENTITY: KEY})
            self.uri = "coaps://%s:%d" % self.front.address
            secure = dict(dtls, peer=self.front.address, identity=IDENTITY, key=KEY)
        self.rec = energy.Recorder(self.sim.clock)
        self.net.nodes["device"].watch(self.rec.datagram)
        self.flights = Flights(self.net.nodes["device"])
        self.value = 21.5
        self.device = QueueDevice(self.net, "device", self.make_model, {"ep": EP},
                                  {"awake_ms": awake_s * 1000, "gather": PERIOD}, deep=deep,
                                  setup=self.setup, on_release=self.rec.release, dtls=secure)
        self.server = SimServer(port, type_of=self.device.model.type_of, timeout=WAIT_S,
                                awake_time=awake_s)

    def make_model(self):
        model = device_model()
        iid = provision(model, self.uri, ssid=1, lifetime=LIFETIME)
        if self.front is not None:  # Security mode 0, PSK: identity /0/x/3, key /0/x/5
            model.set((0, iid, 2), 0)
            model.set((0, iid, 3), IDENTITY)
            model.set((0, iid, 5), KEY)
        for iid in model.instances(1):
            model.set((1, iid, 6), True)  # store notifications while offline
        model.set((3303, 0, 5700), self.value)
        return model

    def setup(self, dev):
        def sample(now):
            # a slow sine-like drift, deterministic
            step = 0.1 if (now // 21600) % 2 else -0.1
            self.value = round(self.value + step, 1)
            dev.model.set((3303, 0, 5700), self.value)

        dev.queue.every("sample", PERIOD, sample, slack=PERIOD)

    async def script(self):
        await self.script_start()
        await asyncio.sleep(self.days * 86400 - self.t0 / 1000.0)
        await self.server.stop()

    async def script_start(self):
        """Start the server and the device; register; write pmin/pmax; observe."""
        server = self.server
        self.counts = {}
        self.notified_at = []  # virtual ms of each notification the server took

        def count(ev):
            if ev.ep == EP:
                self.counts[ev.kind] = self.counts.get(ev.kind, 0) + 1
                if ev.kind == "notification":
                    self.notified_at.append(self.sim.now_ms)

        server.events.subscribe(count)
        await server.start()
        self.device.start()
        await server.events.next("registered", EP, WAIT_S)
        await server.write_attributes(EP, "/3303/0/5700", {"pmin": PERIOD, "pmax": PERIOD})
        self.observation = await server.observe(EP, "/3303/0/5700")
        self.t0 = self.sim.now_ms

    @property
    def registers(self):
        return self.counts.get("registered", 0)

    @property
    def updates(self):
        return self.counts.get("updated", 0)

    @property
    def notifications(self):
        return self.counts.get("notification", 0)

    @property
    def notifications_sent(self):
        """Notifications the device sent (retransmissions once), the first
        answer to the observe not counted."""
        from lwm2m.coap.message import decode

        mids = set()
        for t, data in self.device.sent:
            m = decode(data)
            if m.code == 0x45 and m.option(6) is not None:
                mids.add(m.mid)
        return len(mids) - 1

    def run(self):
        wall = time.time()
        run_virtual(self.sim, self.script())
        self.wall_s = time.time() - wall
        d = self.device
        self.rec.handshakes = self.flights.handshakes  # ServerHellos on the device's wire
        self.result = energy.evaluate(self.profile, self.rec.datagrams, self.rec.releases, 0,
                                      self.sim.now_ms, active_s=self.awake_s, handshakes=self.rec.handshakes)
        self.wakes, self.idle_wakes = d.wakes, d.idle_wakes
        return self


def plot(month, path, hours=3):
    """A timeline of the first `hours`: radio state bands and the datagrams."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = hours * 3600000
    levels = {"psm": 0, "idle": 1, "setup": 2, "connected": 3}
    colors = {"psm": "#cccccc", "idle": "#8ecae6", "setup": "#ffb703", "connected": "#fb8500"}
    fig, ax = plt.subplots(figsize=(11, 3.2))
    for a, b, st in month.result.segments:
        if a > end:
            break
        w = (min(b, end) - a) / 60000.0
        if st in ("setup", "connected"):
            w = max(w, 0.5)  # seconds in hours: widened to be seen (ax label says so)
        ax.broken_barh([(a / 60000.0, w)], (levels[st] - 0.4, 0.8), facecolors=colors[st])
    ups = [t / 60000.0 for t, d, n in month.rec.datagrams if d == "up" and t <= end]
    downs = [t / 60000.0 for t, d, n in month.rec.datagrams if d == "down" and t <= end]
    ax.plot(ups, [4.2] * len(ups), "v", color="#d62828", label="uplink")
    ax.plot(downs, [4.6] * len(downs), "^", color="#023047", label="downlink")
    ax.set_yticks([0, 1, 2, 3, 4.4])
    ax.set_yticklabels(["PSM", "idle (reachable)", "RRC set-up", "connected", "datagrams"])
    ax.set_xlabel("minutes (set-up and connected bars widened to at least 30 s to be visible)")
    ax.set_xlim(0, hours * 60)
    ax.set_title("%s, queue mode, pmin = pmax = %d s: the first %d h" % (month.profile.name, PERIOD, hours))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def summary(m):
    r = m.result
    pd = r.per_day()
    return [
        "days %d, %s, %s, deep sleep %s: wall time %.2f s" % (
            m.days, m.profile.name, "DTLS PSK" if m.front is not None else "NoSec", "on" if m.deep else "off",
            m.wall_s),
        "registers %d (after the first: %d), updates %d, notifications at the server %d of %d sent" % (
            m.registers, m.registers - 1, m.updates, m.notifications, m.notifications_sent),
        "per day: %.1f uplink datagrams (%.0f B), %.1f downlink (%.0f B), %.2f DTLS handshakes" % (
            pd["uplink datagrams"], pd["uplink bytes"], pd["downlink datagrams"], pd["downlink bytes"],
            pd["DTLS handshakes"]),
        "radio-on %.1f s/day (%.2f s per report), %.2f mAh/day (%.1f mWh), 2 x AA: %.0f days" % (
            pd["radio-on s"], pd["radio-on s"] / (86400.0 / PERIOD), pd["mAh"], pd["mWh"], r.battery_days()),
        "wakes %d, wakes with nothing to do %d" % (m.wakes, m.idle_wakes),
    ]


def main(echo=print, seed=1, days=30, out_dir=None):
    echo("")
    echo("== Queue mode: a sleeping temperature sensor for %d simulated days over DTLS PSK, behind a NAT"
         " (seed %d)" % (days, seed))
    m = Month(days, seed, dtls={}).run()
    for line in summary(m):
        echo(line)
    out_dir = out_dir or os.path.join("build", "sim")
    os.makedirs(out_dir, exist_ok=True)
    echo("timeline: %s" % plot(m, os.path.join(out_dir, "queue_timeline.png")))
    return m
