"""Observe, notifications and their cancellation (int-301..305 from the server side)."""
import asyncio

from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, run, server_and_device

T1 = b"21.5"
T2 = b"22.0"


def test_observe_sends_observe_0_and_delivers_notifications():
    async def go():
        async with server_and_device("o1", paths=[(3303, 0, 5700)]) as (server, dev):
            res = dev.path(3303, 0, 5700)
            res.set(Code.CONTENT, 0, T1)
            obs = await server.observe("o1", "/3303/0/5700", accept="text", timeout=TIMEOUT)
            req = dev.last(Code.GET)
            assert req.opt.observe == 0 and int(req.opt.accept) == 0
            assert obs.active and obs.result.code == 0x45 and obs.result.payload == T1
            res.notify(0, T2)
            note = await obs.next(TIMEOUT)
            assert note.payload == T2 and note.observe is not None
            ev = await server.events.next("notification", "o1", TIMEOUT)
            assert ev.path == (3303, 0, 5700) and ev.result.payload == T2 and ev.observation is obs
            assert server.observations("o1") == [obs]

    run(go())


def test_observe_of_an_unobservable_path_is_not_active():
    async def go():
        async with server_and_device("o2", paths=[(3, 0, 0)]) as (server, dev):
            dev.path(3, 0, 0).set(Code.NOT_FOUND)
            obs = await server.observe("o2", "/3/0/0", timeout=TIMEOUT)
            assert not obs.active and obs.result.code == 0x84
            assert server.observations("o2") == []

    run(go())


def test_cancel_sends_get_observe_1_with_the_same_token():
    async def go():
        async with server_and_device("o3", paths=[(3303, 0, 5700)]) as (server, dev):
            res = dev.path(3303, 0, 5700)
            res.set(Code.CONTENT, 0, T1)
            obs = await server.observe("o3", "/3303/0/5700", timeout=TIMEOUT)
            token = dev.last(Code.GET).token
            result = await server.cancel(obs, timeout=TIMEOUT)
            req = dev.last(Code.GET)
            assert req.opt.observe == 1 and req.token == token and req.opt.uri_path == ("3303", "0", "5700")
            assert result.code == 0x45 and not obs.active
            assert server.observations("o3") == []
            assert len(res._observations) == 0  # the device dropped it
            res.notify(0, T2)
            assert await obs.next(TIMEOUT) is None  # ended, nothing more

    run(go())


def test_cancel_by_reset_answers_the_next_notification_with_rst():
    async def go():
        async with server_and_device("o4", paths=[(3303, 0, 5700)]) as (server, dev):
            res = dev.path(3303, 0, 5700)
            res.set(Code.CONTENT, 0, T1)
            obs = await server.observe("o4", "/3303/0/5700", timeout=TIMEOUT)
            assert len(res._observations) == 1
            assert await server.cancel(obs, reset=True) is None
            res.notify(0, T2)
            for _ in range(50):  # the device sees the RST and drops the observation
                if not res._observations:
                    break
                await asyncio.sleep(0.05)
            assert len(res._observations) == 0
            assert [r for r in dev.requests if r.opt.observe == 1] == []  # no GET Observe=1 was sent
            assert server.events.pending("notification") == []

    run(go())


def test_observe_composite_is_fetch_observe_0_and_cancels_with_fetch_observe_1():
    async def go():
        async with server_and_device("o5", paths=[()]) as (server, dev):
            root = dev.path()
            senml = b'[{"n":"/3303/0/5700","v":21.5}]'
            root.set(Code.CONTENT, 110, senml)
            paths = b'[{"n":"/3303/0/5700"}]'
            obs = await server.observe_composite("o5", ["/3303/0/5700"], fmt="senml-json", payload=paths,
                                                 timeout=TIMEOUT)
            req = dev.last(Code.FETCH)
            assert req.opt.observe == 0 and req.payload == paths and int(req.opt.content_format) == 110
            assert obs.active and obs.paths == [(3303, 0, 5700)]
            root.notify(110, b'[{"n":"/3303/0/5700","v":22.0}]')
            assert (await obs.next(TIMEOUT)).payload == b'[{"n":"/3303/0/5700","v":22.0}]'
            token = req.token
            await server.cancel(obs, timeout=TIMEOUT)
            req = dev.last(Code.FETCH)
            assert req.opt.observe == 1 and req.token == token and req.payload == paths

    run(go())


def test_deregister_ends_observations():
    async def go():
        async with server_and_device("o6", paths=[(3303, 0, 5700)]) as (server, dev):
            dev.path(3303, 0, 5700).set(Code.CONTENT, 0, T1)
            obs = await server.observe("o6", "/3303/0/5700", timeout=TIMEOUT)
            await dev.deregister()
            await server.events.next("deregistered", "o6", TIMEOUT)
            assert not obs.active and await obs.next(TIMEOUT) is None

    run(go())
