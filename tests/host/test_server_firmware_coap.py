"""The server against our own CoAP engine (firmware/lwm2m/coap) on a real UDP
socket playing the device: tokens, Observe numbers, cancel by Observe=1 and by
RST as the engine sees them."""
import asyncio
import collections

import pytest
from fake_device import TIMEOUT, PollThread, run

from host_sim.server import LwM2MServer

pytest.importorskip("lwm2m.coap.endpoint")

from lwm2m.clock import SystemClock  # noqa: E402
from lwm2m.coap.endpoint import Endpoint  # noqa: E402
from lwm2m.coap.message import CONTENT, GET, POST, Message  # noqa: E402
from lwm2m.link.udp import UdpLink  # noqa: E402

LINKS = b'</>;rt="oma.lwm2m",</3/0>,</3303/0>'


def text(value):
    msg = Message(CONTENT, payload=value)
    msg.set_option(12, b"")  # Content-Format 0 (text/plain), an empty uint
    return msg


class EngineDevice(PollThread):
    """The firmware Endpoint answering from its own thread."""

    def __init__(self, server_port, link=None):
        self.peer = ("127.0.0.1", server_port)
        self.link = link or UdpLink("127.0.0.1", 0)
        self.ep = Endpoint(self.link, SystemClock(), handler=self.handle)
        self.values = {("3303", "0", "5700"): b"21.5"}
        self.cancelled = collections.deque()
        self.ep.on_cancel = lambda obs, why: self.cancelled.append(why)
        PollThread.__init__(self, self.ep.poll)

    def handle(self, request, peer):
        value = self.values.get(tuple(request.uri_path()))
        if request.code != GET or value is None:
            return Message(0x84)
        return text(value)

    def __exit__(self, *exc):
        PollThread.__exit__(self)
        self.link.close()

    async def register(self):
        done = []

        def send():
            msg = Message(POST, payload=LINKS)
            msg.set_uri_path("rd")
            for q in ("ep=engine", "lt=60", "lwm2m=1.1", "b=U"):
                msg.add_query(q)
            msg.set_option(12, b"\x28")  # link-format
            done.append(self.ep.request(msg, self.peer))

        self.call(send)
        for _ in range(int(TIMEOUT / 0.01)):
            if done and done[0].done:
                return done[0]
            await asyncio.sleep(0.01)
        raise AssertionError("no answer to Register")

    def notify(self, value):
        def send():
            self.values[("3303", "0", "5700")] = value
            for obs in list(self.ep.observations):
                self.ep.notify(obs, text(value))

        self.call(send)


async def until(predicate):
    for _ in range(int(TIMEOUT / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def test_engine_device_registers_is_read_observed_and_cancelled():
    async def go():
        async with LwM2MServer(port=0) as server:
            with EngineDevice(server.port) as dev:
                ex = await dev.register()
                assert ex.response.code == 0x41 and ex.response.location_path()[0] == "rd"
                await server.events.next("registered", "engine", TIMEOUT)
                result = await server.read("engine", "/3303/0/5700", "text", TIMEOUT)
                assert result.code == 0x45 and result.content == [((3303, 0, 5700), 21.5)]
                obs = await server.observe("engine", "/3303/0/5700", timeout=TIMEOUT)
                assert obs.active and obs.result.payload == b"21.5"
                dev.notify(b"22.0")
                assert (await obs.next(TIMEOUT)).content == [((3303, 0, 5700), 22.0)]
                await server.cancel(obs, timeout=TIMEOUT)
                await until(lambda: dev.cancelled)
                assert dev.cancelled.popleft() == "deregister"  # the engine matched our token

                obs = await server.observe("engine", "/3303/0/5700", timeout=TIMEOUT)
                await server.cancel(obs, reset=True)
                dev.notify(b"23.0")
                await until(lambda: dev.cancelled)
                assert dev.cancelled.popleft() == "reset"

    run(go())


def test_a_notification_from_a_new_address_moves_the_device():
    async def go():
        async with LwM2MServer(port=0) as server:
            with EngineDevice(server.port) as dev:
                await dev.register()
                await server.events.next("registered", "engine", TIMEOUT)
                obs = await server.observe("engine", "/3303/0/5700", timeout=TIMEOUT)
                old = server.registration("engine").address
                new_link = UdpLink("127.0.0.1", 0)

                def rebind():  # the NAT gives the device a new public port
                    dev.link.close()
                    dev.link = dev.ep.link = new_link

                dev.call(rebind)
                dev.notify(b"22.0")
                assert (await obs.next(TIMEOUT)).payload == b"22.0"
                ev = await server.events.next("moved", "engine", TIMEOUT)
                assert ev.old == old and ev.registration.address != old
                assert not dev.cancelled  # no RST went to the device
                result = await server.read("engine", "/3303/0/5700", "text", TIMEOUT)
                assert result.payload == b"22.0"  # requests follow it
                dev.notify(b"23.0")
                assert (await obs.next(TIMEOUT)).payload == b"23.0"

    run(go())
