"""`make sim`: a firmware update over a slow, lossy link, interrupted by a power cut.

The firmware's LwM2M client with object 5 mounted (lwm2m.fota.mount), flash in
a temp folder (FileStore), on a simulated NB-IoT style link (300 + 0..200 ms
each way, 25 kbit/s, 3 % loss, a 300-byte MTU so 128-byte blocks) against the
embedded server (host_sim/server, its /fw package repository). The server
writes the Package URI; a third into the download the board loses power; it
boots again, registers, and resumes the download from the last stored block;
the package is checked and unpacked; Update; the board reboots into slot "a",
registers, and reports the new version and Update Result 1.
"""
import asyncio
import os
import shutil
import sys
import tempfile

from lwm2m.client.servers import provision
from lwm2m.model import Model
from lwm2m.fota import slots
from lwm2m.fota.build import build
from lwm2m.fota.mount import mount
from lwm2m.fota.store import FileStore

from host_sim.aio import run_virtual
from host_sim.endpoints import lwm2m_client
from host_sim.network import Nat, Network
from host_sim.scheduler import Simulator
from host_sim.server import firmware
from host_sim.simserver import SimServer
from host_sim.trace import Trace, totals_table

EP = "fota-dev-1"
BOARD = "sim-board"
MTU = 300
WAIT_S = 1800
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def demo_package(version):
    """The compiled firmware (build/mpy, `make mpy`) as a package; without a
    build, the object 5 sources, so the demo runs anywhere."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import mkpackage

    mpy = os.path.join(ROOT, "build", "mpy")
    if os.path.isdir(os.path.join(mpy, "lwm2m")):
        files = mkpackage.collect(mpy)
    else:
        files = [("lwm2m/fota/" + p, d) for p, d in mkpackage.collect(os.path.join(ROOT, "firmware", "lwm2m", "fota"), (".py",))]
    return build(files, BOARD, "lwm2m-fw", version)


class Update:
    def __init__(self, seed=1, echo=print):
        self.echo = echo
        self.sim = Simulator()
        self.trace = Trace(self.sim.clock)  # kept, not printed: hundreds of blocks
        self.net = Network(self.sim, seed=seed, trace=self.trace, delay_ms=300, jitter_ms=200, rate_bps=25000)
        self.net.both("device", "server", loss=0.03)
        self.net.node("device", nat=Nat(idle_ms=120000))
        self.port = self.net.node("server").port(5683)
        self.flash = tempfile.mkdtemp(prefix="fota-sim-")
        self.server = SimServer(self.port, timeout=WAIT_S)
        self.reboots = 0
        self.client = None

    def note(self, text):
        self.trace.note(text)
        self.echo("%10.1f s  %s" % (self.sim.now_ms / 1000.0, text))

    def power_on(self):
        """Boot: choose the slot, start the firmware on a fresh port."""
        store = FileStore(self.flash)
        self.slot = slots.select(store)
        model = Model()
        model.add(3, 0, {0: "ACME", 1: "sim board", 16: "U"})
        provision(model, "coap://%s:%d" % self.port.address, ssid=1, lifetime=3600)
        c = lwm2m_client(self.net, "device", model, {"ep": EP, "default_format": 110}, mtu=MTU)
        self.fu = mount(c, store, {"board": BOARD, "version": "1.0.0", "reboot": self._reboot,
                                   "connect": lambda scheme, host, port: (c.endpoint, (host, port))})
        self.client = c
        c.start()
        self.note("board boots slot %r (firmware %s), registers" % (self.slot or "factory", self.fu.version()))

    def power_off(self):
        self.client.endpoint.link.close()
        self.client = None

    def _reboot(self):
        self.reboots += 1

    async def until(self, pred, limit_s=WAIT_S):
        t = 0
        while not pred():
            await asyncio.sleep(1)
            t += 1
            if t > limit_s:
                raise TimeoutError("waited %d s" % limit_s)

    async def read(self, path):
        r = await self.server.read(EP, path, accept="text")
        return r.payload.decode() if r.code == 0x45 else r.code_str()

    async def script(self):
        server = self.server
        await server.start()
        repo = firmware.attach(server)
        pkg = demo_package("2.0.0")
        uri = repo.add("v2.pkg", pkg)
        self.power_on()
        await server.events.next("registered", EP, WAIT_S)
        self.note("server: /3/0/3 = %s, /5/0/8 = %s (CoAP)" % (await self.read("/3/0/3"), await self.read("/5/0/8/0")))
        self.note("server: write /5/0/1 = %s (%d bytes)" % (uri, len(pkg)))
        await server.write(EP, "/5/0/1", payload=uri.encode(), fmt=0)
        t0 = self.sim.now_ms
        part = os.path.join(self.flash, "fota.pkg")
        await self.until(lambda: os.path.exists(part) and os.path.getsize(part) >= len(pkg) // 3)
        have = os.path.getsize(part)
        self.note("power cut with %d of %d bytes stored" % (have, len(pkg)))
        self.power_off()
        await asyncio.sleep(60)
        n = len(repo.gets)
        self.power_on()
        await server.events.next("registered", EP, WAIT_S)
        await self.until(lambda: len(repo.gets) > n)
        self.resumed_at = repo.gets[n][1]
        self.note("download resumes at block %d (%d bytes), not at 0" % (self.resumed_at, self.resumed_at * 128))
        await self.until(lambda: self.fu.state == 2)
        self.download_s = (self.sim.now_ms - t0) / 1000.0
        self.note("downloaded, checked and unpacked: /5/0/3 = %s, /5/0/7 = %s" % (
            await self.read("/5/0/3"), await self.read("/5/0/7")))
        self.note("server: execute /5/0/2 (Update)")
        await server.execute(EP, "/5/0/2")
        await self.until(lambda: self.reboots == 1)
        self.power_off()
        self.power_on()
        await server.events.next("registered", EP, WAIT_S)
        await self.until(lambda: self.fu.state == 0)
        self.version = await self.read("/3/0/3")
        self.result = await self.read("/5/0/5")
        self.note("server: /3/0/3 = %s, /5/0/5 = %s (1: firmware updated successfully)" % (self.version, self.result))
        await server.stop()

    def run(self):
        try:
            run_virtual(self.sim, self.script())
        finally:
            shutil.rmtree(self.flash, ignore_errors=True)
        return self


def main(echo=print, seed=1):
    echo("")
    echo("== Firmware update (object 5) by pull over a lossy link, with a power cut (seed %d)" % seed)
    u = Update(seed, echo).run()
    echo("")
    echo("download %.0f s of virtual time including the power cut; %d datagrams traced" % (
        u.download_s, len(u.trace.datagrams())))
    for line in totals_table(u.net):
        echo(line)
    return u


if __name__ == "__main__":
    import os as _os

    sys.path.insert(0, _os.path.join(ROOT, "firmware"))
    main()
