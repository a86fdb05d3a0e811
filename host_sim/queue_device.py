"""A queue-mode LwM2M device in the simulator: the firmware Client + Queue on a simulated
port, sleeping between wakes as lwm2m.client.schedule says, optionally in deep sleep (the
client and its model are dropped at each sleep and rebuilt from lwm2m.store at each wake,
as an ESP32 does after a reset). With `dtls` the client speaks CoAP over the firmware's
DtlsLink (PSK) on that port: handshakes block the device in virtual time (host_sim/sim_dtls.py),
and a session lives in RAM only, so deep sleep loses it."""
import random

from lwm2m.client import persist
from lwm2m.client import schedule as S
from lwm2m.client.client import Client
from lwm2m.client.queue import Queue
from lwm2m.coap.endpoint import Endpoint
from lwm2m.link.release import ReleaseLink
from lwm2m.store import Store

from host_sim.endpoints import _sim_address
from host_sim.sim_dtls import BlockingPort


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
        now = self.clock.now_ms  # a DTLS link may handshake first: the time it was asked to go
        self.port.send(data, peer)
        self.sent.append((now, bytes(data)))

    def recv(self, timeout_ms):
        return self.port.recv(timeout_ms)

    def close(self):
        pass


class QueueDevice:
    """make_model() -> a provisioned Model (called again after every deep sleep);
    setup(device) adds application timers to device.queue. on_release: energy Recorder.
    dtls: {"peer": (host, port), "identity": bytes, "key": bytes, DtlsLink settings...}
    to run CoAP over DTLS PSK to that peer; `sent` then holds the plaintext."""

    def __init__(self, net, node, make_model, config, qconfig=None, deep=False, setup=None,
                 on_release=None, dtls=None):
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
        self.dtls = dict(dtls) if dtls is not None else None
        # the modem's socket outlives resets: what reached it waits here
        self.secure = BlockingPort(self.port, net.sim) if dtls is not None else None
        self.dtls_links = []  # every DtlsLink, one per boot
        self.port.attach(self)
        self._boot(None)

    def _boot(self, state):
        self.boots += 1
        self.model = self.make_model()
        inner = self.port
        if self.secure is not None:
            from lwm2m.link.dtls import DtlsLink

            s = dict(self.dtls)
            peer, ident, key = s.pop("peer"), s.pop("identity"), s.pop("key")
            inner = DtlsLink(self.secure, tuple(peer), ident, key, clock=self.clock, **s)
            self.dtls_links.append(inner)
        self.link = ReleaseLink(_Tap(inner, self.sent, self.clock), on_release=self.on_release)
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
        self._drain()

    def _blocked(self):
        # inside a DTLS handshake: the simulation runs on, this device waits
        return self.secure is not None and self.secure.waiting

    def _drain(self):
        """DTLS: decrypt what reached the port meanwhile and hand it to the client."""
        while self.secure is not None and self.secure.inbox and not self.asleep:
            got = self.link.recv(0)
            if got is not None:
                self.client.endpoint.receive(got[0], got[1])
                self.client.step()
                self.queue.after_io()

    # -- the simulator actor ----------------------------------------------------
    def receive(self, data, peer):
        if self.secure is not None:
            self.secure.deliver(data, peer)
            if self._blocked():
                return
        if self.asleep:
            self._wake(work=False)
        if self.secure is not None:
            self._drain()
        else:
            self.client.endpoint.receive(data, peer)
            self.client.step()
            self.queue.after_io()

    def tick(self):
        if self._blocked():
            return
        if self.asleep:
            self._wake(work=True)
            self._drain()
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
        self._drain()
        self._maybe_sleep()

    def next_timeout_ms(self):
        q = self.queue
        if self._blocked():
            return None
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
