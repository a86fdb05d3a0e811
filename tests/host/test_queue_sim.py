"""Queue mode in the simulator against the embedded server: the reference month, deep sleep
without re-registering, int-109 (requests queued while the device sleeps are served in its
awake window), the energy model's calibration, and a power cut at every byte of every store
write of a scripted day."""
import asyncio
import os

from store_fakes import CutFs, PowerCut
from lwm2m.codec import cbor
from lwm2m.store import Store, frame

from host_sim import energy
from host_sim.aio import run_virtual
from host_sim.scenarios import queue_demo as Q


def _notification_gaps(m):
    """Seconds between the notifications the device sent (its own clock)."""
    from lwm2m.coap.message import decode

    times = [t // 1000 for t, data in m.device.sent if decode(data).code == 0x45]  # RTC seconds
    return set(b - a for a, b in zip(times, times[1:]))


def test_reference_month_97_uplinks_a_day_and_pmax_to_the_second():
    m = Q.Month(30).run()
    assert m.registers == 1 and m.updates == 30
    assert m.notifications + m.updates == 97 * 30 - 1  # the first notification is the observe response
    assert _notification_gaps(m) == {Q.PERIOD}
    assert m.idle_wakes == 0 and m.wakes >= 96 * 30 - 1
    assert m.result.handshakes == 0  # NoSec


def test_deep_sleep_resumes_from_the_store_without_registering_again():
    m = Q.Month(3, deep=True).run()
    assert m.registers == 1
    assert m.device.boots > 250  # rebuilt at every wake
    assert _notification_gaps(m) == {Q.PERIOD}  # same observation, no gap but the sleep


def test_int_109_requests_queued_while_asleep_go_out_when_the_device_wakes():
    m = Q.Month(1)

    async def script():
        s, d = m.server, m.device
        await s.start()
        d.start()
        await s.events.next("registered", Q.EP, 600)
        await s.write_attributes(Q.EP, "/3303/0/5700", {"pmin": Q.PERIOD, "pmax": Q.PERIOD})
        await s.observe(Q.EP, "/3303/0/5700")
        await asyncio.sleep(200)  # past the awake window: asleep
        assert d.asleep
        asked = m.sim.now_ms
        read = asyncio.ensure_future(s.read(Q.EP, "/3/0/0", timeout=2000))
        await asyncio.sleep(300)
        assert not read.done()  # int-108/109: the server holds it
        result = await read
        waited = (m.sim.now_ms - asked) / 1000.0
        assert 600 < waited < 900 + Q.AWAKE_S
        await s.stop()
        return result

    result = run_virtual(m.sim, script())
    assert "Open Mobile Alliance" in repr(result)


def test_energy_model_matches_the_published_anchors():
    for what, s, ma, a_s, a_ma in energy.calibration():
        assert abs(s - a_s) <= 0.1 and abs(ma - a_ma) <= 0.1 * a_ma, what


def test_lora_airtime_matches_the_reference_table():
    assert round(energy.lora_airtime_s(10, 7) * 1000, 1) == 61.7
    assert round(energy.lora_airtime_s(10, 9) * 1000, 1) == 205.8
    assert round(energy.lora_airtime_s(51, 12) * 1000, 1) == 2793.5


def test_release_assistance_shortens_the_radio_session():
    dg = [(0, "up", 200)]
    with_rai = energy.evaluate(energy.BG96_NB, dg, [0], -60000, 60000, active_s=0)
    without = energy.evaluate(energy.BG96_NB, dg, [], -60000, 60000, active_s=0)
    assert with_rai.radio_on_s < without.radio_on_s - 5 and with_rai.mah() < without.mah()


def _scripted_day():
    """A day in deep sleep with two hours offline (notifications stored, then flushed)."""
    m = Q.Month(1, deep=True)
    d = m.device

    async def script():
        await m.script_start()
        await asyncio.sleep(6 * 3600)
        d.set_online(False)
        await asyncio.sleep(2 * 3600)
        d.set_online(True)
        await asyncio.sleep(16 * 3600)
        await m.server.stop()

    run_virtual(m.sim, script())
    return d.saved


def test_power_cut_at_every_byte_of_every_write_of_a_day_keeps_a_whole_state():
    states = _scripted_day()
    stored = [sum(len(c[6]) for c in st["c"]) for st in states]
    assert max(stored) >= 4  # the day did store notifications while offline
    assert len(states) >= 95  # a write before every sleep of the day
    datas = [frame(cbor.dumps(s)) for s in states]
    for i in range(1, len(states)):
        base = CutFs()
        Store("st", base).save(states[i - 1])
        for cut in range(len(datas[i]) + 1):
            fs = CutFs(base.files, cut_at=cut)
            try:
                Store("st", fs).save(states[i])
            except PowerCut:
                pass
            fs.cut_at = None
            got = Store("st", fs).load()
            assert got == states[i - 1] or got == states[i], (i, cut)


def test_make_sim_scenario_writes_its_timeline(tmp_path):
    lines = []
    Q.main(echo=lines.append, days=1, out_dir=str(tmp_path))
    path = lines[-1].split(": ", 1)[1]
    assert os.path.getsize(path) > 1000 and path.endswith(".png")
