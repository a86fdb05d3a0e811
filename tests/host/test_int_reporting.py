"""OMA-ETS-LightweightM2M-V1_1 information reporting cases (int-301..311) against the
embedded server over UDP loopback, each with the client in-process on CPython and as a
micropython process (tests/host/int_device.py). Where a case needs to know that the device
sends nothing more, it reads the device's trace of the wire."""
import asyncio

from client_harness import TIMEOUT, run
from int_device import both, server_and_device

TEMP = (3303, 0, 5700)


def _rep(kind, ep, body, **kw):
    async def go():
        async with server_and_device(kind, ep, **kw) as (server, dev):
            await body(server, dev)

    run(go())


async def _quiet(obs, seconds):
    """True if no notification comes within seconds."""
    try:
        await obs.next(seconds)
    except asyncio.TimeoutError:
        return True
    return False


def _notes(dev):
    """Notifications the device sent so far: its trace lines '> N 2.05 mid=.. obs=..' (or C);
    the answer to the Observe itself is piggybacked (A)."""
    return [ln for ln in dev.output().splitlines() if ln[:9] in ("> N 2.05 ", "> C 2.05 ") and " obs=" in ln]


@both
def test_int_301_observation_and_notification_of_parameter_values(kind):
    async def body(server, dev):
        await server.write_attributes("int301", TEMP, {"pmax": 2}, timeout=TIMEOUT)
        obs = await server.observe("int301", TEMP, accept="senml-json", timeout=TIMEOUT)
        assert obs.active and obs.result.values() == {TEMP: 21.0}
        await dev.set("/3303/0/5700", "22.5")
        note = await obs.next(TIMEOUT)
        assert note.code == 0x45 and note.values() == {TEMP: 22.5}
        note = await obs.next(3.5)  # pmax forces one without a change
        assert note.values() == {TEMP: 22.5}

    _rep(kind, "int301", body)


@both
def test_int_302_cancel_observation_with_reset(kind):
    async def body(server, dev):
        # confirmable notifications (1.2 con=1): the server's Reset ends them
        await server.write_attributes("int302", TEMP, {"con": 1}, timeout=TIMEOUT)
        obs = await server.observe("int302", TEMP, accept="senml-json", timeout=TIMEOUT)
        await server.cancel(obs, reset=True)
        await dev.set("/3303/0/5700", "30")  # this notification is answered with a Reset
        await dev.wait_output("< R 0.00")
        sent = len(_notes(dev))
        await dev.set("/3303/0/5700", "31")  # no observation left: nothing goes out
        await asyncio.sleep(0.3)
        assert len(_notes(dev)) == sent

    _rep(kind, "int302", body)


@both
def test_int_303_cancel_observation_with_observe_1(kind):
    async def body(server, dev):
        obs = await server.observe("int303", TEMP, accept="senml-json", timeout=TIMEOUT)
        r = await server.cancel(obs, timeout=TIMEOUT)
        assert r.code == 0x45 and r.values() == {TEMP: 21.0}
        await dev.set("/3303/0/5700", "30")
        await asyncio.sleep(0.3)
        assert _notes(dev) == []

    _rep(kind, "int303", body)


@both
def test_int_304_observe_composite(kind):
    async def body(server, dev):
        obs = await server.observe_composite("int304", ["/3303/0/5700", "/3/0/9"], fmt="senml-json",
                                             timeout=TIMEOUT)
        assert obs.active and obs.result.values() == {TEMP: 21.0, (3, 0, 9): 100}
        r = await server.write("int304", "/3303/0/5750", {(3303, 0, 5750): "x"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44 and await _quiet(obs, 0.3)  # not an observed path
        await dev.set("/3/0/9", "80")
        note = await obs.next(TIMEOUT)
        assert note.values() == {TEMP: 21.0, (3, 0, 9): 80}

    _rep(kind, "int304", body)


@both
def test_int_305_cancel_observe_composite(kind):
    async def body(server, dev):
        obs = await server.observe_composite("int305", ["/3303/0/5700"], fmt="senml-json", timeout=TIMEOUT)
        r = await server.cancel(obs, timeout=TIMEOUT)
        assert r.code == 0x45
        await dev.set("/3303/0/5700", "30")
        await asyncio.sleep(0.3)
        assert _notes(dev) == []

    _rep(kind, "int305", body)


@both
def test_int_308_309_observe_composite_with_create_and_delete(kind):
    async def body(server, dev):
        obs = await server.observe_composite("int308", ["/3303"], fmt="senml-json", timeout=TIMEOUT)
        r = await server.create("int308", "/3303", {(3303, 1, 5750): "new"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x41
        note = await obs.next(TIMEOUT)
        assert note.values()[(3303, 1, 5750)] == "new"
        r = await server.delete("int308", "/3303/1", timeout=TIMEOUT)
        assert r.code == 0x42
        note = await obs.next(TIMEOUT)
        assert (3303, 1, 5750) not in note.values() and TEMP in note.values()

    _rep(kind, "int308", body)


@both
def test_int_310_observe_composite_with_change(kind):
    async def body(server, dev):
        r = await server.write("int310", "/1/0/3", {(1, 0, 3): 60}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44  # a default pmax to observe
        obs = await server.observe_composite("int310", ["/1/0/1", "/1/0/3"], fmt="senml-cbor", timeout=TIMEOUT)
        assert set(obs.result.values()) == {(1, 0, 1), (1, 0, 3)}
        r = await server.write("int310", "/1/0/3", {(1, 0, 3): 77}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44
        note = await obs.next(TIMEOUT)  # one notification with every observed path
        assert note.values()[(1, 0, 3)] == 77 and note.values()[(1, 0, 1)] == 300

    _rep(kind, "int310", body)


@both
def test_int_306_send(kind):
    async def body(server, dev):
        code = await dev.send(["/3303/0/5700", "/3/0/9"])
        ev = await server.events.next("send", "int306", TIMEOUT)
        assert ev.format == 112 and dict(ev.records) == {TEMP: 21.0, (3, 0, 9): 100}
        assert code == 0x44

    _rep(kind, "int306", body)


@both
def test_int_307_muting_send(kind):
    async def body(server, dev):
        r = await server.write("int307", "/1/0/23", {(1, 0, 23): True}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44
        assert await dev.send(["/3303/0/5700"]) is None  # refused: muted
        assert "= error send /3303/0/5700: muted" in dev.output()
        await server.write("int307", "/1/0/23", {(1, 0, 23): False}, fmt="senml-json", timeout=TIMEOUT)
        assert await dev.send(["/3303/0/5700"]) == 0x44
        ev = await server.events.next("send", "int307", TIMEOUT)
        assert dict(ev.records) == {TEMP: 21.0}
        assert not server.events.pending("send", "int307")  # the muted one never went out

    _rep(kind, "int307", body)


@both
def test_int_311_send_command(kind):
    async def body(server, dev):
        await dev.set("/3303/0/5700", "23.5")
        code = await dev.send(["/3/0/0", "/3303/0", "/1/0/1"])
        ev = await server.events.next("send", "int311", TIMEOUT)
        records = dict(ev.records)
        assert records[(3, 0, 0)] == "lwm2m-micropython" and records[TEMP] == 23.5
        assert records[(3303, 0, 5701)] == "Cel" and records[(1, 0, 1)] == 300
        assert code == 0x44

    _rep(kind, "int311", body)


@both
def test_observed_instance_deleted_ends_the_observation_with_4_04(kind):
    async def body(server, dev):
        await dev.ok("create /3303/1 5700=5.0")
        obs = await server.observe("int-del", "/3303/1/5700", accept="senml-json", timeout=TIMEOUT)
        r = await server.delete("int-del", "/3303/1", timeout=TIMEOUT)
        assert r.code == 0x42
        note = await obs.next(TIMEOUT)
        assert note is None or note.code == 0x84

    _rep(kind, "int-del", body)
