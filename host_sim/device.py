"""A whole device in the simulator: the firmware (client + modem driver, built
from a board configuration by lwm2m.app.build) on a simulated modem whose
radio side is a node of a host_sim Network, next to the embedded LwM2M server
in a VirtualTimeLoop.

The drivers are blocking code: they wait in clock.sleep_ms. The device clock
turns each sleep into virtual time for everyone else: it runs the asyncio loop
(and with it the simulator: deliveries, the server, aiocoap's timers) for that
long. So the device runs in the caller's thread, the server in the loop, and
both share one virtual clock without threads:

    sim = Simulator(); net = Network(sim, seed=1); loop = VirtualTimeLoop(sim)
    server = SimServer(net.node("server").port(5683))
    modem = Bg96Sim(DeviceClock(loop))
    radio = ModemRadio(net, "device", modem)
    client, model = build(board_cfg, SimBoard(modem), DeviceClock(loop))
    result = Device(loop, client).run(script())   # script: a coroutine using server
"""
import asyncio


class DeviceClock:
    """The firmware clock of a simulated device: ticks_ms()/time() read the
    simulator's VirtualClock; sleep_ms(ms) lets ms of virtual time pass for the
    network, the server and the modem simulator."""

    def __init__(self, loop):
        self.loop = loop
        self.clock = loop.sim.clock
        self.slept_ms = 0

    def ticks_ms(self):
        return self.clock.ticks_ms()

    def time(self):
        return self.clock.time()

    def sleep_ms(self, ms):
        ms = max(int(ms), 0)
        self.slept_ms += ms
        if self.loop.is_running():  # called from inside the loop: time can only move
            self.clock.advance(ms)
        else:
            self.loop.run_until_complete(asyncio.sleep(ms / 1000.0))


class ModemRadio:
    """The radio side of a simulated cellular modem as a port on a Network
    node: what the modem sends leaves from that port, what reaches the port is
    delivered to the modem (dropped while it is off or in PSM)."""

    def __init__(self, net, node, modem, nat=None):
        self.port = net.node(node, nat=nat).port()
        self.modem = modem
        self.dropped = 0
        modem.net_send = self.port.send
        self.port.attach(self)

    def receive(self, data, peer):
        if not self.modem.deliver(data, peer):
            self.dropped += 1

    def tick(self):
        pass

    def next_timeout_ms(self):
        return None


class SimBoard:
    """The board port module (lwm2m.port.*) for lwm2m.app.build: the UART is
    the modem simulator, PWRKEY its pwrkey()."""

    def __init__(self, modem, uid="0001"):
        self.modem = modem
        self.uid = uid
        self.reboots = 0

    def uart(self, cfg):
        return self.modem

    def pwrkey(self, cfg):
        return self.modem.pwrkey

    def unique_id(self):
        return self.uid

    def reboot(self):
        self.reboots += 1


class Device:
    """The firmware main loop of one simulated device. The server script (a
    coroutine in the loop) hands device-side actions (a sensor change, a
    de-register) to `do(fn)`: they run in the device's own loop, where the
    driver may block."""

    def __init__(self, loop, client):
        self.loop = loop
        self.client = client
        self._todo = []

    def do(self, fn):
        self._todo.append(fn)

    def run(self, script, limit_s=7 * 86400):
        """Start the client and poll it until the coroutine `script` finishes;
        returns its result. Server work runs while the device sleeps.
        RuntimeError if the script is not done after limit_s of virtual time."""
        loop, client = self.loop, self.client
        task = loop.create_task(script)
        end = loop.sim.clock.now_ms + limit_s * 1000
        client.start()
        try:
            while not task.done():
                if loop.sim.clock.now_ms > end:
                    raise RuntimeError("device script not done after %d s of virtual time" % limit_s)
                while self._todo:
                    self._todo.pop(0)()
                client.poll(1000)
        finally:
            if not task.done():
                task.cancel()
                try:
                    loop.run_until_complete(task)
                except BaseException:
                    pass
        return task.result()
