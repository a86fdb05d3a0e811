"""Queue mode, sleep and energy: the reference scenario of docs/queue.md.

IPSO temperature observed with pmin = pmax = 900 s, lifetime 86400 s, queue mode, BG96
NB-IoT profile, 30 simulated days against the embedded server, DTLS 1.2 PSK (the firmware's
DtlsLink against the server's DTLS front, in virtual time) and NoSec for comparison, with
light sleep and with deep sleep (the client rebuilt from lwm2m.store at every wake), behind a
carrier NAT and without one. Writes bench/results/queue.md and the timeline plot.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (ROOT, os.path.join(ROOT, "firmware")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from host_sim import energy  # noqa: E402
from host_sim.scenarios import queue_demo as Q  # noqa: E402

DAYS = 30


def _row(security, sleep, m):
    r = m.result
    pd = r.per_day()
    steady = (m.notifications + m.updates) / float(DAYS)
    lost = (m.notifications_sent - m.notifications) / float(DAYS)
    return "| %s | %s | %.2f | %.1f | %.2f | %.2f | %.2f | %.2f | %.3f | %.0f | %d | %d | %d / %d | %.2f |" % (
        security, sleep, pd["uplink datagrams"], steady, lost, pd["downlink datagrams"], pd["DTLS handshakes"],
        pd["radio-on s"] / (86400.0 / Q.PERIOD), pd["mAh"], r.battery_days(), m.registers - 1,
        m.device.store.writes, m.wakes, m.idle_wakes, m.wall_s)


NAT = "NAT (2 min)"
NO_NAT = "no NAT (private APN)"
# DtlsLink settings per row: {} = the defaults (idle re-handshake after 110 s)
OFF = {"idle_rehandshake_ms": None}
RUNS = (
    ("DTLS PSK, " + NAT, "light", dict(dtls={})),
    ("DTLS PSK, " + NAT, "deep (rebuilt from the store)", dict(dtls={}, deep=True)),
    ("DTLS PSK, " + NO_NAT + ", idle re-handshake off", "light", dict(dtls=OFF, nat=False)),
    ("DTLS PSK, " + NO_NAT + ", idle re-handshake off", "deep (rebuilt from the store)",
     dict(dtls=OFF, nat=False, deep=True)),
    ("DTLS PSK, " + NAT + ", idle re-handshake off (the old default)", "light", dict(dtls=OFF)),
    ("NoSec, " + NAT, "light", {}),
    ("NoSec, " + NAT, "deep (rebuilt from the store)", dict(deep=True)),
    ("NoSec, " + NAT, "light, awake window 10 s (not the default)", dict(awake_s=10)),
)


def _gaps(m):
    from lwm2m.coap.message import decode

    times = [t // 1000 for t, data in m.device.sent if decode(data).code == 0x45]
    return sorted(set(b - a for a, b in zip(times, times[1:])))


def main():
    months = [(sec, sleep, Q.Month(DAYS, **kw).run()) for sec, sleep, kw in RUNS]
    light, deep = months[0][2], months[1][2]
    private = months[2][2]
    nosec = months[5][2]
    plot = Q.plot(light, os.path.join(HERE, "results", "queue_timeline.png"))
    fl = light.flights
    per_hs = float(fl.handshakes) or 1.0
    lines = [
        "# Queue mode: %d simulated days of a sleeping sensor" % DAYS,
        "",
        "`make bench` (bench/bench_queue.py). Reference scenario: IPSO temperature /3303/0/5700 observed",
        "with pmin = pmax = %d s, lifetime %d s, queue mode (awake %d s after each exchange), %s" % (
            Q.PERIOD, Q.LIFETIME, Q.AWAKE_S, energy.BG96_NB.name),
        "profile, an NB-IoT-like path (300 + 0..200 ms, 25 kbit/s), against the embedded server.",
        "**DTLS 1.2 PSK**: the firmware's `lwm2m.link.dtls.DtlsLink` (python-mbedtls under the `tls` shim)",
        "on the device's simulated port, the server's DTLS front (`host_sim/sim_dtls.py`, DtlsServerLink)",
        "on the server's; every handshake flight crosses the simulated path with its delay and rate and",
        "counts in the datagrams and the radio time. Full handshakes are counted on the wire (ServerHello",
        "messages the device received), not by the client. `NAT (2 min)`: a carrier NAT that forgets an",
        "idle mapping after 2 min, so every wake (every 900 s) leaves from a new public port.",
        "",
        "| security, path | sleep | uplink datagrams/day (all) | notifications + updates/day at the server "
        "| notifications lost/day | downlink/day | full DTLS handshakes/day "
        "| radio-on s per report | mAh/day | days on 2 x AA | Registers after the first | store writes "
        "| wakes / idle wakes | wall s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(sec, sleep, m) for sec, sleep, m in months]
    lines += [
        "",
        "- Wall time for all %d runs of %d days: %.1f s." % (len(months), DAYS, sum(m.wall_s for _, _, m in months)),
        "- The goal is 96 notifications + 1 Update = 97 a day, 1 handshake a day at most. The CoAP",
        "  steady state is exactly 97 in every row but the last DTLS one (the Update rides along with a",
        "  notification's wake; one notification a day is CON, RFC 7641 4.5). \"all\" adds day one's Register",
        "  and the responses to the server's write-attributes and observe, and with DTLS the handshake",
        "  flights: each full handshake is %.1f uplink datagrams (%.0f B: ClientHello, again with the" % (
            fl.datagrams["up"] / per_hs, fl.nbytes["up"] / per_hs),
        "  cookie, then ClientKeyExchange + ChangeCipherSpec + Finished) and %.1f downlink (%.0f B)." % (
            fl.datagrams["down"] / per_hs, fl.nbytes["down"] / per_hs),
        "- Handshakes/day: behind the NAT the device re-handshakes at every wake (its session's address is",
        "  gone: DTLS 1.2 without a Connection ID, RFC 9146, cannot follow it to a new port, and",
        "  MicroPython's `tls` exposes neither CID nor resumption); `idle_rehandshake_ms` (110 s by",
        "  default) does it before the first record of a wake, so nothing is lost. Without a NAT the one",
        "  session of day one lasts the %d days (%d handshake). Deep sleep loses the session at every" % (
            DAYS, private.flights.handshakes),
        "  reset (it lives in mbedTLS's RAM and `tls` cannot export it): a handshake per wake, NAT or not.",
        "- The last DTLS row is the client before this change (no idle re-handshake): behind the NAT the",
        "  server cannot match the records from the new port to a session and drops them silently; the",
        "  NON notifications are lost, only the daily CON notification and the Update get through after",
        "  4 unanswered transmissions (`max_unanswered`) force a new handshake.",
        "- Gaps between the notifications the device sent (when each left), in RTC seconds: %s (DTLS" % (
            _gaps(light),),
        "  light), %s (DTLS deep), %s (NoSec light): pmin = pmax honoured to the second; in light sleep" % (
            _gaps(deep), _gaps(nosec)),
        "  once a day the Update goes first in the wake and carries the handshake, so that notification leaves",
        "  ~2.5 s after it was made (the sample and the schedule do not move).",
        "- mbedTLS's own handshake retransmission timer runs on wall time; a handshake takes milliseconds",
        "  of it and no datagram is lost in these runs, so it never fires (DtlsLink's deadlines and idle",
        "  time are on the virtual clock).",
        "- Energy (host_sim/energy.py, calibrated to the NB-IoT anchors at 5 V; PSM and idle currents are",
        "  assumptions): NoSec %.1f mWh/day of which the %d s reachable idle after each report is the largest" % (
            nosec.result.mwh() / DAYS, Q.AWAKE_S),
        "  part; a handshake per wake adds %.1f s of radio per report and %.1f mWh/day (%.1f mWh/day);" % (
            (light.result.radio_on_s - nosec.result.radio_on_s) / (DAYS * 86400.0 / Q.PERIOD),
            (light.result.mwh() - nosec.result.mwh()) / DAYS, light.result.mwh() / DAYS),
        "  the NoSec 10 s row shows what a 10 s awake window (server awake_time 10 s too) would save.",
        "  battery life assumes 7,500 mWh (2 x AA alkaline), no converter loss, no MCU.",
        "- Calibration (one radio session each, model vs anchor):",
        "",
        "| session | model s | model mA | anchor s | anchor mA |",
        "|---|---|---|---|---|",
    ]
    for what, s, ma, a_s, a_ma in energy.calibration():
        lines.append("| %s | %.1f | %.1f | %.1f | %.1f |" % (what, s, ma, a_s, a_ma))
    lines += ["", "Timeline of the first 3 hours (DTLS PSK, NAT, light sleep): `%s`." % os.path.relpath(plot, ROOT), ""]
    with open(os.path.join(HERE, "results", "queue.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
