"""LoRaWAN: airtime by the standard formula, and the RAK3172 and RN2483 drivers
against their simulators on a Class A network server (fake clock)."""
import pytest

from fake_uart import FakeClock
from host_sim.lorawan import NetworkServer, airtime_ms
from host_sim.modems.lora import Rak3172Sim, Rn2483Sim
from lwm2m.modem.lorawan import Rak3172, Rn2483

DEV = "0004A30B001C0530"
FPORT = 5


@pytest.mark.parametrize(
    "size,sf,ms",
    [(10, 7, 61.7), (10, 9, 205.8), (10, 12, 1482.8), (51, 7, 118.0), (51, 9, 390.1), (51, 12, 2793.5)],
)
def test_airtime_matches_the_published_figures(size, sf, ms):
    assert round(airtime_ms(size, sf), 1) == ms


def pair(kind, dr=0, confirmed=False):
    clock = FakeClock()
    ns = NetworkServer()
    uplinks = []
    ns.forward = lambda dev, fport, data: uplinks.append((dev, fport, data))
    if kind == "rak3172":
        sim = Rak3172Sim(clock, ns, DEV)
        drv = Rak3172(sim, clock, FPORT, dr=dr, confirmed=confirmed, keys=(DEV, "0" * 16, "1" * 32))
    else:
        sim = Rn2483Sim(clock, ns, DEV)
        drv = Rn2483(sim, clock, FPORT, dr=dr, confirmed=confirmed, keys=(DEV, "0" * 16, "1" * 32))
    return clock, ns, sim, drv, uplinks


@pytest.fixture(params=["rak3172", "rn2483"])
def lora(request):
    return pair(request.param)


def test_join_then_uplink_reaches_the_application_server(lora):
    clock, ns, sim, drv, uplinks = lora
    drv.send(b"\x40\x02\x00\x01")
    assert drv.joined
    assert uplinks == [(DEV, FPORT, b"\x40\x02\x00\x01")]
    assert drv.mtu == 51  # EU868 DR0


def test_downlink_only_in_the_receive_window_after_an_uplink(lora):
    clock, ns, sim, drv, uplinks = lora
    drv.send(b"register")
    ns.queue_downlink(DEV, FPORT, b"\r\nok\r\nanswer")
    assert drv.recv(60000) is None  # Class A: nothing arrives while the device is silent
    drv.send(b"next uplink")
    assert drv.recv(10000) == (b"\r\nok\r\nanswer", ("lorawan", FPORT))


def test_duty_cycle_holds_the_next_frame_back_for_99_times_its_airtime(lora):
    clock, ns, sim, drv, uplinks = lora
    drv.send(b"x" * 51)
    t0 = clock.ms
    drv.send(b"y" * 10)
    assert drv.busy_waits > 0
    assert clock.ms - t0 >= 99 * 2793  # SF12, 51 bytes
    assert [u[2] for u in uplinks] == [b"x" * 51, b"y" * 10]


def test_frame_over_the_data_rate_limit_is_refused_before_the_radio(lora):
    clock, ns, sim, drv, uplinks = lora
    with pytest.raises(OSError):
        drv.send(b"z" * 52)
    assert uplinks == []


def test_larger_data_rate_takes_larger_frames():
    clock, ns, sim, drv, uplinks = pair("rak3172", dr=5)
    drv.send(b"z" * 200)
    assert drv.mtu == 242 and len(uplinks) == 1


def test_confirmed_uplink_waits_for_the_confirmation():
    clock, ns, sim, drv, uplinks = pair("rak3172", confirmed=True)
    drv.send(b"cnf")
    assert "AT+CFM=1" in sim.log and uplinks


def test_join_denied_is_an_error_and_nothing_is_sent():
    for kind in ("rak3172", "rn2483"):
        clock, ns, sim, drv, uplinks = pair(kind)
        sim.join_ok = False
        with pytest.raises(OSError):
            drv.send(b"x")
        assert uplinks == [] and not drv.joined


def test_rn2483_reset_forgets_the_session_and_the_driver_joins_again():
    clock, ns, sim, drv, uplinks = pair("rn2483")
    drv.send(b"a")
    sim.reboot()
    drv.recv(500)  # the banner arrives
    assert not drv.joined and drv.rebooted == 1
    drv.send(b"b")
    assert sim.log.count("mac join otaa") == 2 and uplinks[-1][2] == b"b"


def test_application_server_gives_each_deveui_one_address_and_queues_downlinks_once():
    from host_sim.lorawan import ApplicationServer
    from host_sim.network import Network
    from host_sim.scheduler import Simulator

    sim = Simulator()
    net = Network(sim, seed=1)
    lwm2m = net.node("server").port(5683)
    ns = NetworkServer(clock=sim.clock)
    app = ApplicationServer(net, ns, lwm2m.address)
    ns.uplink("A", FPORT, b"from-a", 0)
    ns.uplink("B", FPORT, b"from-b", 0)
    ns.uplink("A", None, b"", 0)  # an empty frame (FPending flush) reaches nobody
    first, second = lwm2m.recv(1000), lwm2m.recv(1000)
    assert lwm2m.recv(1000) is None
    assert first[1] == app.port_of("A").address and second[1] == app.port_of("B").address != first[1]
    lwm2m.send(b"request", first[1])
    lwm2m.send(b"request", first[1])  # a CoAP retransmission while A is silent
    sim.run_for(100)
    assert ns.queues["A"] == [(FPORT, b"request")] and app.duplicates == 1 and not ns.queues.get("B")
    assert ns.take_downlink("A") == (FPORT, b"request") and not ns.pending("A")
    assert [(f["dir"], f["fport"], f["size"]) for f in ns.frames] == [
        ("up", FPORT, 6), ("up", FPORT, 6), ("up", None, 0), ("down", FPORT, 7)]


def test_fpending_brings_one_empty_uplink_at_a_time_and_none_the_host_made_needless(lora):
    # LoRaWAN 1.0.x 4.3.1.6: FPending in a downlink asks for another uplink soon.
    # The modem sends one empty frame when the duty cycle allows, unless an
    # uplink of the host's went first (its receive windows were the ones asked
    # for); the windows of that frame, not a second queued flush, decide the next.
    clock, ns, sim, drv, uplinks = lora
    drv.send(b"a")
    for d in (b"d1", b"d2", b"d3"):
        ns.queue_downlink(DEV, FPORT, d)
    drv.send(b"b")  # takes d1 (FPending): the modem's flush waits for the band
    drv.send(b"c")  # the host's own frame waits for the band too
    got = []
    while True:
        r = drv.recv(3600000)
        if r is None:
            break
        got.append(r[0])
    assert got == [b"d1", b"d2", b"d3"]
    empty = [f for f in ns.frames if f["dir"] == "up" and f["fport"] is None]
    assert len(empty) == 1 and not ns.pending(DEV) and sim.flushes == 1


def test_a_lost_downlink_tells_the_modem_of_no_fpending():
    clock, ns, sim, drv, uplinks = pair("rak3172")
    drv.send(b"a")
    ns.queue_downlink(DEV, FPORT, b"d1")
    ns.queue_downlink(DEV, FPORT, b"d2")
    draws = iter([0.9, 0.0])  # the uplink is heard, its downlink (d1, FPending) lost on the air
    ns.loss, ns.rng.random = 0.5, lambda: next(draws, 0.9)
    drv.send(b"b")
    assert drv.recv(3600000) is None  # no empty uplink: d2 waits for the host's next frame
    assert sim.flushes == 0 and ns.pending(DEV)
    drv.send(b"c")
    assert drv.recv(10000) == (b"d2", ("lorawan", FPORT))
