"""CoAP over TCP (RFC 8323, the T binding): registration, a read, observe and
de-register over one TCP connection the device opened."""
import pytest
from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, FakeDevice, run

from host_sim.server import LwM2MServer


def test_device_over_tcp_registers_is_read_observed_and_deregisters():
    async def go():
        async with LwM2MServer(port=0, tcp=True) as server:
            async with FakeDevice("tcp1", server.port, tcp=True) as dev:
                res = dev.path(3303, 0, 5700)
                res.set(Code.CONTENT, 0, b"21.5")
                assert (await dev.register(extra=("lwm2m=1.1", "b=T"))).code == Code.CREATED
                reg = (await server.events.next("registered", "tcp1", TIMEOUT)).registration
                assert reg.binding == "T"
                result = await server.read("tcp1", "/3303/0/5700", "text", TIMEOUT)
                assert result.payload == b"21.5" and result.content == [((3303, 0, 5700), 21.5)]
                obs = await server.observe("tcp1", "/3303/0/5700", timeout=TIMEOUT)
                res.notify(0, b"22.0")
                assert (await obs.next(TIMEOUT)).payload == b"22.0"
                assert (await server.cancel(obs, timeout=TIMEOUT)).code == 0x45
                assert dev.last(Code.GET).opt.observe == 1
                assert (await dev.deregister()).code == Code.DELETED

    run(go())


def test_udp_still_works_on_a_tcp_server():
    async def go():
        async with LwM2MServer(port=0, tcp=True) as server:
            async with FakeDevice("udp1", server.port) as dev:
                assert (await dev.register()).code == Code.CREATED

    run(go())


def test_our_engine_over_the_firmware_tcp_link():
    pytest.importorskip("lwm2m.link.tcp")
    from lwm2m.link.tcp import TcpLink
    from test_server_firmware_coap import EngineDevice

    async def go():
        async with LwM2MServer(port=0, tcp=True) as server:
            with EngineDevice(server.port, TcpLink("127.0.0.1", server.port)) as dev:
                assert (await dev.register()).response.code == 0x41
                await server.events.next("registered", "engine", TIMEOUT)
                assert (await server.read("engine", "/3303/0/5700", "text", TIMEOUT)).payload == b"21.5"
                obs = await server.observe("engine", "/3303/0/5700", timeout=TIMEOUT)
                dev.notify(b"22.0")
                assert (await obs.next(TIMEOUT)).payload == b"22.0"

    run(go())
