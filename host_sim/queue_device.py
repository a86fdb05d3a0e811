"""A queue-mode LwM2M device in the simulator: the firmware Client + Queue on a simulated
port, sleeping between wakes as lwm2m.client.schedule says, optionally in deep sleep (the
client and its model are dropped at each sleep and rebuilt from lwm2m.store at each wake,
as an ESP32 does after a reset)."""
import random

from lwm2m.client import persist
from lwm2m.client import schedule as S
from lwm2m.client.client import Client
from lwm2m.client.queue import Queue
from lwm2m.coap.endpoint import Endpoint
from lwm2m.link.release import ReleaseLink
from lwm2m.store import Store

from host_sim.endpoints import _sim_address


class MemFs:
    """The board's flash, in memory (survives the simulated resets)."""

    def __init__(self):
        self.files = {}

    def read(self, path):
        return self.files.get(path)

    def write(self, path, data):
        self.files[path] = bytes(data)

    def rename(self, old, new):
        self.files[new] = self.files.pop(old)

    def remove(self, path):
        self.files.pop(path, None)


class _Tap:
    """The simulated port, noting every datagram the device sends (virtual ms, bytes)."""

    def __init__(self, port, sent, clock):
        self.port, self.sent, self.clock = port, sent, clock
        self.mtu = port.mtu

    def send(self, data, peer):
        self.sent.append((self.clock.now_ms, bytes(data)))
        self.port.send(data, peer)

    def recv(self, timeout_ms):
        return self.port.recv(timeout_ms)

    def close(self):
        pass


class QueueDevice:
    """make_model() -> a provisioned Model (called again after every deep sleep);
    setup(device) adds application timers to device.queue. on_release: energy Recorder."""

    def __init__(self, net, node, make_model, config, qconfig=None, deep=False, setup=None,
                 on_release=None):
        self.net = net
        self.clock = net.sim.clock
        self.port = net.node(node).port()
        self.make_model = make_model
        self.config = dict(config)
        self.config.setdefault("resolve", _sim_address)
        self.config["queue"] = True
        self.qconfig = qconfig or {}
        self.deep = deep
        self.setup = setup
        self.on_release = on_release
        self.store = Store("lwm2m.state", MemFs())
        self.asleep = False
        self.online = True  # the modem has the network (read again at every boot)
        self.sent = []  # (virtual ms, datagram) the device sent
        self.saved = []  # every state written to the store, in order (power-cut tests)
        self.boots = 0
        self.wakes = 0
        self.idle_wakes = 0
        self.sleeps = []  # (start_ms, end_ms or None)
        self.client = None
        self.port.attach(self)
        self._boot(None)

    def _boot(self, state):
        self.boots += 1
        self.model = self.make_model()
        self.link = ReleaseLink(_Tap(self.port, self.sent, self.clock), on_release=self.on_release)
        rng = random.Random("%s:%s:%d:queue" % (self.net.seed, self.port.address, self.boots))
        ep = Endpoint(self.link, self.clock, rand=rng.getrandbits)
        self.client = Client(self.model, ep, self.clock, self.config)
        self.queue = Queue(self.client, self.qconfig, self.link)
        if self.setup is not None:
            self.setup(self)
        if state is None:
            self.client.start()
            self.registers_restored = False
        else:
            persist.restore(self.client, state, self.queue)
        if not self.online:
            self.client.set_online(False)

    def set_online(self, online):
        """The modem lost or regained the network; back online the device wakes and updates."""
        self.online = online
        if self.asleep:
            self._wake(work=False)
        self.client.set_online(online)
        self.client.step()
        self.queue.after_io()
        self._maybe_sleep()

    def start(self):
        self.client.step()
        self.queue.after_io()

    # -- the simulator actor ----------------------------------------------------
    def receive(self, data, peer):
        if self.asleep:
            self._wake(work=False)
        self.client.endpoint.receive(data, peer)
        self.client.step()
        self.queue.after_io()

    def tick(self):
        if self.asleep:
            self._wake(work=True)
            return
        self.client.endpoint.tick()
        q = self.queue
        if q.due_now():
            q.wake()
            q.wakes -= 1  # served while awake: not a wake from sleep
            q.idle_wakes = self.idle_wakes
        else:
            self.client.step()
            q.after_io()
        self._maybe_sleep()

    def next_timeout_ms(self):
        q = self.queue
        if self.asleep:
            return S.sleep_ms(self._windows, self.clock.time(), self.clock.now_ms % 1000)
        if q.busy():
            return q.next_timeout_ms()
        self._maybe_sleep()
        return self.next_timeout_ms() if self.asleep else 0

    def _maybe_sleep(self):
        q = self.queue
        if self.asleep or q.busy() or q.sleep_ms() == 0:
            return
        self.asleep = True
        self.sleeps.append([self.clock.now_ms, None])
        self._windows = q.windows(self.clock.time())
        if self.deep:
            state = persist.snapshot(self.client, q)
            self.store.save(state)
            self.saved.append(state)
            self.client = None  # RAM is gone

    def _wake(self, work):
        self.asleep = False
        self.sleeps[-1][1] = self.clock.now_ms
        if self.deep:
            self._boot(self.store.load())
        if work:
            self.wakes += 1
            if not self.queue.wake():
                self.idle_wakes += 1
        self._maybe_sleep()
