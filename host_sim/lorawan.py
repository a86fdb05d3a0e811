"""LoRaWAN as the simulator sees it: airtime by the standard formula, the EU868
duty cycle per sub-band, payload limits per data rate, and a Class A network
server whose application server bridges each device's frames to a LwM2M server
and queues the server's datagrams until the device next speaks.
Facts: ../shared/reference/modems.md."""
import math

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
    server's datagrams wait in a queue per device until then."""

    def __init__(self, forward=None):
        self.forward = forward  # forward(dev_eui, fport, data): uplink payload to the application side
        self.queues = {}  # dev_eui -> [(fport, data)]
        self.stats = {}  # dev_eui -> counters

    def _stats(self, dev):
        if dev not in self.stats:
            self.stats[dev] = {"uplinks": 0, "uplink_bytes": 0, "downlinks": 0, "downlink_bytes": 0,
                               "airtime_ms": 0.0, "oversize": 0, "largest_uplink": 0}
        return self.stats[dev]

    def uplink(self, dev, fport, data, dr):
        st = self._stats(dev)
        st["uplinks"] += 1
        st["uplink_bytes"] += len(data)
        st["largest_uplink"] = max(st["largest_uplink"], len(data))
        st["airtime_ms"] += airtime_ms(len(data), EU868_SF.get(dr, 7))
        if len(data) > EU868_MAX_PAYLOAD[dr]:
            st["oversize"] += 1  # a real network drops it
            return
        if self.forward:
            self.forward(dev, fport, data)

    def queue_downlink(self, dev, fport, data):
        self.queues.setdefault(dev, []).append((fport, data))

    def take_downlink(self, dev):
        q = self.queues.get(dev)
        if not q:
            return None
        st = self._stats(dev)
        fport, data = q.pop(0)
        st["downlinks"] += 1
        st["downlink_bytes"] += len(data)
        return fport, data
