"""OMA-ETS-LightweightM2M-V1_1 information reporting cases (int-301..311),
the firmware client in-process against the embedded server over UDP loopback."""
import asyncio

from client_harness import TIMEOUT, run, server_and_client

TEMP = (3303, 0, 5700)


def _rep(ep, body, **kw):
    async def go():
        async with server_and_client(ep, **kw) as (server, client, model):
            await body(server, client, model)

    run(go())


async def _quiet(obs, seconds):
    """True if no notification comes within seconds."""
    try:
        await obs.next(seconds)
    except asyncio.TimeoutError:
        return True
    return False


def test_int_301_observation_and_notification_of_parameter_values():
    async def body(server, client, model):
        await server.write_attributes("int301", TEMP, {"pmax": 2}, timeout=TIMEOUT)
        obs = await server.observe("int301", TEMP, accept="senml-json", timeout=TIMEOUT)
        assert obs.active and obs.result.values() == {TEMP: 21.5}
        model.set(TEMP, 22.5)
        note = await obs.next(TIMEOUT)
        assert note.code == 0x45 and note.values() == {TEMP: 22.5}
        note = await obs.next(3.5)  # pmax forces one without a change
        assert note.values() == {TEMP: 22.5}

    _rep("int301", body)


def test_int_302_cancel_observation_with_reset():
    async def body(server, client, model):
        # confirmable notifications (1.2 con=1): the server's Reset ends them
        await server.write_attributes("int302", TEMP, {"con": 1}, timeout=TIMEOUT)
        obs = await server.observe("int302", TEMP, accept="senml-json", timeout=TIMEOUT)
        assert client.reporter.observations
        await server.cancel(obs, reset=True)
        model.set(TEMP, 30.0)  # this notification is answered with a Reset
        for _ in range(200):
            if not client.reporter.observations:
                break
            await asyncio.sleep(0.01)
        assert not client.reporter.observations

    _rep("int302", body)


def test_int_303_cancel_observation_with_observe_1():
    async def body(server, client, model):
        obs = await server.observe("int303", TEMP, accept="senml-json", timeout=TIMEOUT)
        r = await server.cancel(obs, timeout=TIMEOUT)
        assert r.code == 0x45 and r.values() == {TEMP: 21.5}
        assert not client.reporter.observations

    _rep("int303", body)


def test_int_304_observe_composite_and_310_change():
    async def body(server, client, model):
        obs = await server.observe_composite("int304", ["/3303/0/5700", "/3/0/9"], fmt="senml-json",
                                             timeout=TIMEOUT)
        assert obs.active and obs.result.values() == {TEMP: 21.5, (3, 0, 9): 100}
        r = await server.write("int304", "/3303/0/5750", {(3303, 0, 5750): "x"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44 and await _quiet(obs, 0.3)  # not an observed path
        model.set((3, 0, 9), 80)
        note = await obs.next(TIMEOUT)
        assert note.values() == {TEMP: 21.5, (3, 0, 9): 80}

    _rep("int304", body)


def test_int_305_cancel_observe_composite():
    async def body(server, client, model):
        obs = await server.observe_composite("int305", ["/3303/0/5700"], fmt="senml-json", timeout=TIMEOUT)
        r = await server.cancel(obs, timeout=TIMEOUT)
        assert r.code == 0x45 and not client.reporter.observations

    _rep("int305", body)


def test_int_308_309_observe_composite_with_create_and_delete():
    async def body(server, client, model):
        obs = await server.observe_composite("int308", ["/3303"], fmt="senml-json", timeout=TIMEOUT)
        r = await server.create("int308", "/3303", {(3303, 1, 5750): "new"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x41
        note = await obs.next(TIMEOUT)
        assert note.values()[(3303, 1, 5750)] == "new"
        r = await server.delete("int308", "/3303/1", timeout=TIMEOUT)
        assert r.code == 0x42
        note = await obs.next(TIMEOUT)
        assert (3303, 1, 5750) not in note.values() and TEMP in note.values()

    _rep("int308", body)


def test_int_306_send_and_311_send_command():
    async def body(server, client, model):
        ex = client.send([TEMP, (3, 0, 9)])
        ev = await server.events.next("send", "int306", TIMEOUT)
        assert ev.format == 112 and dict(ev.records) == {TEMP: 21.5, (3, 0, 9): 100}
        for _ in range(100):
            if ex.done:
                break
            await asyncio.sleep(0.01)
        assert ex.response.code == 0x44

    _rep("int306", body)


def test_int_307_muting_send():
    async def body(server, client, model):
        r = await server.write("int307", "/1/0/23", {(1, 0, 23): True}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44
        assert client.send([TEMP]) is None
        await server.write("int307", "/1/0/23", {(1, 0, 23): False}, fmt="senml-json", timeout=TIMEOUT)
        assert client.send([TEMP]) is not None
        await server.events.next("send", "int307", TIMEOUT)

    _rep("int307", body)


def test_observed_instance_deleted_ends_the_observation_with_4_04():
    async def body(server, client, model):
        model.add(3303, 1, {5700: 5.0})
        obs = await server.observe("int-del", "/3303/1/5700", accept="senml-json", timeout=TIMEOUT)
        r = await server.delete("int-del", "/3303/1", timeout=TIMEOUT)
        assert r.code == 0x42
        note = await obs.next(TIMEOUT)
        assert note is None or note.code == 0x84
        assert not client.reporter.observations

    _rep("int-del", body)
