"""LoRaWAN as the simulator sees it: airtime by the standard formula, the EU868
duty cycle per sub-band, payload limits per data rate, and a Class A network
server whose application server bridges each device's frames to a LwM2M server
and queues the server's datagrams until the device next speaks.
Facts: ../shared/reference/modems.md."""
import math
import random

from lwm2m.compat import ticks_add, ticks_diff

# EU868: data rate -> spreading factor (125 kHz) and maximum application payload.
EU868_SF = {0: 12, 1: 11, 2: 10, 3: 9, 4: 8, 5: 7}
EU868_MAX_PAYLOAD = {0: 51, 1: 51, 2: 51, 3: 115, 4: 242, 5: 242, 6: 242, 7: 242}
RX1_DELAY_MS = 1000
RX2_DELAY_MS = 2000
JOIN_ACCEPT_DELAY_MS = 5000


def airtime_ms(payload_len, sf, bw=125000, preamble=8):
    """Time on air of a LoRaWAN frame with payload_len application bytes (CR 4/5,
    explicit header, CRC, low-data-rate optimisation on SF11/12)."""
    de = 1 if sf >= 11 and bw == 125000 else 0
    t_sym = (2 ** sf) / bw
    pl = 13 + payload_len  # MHDR, FHDR, FPort, MIC
    n_pay = 8 + max(math.ceil((8 * pl - 4 * sf + 28 + 16) / (4 * (sf - 2 * de))) * 5, 0)
    return ((preamble + 4.25) * t_sym + n_pay * t_sym) * 1000


class DutyCycle:
    """One EU868 sub-band: after a frame of airtime T it is closed for T*(1/duty - 1)."""

    def __init__(self, clock, duty=0.01):
        self.clock = clock
        self.duty = duty
        self.free_at = None  # ticks when the band opens again
        self.waits = 0  # frames the band held back
        self.closed_ms = 0  # total time the band was closed after our frames

    def is_open(self):
        if self.free_at is not None and ticks_diff(self.free_at, self.clock.ticks_ms()) > 0:
            self.waits += 1
            return False
        return True

    def used(self, airtime):
        off = int(airtime * (1 / self.duty - 1))
        self.closed_ms += off
        self.free_at = ticks_add(self.clock.ticks_ms(), int(airtime) + off)


class NetworkServer:
    """Class A: at most one downlink per uplink, sent in RX1 after it; the LwM2M
    server's datagrams wait in a queue per device until then. A downlink sent
    while more wait has FPending set (pending()).

    frames: every frame as it crossed the air, a dict with t_ms (the clock's
    ticks, if a clock was given), dev, dir ("up"/"down"), fport (None: an empty
    uplink), size (application payload bytes), dr, airtime_ms, lost.

    loss: the probability that a frame is lost on the air, each way (seeded:
    one seed, one run). The network answers no lost uplink; a lost downlink is
    gone."""

    def __init__(self, forward=None, clock=None, loss=0.0, seed=0):
        self.forward = forward  # forward(dev_eui, fport, data): uplink payload to the application side
        self.clock = clock
        self.loss = loss
        self.rng = random.Random("%s:lorawan" % seed)
        self._heard = {}  # dev_eui -> whether its last uplink arrived (no receive window otherwise)
        self.queues = {}  # dev_eui -> [(fport, data)]
        self.stats = {}  # dev_eui -> counters
        self.frames = []
        self._dr = {}  # dev_eui -> data rate of its last uplink (RX1 uses the same)

    def _record(self, dev, direction, fport, data, dr):
        t = self.clock.ticks_ms() if self.clock is not None else None
        lost = bool(self.loss) and self.rng.random() < self.loss
        self.frames.append({"t_ms": t, "dev": dev, "dir": direction, "fport": fport, "size": len(data), "dr": dr,
                            "airtime_ms": airtime_ms(len(data), EU868_SF.get(dr, 7)), "lost": lost})
        if lost:
            self._stats(dev)["lost"] += 1
        return lost

    def _stats(self, dev):
        if dev not in self.stats:
            self.stats[dev] = {"uplinks": 0, "uplink_bytes": 0, "downlinks": 0, "downlink_bytes": 0,
                               "airtime_ms": 0.0, "oversize": 0, "largest_uplink": 0, "lost": 0}
        return self.stats[dev]

    def uplink(self, dev, fport, data, dr):
        """A frame from the device; fport None: an empty frame (no FPort), which
        only opens the receive windows."""
        self._dr[dev] = dr
        st = self._stats(dev)
        lost = self._record(dev, "up", fport, data, dr)
        self._heard[dev] = not lost
        st["uplinks"] += 1
        st["uplink_bytes"] += len(data)
        st["largest_uplink"] = max(st["largest_uplink"], len(data))
        st["airtime_ms"] += airtime_ms(len(data), EU868_SF.get(dr, 7))
        if len(data) > EU868_MAX_PAYLOAD[dr]:
            st["oversize"] += 1  # a real network drops it
            self._heard[dev] = False
            return
        if lost:
            return
        if self.forward and fport is not None:
            self.forward(dev, fport, data)

    def queue_downlink(self, dev, fport, data):
        self.queues.setdefault(dev, []).append((fport, data))

    def take_downlink(self, dev):
        """The downlink for the receive window after the device's uplink, or None."""
        q = self.queues.get(dev)
        if not q or not self._heard.get(dev, True):
            return None
        st = self._stats(dev)
        fport, data = q.pop(0)
        st["downlinks"] += 1
        st["downlink_bytes"] += len(data)
        if self._record(dev, "down", fport, data, self._dr.get(dev, 0)):
            return None
        return fport, data

    def pending(self, dev):
        """FPending: more downlinks wait for this device."""
        return bool(self.queues.get(dev))


class ApplicationServer:
    """Between the network server and the LwM2M server: each device (DevEUI)
    gets its own UDP port on `node`, so the LwM2M server sees one stable source
    address per device, and what the LwM2M server sends to that address is
    queued as a downlink for the device's next receive window. A datagram
    byte-identical to one already queued for the device (a CoAP retransmission
    while the device is silent) is not queued twice."""

    def __init__(self, net, ns, server_addr, node="appserver"):
        self.net = net
        self.ns = ns
        self.server_addr = tuple(server_addr)
        self.node = node
        self.ports = {}  # dev_eui -> Port
        self.devices = {}  # (host, port) -> dev_eui
        self.fports = {}  # dev_eui -> FPort of its last uplink
        self.duplicates = 0
        ns.forward = self.uplink

    def port_of(self, dev):
        port = self.ports.get(dev)
        if port is None:
            port = self.net.node(self.node).port()
            self.ports[dev] = port
            self.devices[port.address] = dev
            port.attach(_Downlinks(self, dev))
        return port

    def uplink(self, dev, fport, data):
        self.fports[dev] = fport
        self.port_of(dev).send(data, self.server_addr)

    def downlink(self, dev, data):
        fport = self.fports.get(dev, 1)
        if (fport, data) in self.ns.queues.get(dev, ()):
            self.duplicates += 1
            return
        self.ns.queue_downlink(dev, fport, data)


class _Downlinks:
    """The simulator actor on a device's port: datagrams become queued downlinks."""

    def __init__(self, app, dev):
        self.app = app
        self.dev = dev

    def receive(self, data, peer):
        self.app.downlink(self.dev, bytes(data))

    def tick(self):
        pass

    def next_timeout_ms(self):
        return None


class class_a_timers:
    """`with class_a_timers(ack_timeout_s):` the aiocoap LwM2M server's CoAP
    timers for devices behind LoRaWAN Class A: a request waits in the network
    server until the device's next uplink, and the answer waits for the duty
    cycle (minutes at SF12), so the default 2 s ACK_TIMEOUT would retransmit
    and give up long before. Process-wide while in the block (aiocoap reads
    TransportTuning's class attributes), restored after."""

    def __init__(self, ack_timeout_s=600.0, max_retransmit=4):
        self.values = {"ACK_TIMEOUT": float(ack_timeout_s), "MAX_RETRANSMIT": max_retransmit}
        self.saved = {}

    def __enter__(self):
        from aiocoap.numbers.constants import TransportTuning

        for name, value in self.values.items():
            self.saved[name] = TransportTuning.__dict__.get(name)
            setattr(TransportTuning, name, value)
        return self

    def __exit__(self, *exc):
        from aiocoap.numbers.constants import TransportTuning

        for name, value in self.saved.items():
            setattr(TransportTuning, name, value)
        return False
