"""`make sim`: a LwM2M session over LoRaWAN (EU868 DR0, SF12, 51-byte frames,
one 1 % sub-band). The firmware, built from a board configuration, on a
simulated RAK3172; a Class A network server; an application server that gives
the device a UDP address; the embedded LwM2M server. Register in 16-byte
Block1 blocks, read, write-attributes pmin = pmax = 900 s, observe, one
notification, an Update. Then every frame on the air with its airtime."""
from host_sim.sessions import DEV_EUI, LoraSession


def main(echo=print, seed=1):
    echo("")
    echo("== LwM2M over LoRaWAN, EU868 DR0 (seed %d): datagrams between the application server and the "
         "LwM2M server" % seed)
    s = LoraSession("rak3172", dr=0, seed=seed, echo=echo).run()
    echo("")
    echo("frames on the air (application payload; airtime at SF12):")
    for f in s.ns.frames:
        echo("  %9.3f s  %-4s %-5s %3d B  %7.1f ms%s" % (
            f["t_ms"] / 1000.0, f["dir"], "-" if f["fport"] is None else "p%d" % f["fport"], f["size"],
            f["airtime_ms"], "  (empty uplink: FPending)" if f["fport"] is None else ""))
    st = s.ns.stats[DEV_EUI]
    r = s.results
    echo("registered after %.0f s, observed after %.0f s, notified after %.0f s" % (
        r["t_registered"] / 1000.0, r["t_observed"] / 1000.0, r["t_notified"] / 1000.0))
    echo("%d uplinks (%d B), %d downlinks (%d B); largest frame %d B (limit 51); uplink airtime %.1f s; "
         "the duty cycle held the device's frames back %.0f s" % (
             st["uplinks"], st["uplink_bytes"], st["downlinks"], st["downlink_bytes"],
             max(f["size"] for f in s.ns.frames), st["airtime_ms"] / 1000.0, s.modem.held_ms / 1000.0))
    return s
