"""Energy model: what a simulated device's radio did, in mA, mAh and days of battery.

Applied to what the device really did in the simulation: every datagram with its time and
size (node.watch), the moments its client said no more traffic is expected (release
assistance), and (queue mode) how long it stayed reachable after each exchange.

Cellular (NB-IoT / LTE-M) states, per radio session:
  setup      RRC connection set-up (random access, from PSM or idle) before the first datagram
  connected  from the first datagram to the last, then a tail: the network's RRC inactivity
             timer, or `rai_tail_s` when the client asked for release after its last datagram
  idle       RRC idle, reachable by paging, for the PSM active time (T3324) after a session
  psm        the rest
plus, per datagram, the extra current of sending (or receiving) it at the link rate.
LoRaWAN (class A): per uplink the airtime at the data rate (RFC-less Semtech formula in
docs/queue.md), then the two receive windows; sleep otherwise.

Calibration: docs/queue.md ("Energy model"); `calibration()` prints the model's figures
next to the published anchors (/work/shared/reference/modems.md, "Energy anchors").
"""
import math

IP_UDP = 28  # IPv4 + UDP header bytes per datagram on the radio


class Profile:
    def __init__(self, name, **kw):
        self.name = name
        self.kind = kw.pop("kind", "cellular")
        self.volts = 5.0  # the anchors were measured at 5 V
        self.psm_ma = 0.005
        self.idle_ma = 0.9
        self.setup_s = 2.1
        self.setup_ma = 14.2
        self.connected_ma = 58.0
        self.tx_ma = 120.0
        self.rx_ma = 60.0
        self.ul_bps = 20000
        self.dl_bps = 25000
        self.inactivity_s = 10.0
        self.rai_tail_s = 0.6
        # LoRaWAN
        self.sf = 9
        self.rx_window_s = 0.1
        self.rx1_delay_s = 1.0
        self.sleep_ma = 0.002
        for k in kw:
            if not hasattr(self, k):
                raise TypeError("unknown profile setting %r" % k)
            setattr(self, k, kw[k])


# Quectel BG96 on NB-IoT: set-up, connected and release figures fitted to the nRF9160 NB-IoT
# anchors (the only published ones we have); PSM and idle currents are BG96 datasheet-level
# assumptions (docs/queue.md says which is which).
BG96_NB = Profile("BG96 NB-IoT")
BG96_M1 = Profile("BG96 LTE-M", setup_s=0.8, setup_ma=60.0, connected_ma=35.0, tx_ma=190.0,
                  ul_bps=300000, dl_bps=300000, inactivity_s=10.0, rai_tail_s=0.3, idle_ma=1.4)
RAK3172_EU868 = Profile("RAK3172 LoRaWAN EU868", kind="lorawan", volts=3.3, tx_ma=45.0, rx_ma=6.0,
                        sleep_ma=0.0017, sf=9)

PROFILES = {"bg96_nb": BG96_NB, "bg96_m1": BG96_M1, "rak3172": RAK3172_EU868}

# 2 x AA alkaline in series: ~2,500 mAh at 3 V nominal = 7,500 mWh (no converter loss, no
# self-discharge: an upper bound).
TWO_AA_MWH = 7500.0


def lora_airtime_s(payload, sf, bw=125000):
    """Time on air of one LoRa frame (CR 4/5, preamble 8, explicit header, CRC; low data
    rate optimisation on SF11/12), LoRaWAN adding 13 bytes of MAC overhead."""
    tsym = (1 << sf) / float(bw)
    de = 1 if sf >= 11 else 0
    pl = 13 + payload
    npay = 8 + max(math.ceil((8.0 * pl - 4 * sf + 28 + 16) / (4 * (sf - 2 * de))) * 5, 0)
    return (8 + 4.25) * tsym + npay * tsym


class Recorder:
    """Collects what the energy model needs from a running simulation:
    rec = Recorder(sim.clock); net.nodes["device"].watch(rec.datagram); ReleaseLink(on_release=rec.release)"""

    def __init__(self, clock):
        self.clock = clock
        self.datagrams = []  # (ms, "up"|"down", bytes)
        self.releases = []  # ms
        self.handshakes = 0  # full DTLS handshakes (a DTLS link that counts them reports here)

    def datagram(self, now_ms, direction, nbytes):
        self.datagrams.append((now_ms, direction, nbytes))

    def release(self):
        self.releases.append(self.clock.now_ms)


class Result:
    def __init__(self, profile, seconds):
        self.profile = profile
        self.seconds = seconds
        self.segments = []  # (start_ms, end_ms, state)
        self.charge_mas = 0.0  # mA * s
        self.radio_on_s = 0.0
        self.sessions = 0
        self.up = self.down = self.up_bytes = self.down_bytes = 0
        self.handshakes = 0

    @property
    def days(self):
        return self.seconds / 86400.0

    def mah(self):
        return self.charge_mas / 3600.0

    def mwh(self):
        return self.mah() * self.profile.volts

    def battery_days(self, battery_mwh=TWO_AA_MWH):
        per_day = self.mwh() / self.days if self.days else 0
        return battery_mwh / per_day if per_day else float("inf")

    def per_day(self):
        d = self.days or 1
        return {"uplink datagrams": self.up / d, "uplink bytes": self.up_bytes / d,
                "downlink datagrams": self.down / d, "downlink bytes": self.down_bytes / d,
                "DTLS handshakes": self.handshakes / d, "radio sessions": self.sessions / d,
                "radio-on s": self.radio_on_s / d, "mAh": self.mah() / d, "mWh": self.mwh() / d}


def evaluate(profile, datagrams, releases=(), start_ms=0, end_ms=None, active_s=93.0, handshakes=0):
    """The energy of one device over [start_ms, end_ms]: datagrams [(ms, "up"|"down", bytes)],
    releases [ms], active_s: how long the modem stays reachable (idle) after a session."""
    datagrams = sorted(datagrams)
    if end_ms is None:
        end_ms = datagrams[-1][0] if datagrams else start_ms
    r = Result(profile, (end_ms - start_ms) / 1000.0)
    r.handshakes = handshakes
    for t, d, n in datagrams:
        if d == "up":
            r.up += 1
            r.up_bytes += n
        else:
            r.down += 1
            r.down_bytes += n
    if profile.kind == "lorawan":
        _lorawan(profile, datagrams, r, start_ms, end_ms)
    else:
        _cellular(profile, datagrams, sorted(releases), r, start_ms, end_ms, active_s)
    return r


def _add(r, t0, t1, state, ma):
    if t1 > t0:
        r.segments.append((t0, t1, state))
        r.charge_mas += ma * (t1 - t0) / 1000.0


def _cellular(p, datagrams, releases, r, start_ms, end_ms, active_s):
    cur = start_ms  # time accounted so far
    idle_from = None  # end of the last session: reachable (idle) for active_s after it
    i = 0
    n = len(datagrams)
    while i < n:
        t_first = datagrams[i][0]
        setup_start = max(cur, t_first - p.setup_s * 1000)
        _sleep(p, r, cur, setup_start, idle_from, active_s)
        _add(r, setup_start, t_first, "setup", p.setup_ma)
        r.sessions += 1
        # the session: datagrams while the connection lasts
        last = t_first
        while True:
            t, d, size = datagrams[i]
            bits = (size + IP_UDP) * 8.0
            if d == "up":
                r.charge_mas += (p.tx_ma - p.connected_ma) * bits / p.ul_bps
            else:
                r.charge_mas += (p.rx_ma - p.connected_ma) * bits / p.dl_bps
            last = t
            i += 1
            end = _connected_end(p, last, releases)
            if i >= n or datagrams[i][0] > end:
                break
        end = min(end, end_ms)
        _add(r, t_first, end, "connected", p.connected_ma)
        r.radio_on_s += (end - setup_start) / 1000.0
        cur = idle_from = end
    _sleep(p, r, cur, end_ms, idle_from, active_s)


def _connected_end(p, last, releases):
    for t in releases:
        if last <= t < last + p.inactivity_s * 1000:
            return t + p.rai_tail_s * 1000
    return last + p.inactivity_s * 1000


def _sleep(p, r, t0, t1, idle_from, active_s):
    """Between sessions: idle (reachable) for active_s after the last session, then PSM."""
    if t1 <= t0:
        return
    idle_end = t0 if idle_from is None else max(t0, min(t1, idle_from + active_s * 1000))
    _add(r, t0, idle_end, "idle", p.idle_ma)
    _add(r, idle_end, t1, "psm", p.psm_ma)


def _lorawan(p, datagrams, r, start_ms, end_ms):
    cur = start_ms
    for t, d, size in datagrams:
        if d != "up" or t < cur:
            continue
        air = lora_airtime_s(size, p.sf) * 1000
        _add(r, cur, t, "psm", p.sleep_ma)
        _add(r, t, t + air, "connected", p.tx_ma)
        rx1 = t + air + p.rx1_delay_s * 1000
        _add(r, t + air, rx1, "psm", p.sleep_ma)
        _add(r, rx1, rx1 + p.rx_window_s * 1000, "idle", p.rx_ma)
        rx2 = rx1 + 1000
        _add(r, rx1 + p.rx_window_s * 1000, rx2, "psm", p.sleep_ma)
        _add(r, rx2, rx2 + p.rx_window_s * 1000, "idle", p.rx_ma)
        cur = rx2 + p.rx_window_s * 1000
        r.radio_on_s += (air + 2 * p.rx_window_s * 1000) / 1000.0
        r.sessions += 1
    _add(r, cur, end_ms, "psm", p.sleep_ma)


# The published anchors (modems.md): (what, datagrams, releases, seconds, mA)
ANCHORS = (
    ("200 B, no response, RAI", [(0, "up", 200)], [0], 2.7, 26.0),
    ("request + response, RAI", [(0, "up", 100), (600, "down", 100)], [600], 3.3, 31.0),
)


def calibration(profile=BG96_NB):
    """[(what, model s, model mA, anchor s, anchor mA)] for one radio session each."""
    out = []
    for what, dgs, rel, secs, ma in ANCHORS:
        r = evaluate(profile, dgs, rel, start_ms=-60000, end_ms=60000, active_s=0)
        on = r.radio_on_s
        psm = sum(b - a for a, b, s in r.segments if s == "psm") / 1000.0
        charge = r.charge_mas - psm * profile.psm_ma
        out.append((what, on, charge / on if on else 0, secs, ma))
    return out
