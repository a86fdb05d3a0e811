"""Queue mode (int-108/109 from the server side): requests to a sleeping device
wait until it speaks, then go out in order."""
import asyncio

from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, run, server_and_device

QUEUE = ("lwm2m=1.1", "b=U", "Q")


def test_requests_wait_while_the_device_sleeps_and_go_out_in_order_when_it_updates():
    async def go():
        async with server_and_device("q1", paths=[(3, 0, 0), (3, 0, 1)], extra=QUEUE, awake_time=0.2) as (server, dev):
            dev.path(3, 0, 0).set(Code.CONTENT, 0, b"maker")
            dev.path(3, 0, 1).set(Code.CONTENT, 0, b"model")
            await asyncio.sleep(0.3)  # the awake time after Register is over
            first = asyncio.ensure_future(server.read("q1", "/3/0/0", timeout=TIMEOUT))
            second = asyncio.ensure_future(server.read("q1", "/3/0/1", timeout=TIMEOUT))
            await asyncio.sleep(0.3)
            assert not first.done() and not second.done()
            assert [r for r in dev.requests if r.code == Code.GET] == []
            assert server.outbox("q1").pending() == 2
            assert (await dev.update()).code == Code.CHANGED
            assert (await first).payload == b"maker"
            assert (await second).payload == b"model"
            gets = [r.opt.uri_path for r in dev.requests if r.code == Code.GET]
            assert gets == [("3", "0", "0"), ("3", "0", "1")]

    run(go())


def test_any_message_from_the_device_wakes_its_queue():
    async def go():
        async with server_and_device("q2", paths=[(3, 0, 0)], extra=QUEUE, awake_time=0.2) as (server, dev):
            dev.path(3, 0, 0).set(Code.CONTENT, 0, b"maker")
            await asyncio.sleep(0.3)
            pending = asyncio.ensure_future(server.read("q2", "/3/0/0", timeout=TIMEOUT))
            await asyncio.sleep(0.2)
            assert not pending.done()
            assert (await dev.post("dp", payload=b"[]", fmt=110)).code == Code.CHANGED
            assert (await pending).payload == b"maker"

    run(go())


def test_requests_go_at_once_while_the_device_is_awake():
    async def go():
        async with server_and_device("q3", paths=[(3, 0, 0)], extra=QUEUE, awake_time=5) as (server, dev):
            dev.path(3, 0, 0).set(Code.CONTENT, 0, b"maker")
            assert (await server.read("q3", "/3/0/0", timeout=1.0)).payload == b"maker"

    run(go())


def test_a_queued_request_that_times_out_is_never_sent():
    async def go():
        async with server_and_device("q4", paths=[(3, 0, 0)], extra=QUEUE, awake_time=0.1) as (server, dev):
            await asyncio.sleep(0.2)
            try:
                await server.read("q4", "/3/0/0", timeout=0.2)
                raise AssertionError("no TimeoutError")
            except asyncio.TimeoutError:
                pass
            await dev.update()
            await asyncio.sleep(0.2)
            assert [r for r in dev.requests if r.code == Code.GET] == []
            assert server.outbox("q4").pending() == 0

    run(go())


def test_deregister_fails_what_is_still_queued():
    async def go():
        async with server_and_device("q5", paths=[(3, 0, 0)], extra=QUEUE, awake_time=0.1) as (server, dev):
            await asyncio.sleep(0.2)
            pending = asyncio.ensure_future(server.read("q5", "/3/0/0", timeout=TIMEOUT))
            await asyncio.sleep(0.05)
            await dev.deregister()
            try:
                await pending
                raise AssertionError("no ConnectionError")
            except ConnectionError:
                pass

    run(go())
