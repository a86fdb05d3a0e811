"""DTLS 1.2 PSK in front of the server (int-401 from the server side), with our
firmware DtlsLink and CoAP engine as the device."""
import pytest
from fake_device import TIMEOUT, run

pytest.importorskip("mbedtls")
pytest.importorskip("lwm2m.link.dtls")

from lwm2m.link.dtls import DtlsError, DtlsLink  # noqa: E402
from lwm2m.link.udp import UdpLink  # noqa: E402
from test_server_firmware_coap import EngineDevice  # noqa: E402

from host_sim.server import LwM2MServer  # noqa: E402

KEY = bytes(range(16))


def dtls_link(port, identity="engine-id", key=KEY, timeout_ms=3000):
    return DtlsLink(UdpLink("127.0.0.1", 0), ("127.0.0.1", port), identity, key, handshake_timeout_ms=timeout_ms,
                    handshake_attempts=1)


def test_device_registers_over_dtls_psk_and_is_read_through_it():
    async def go():
        async with LwM2MServer(port=0, psk={"engine-id": KEY}, dtls_port=0) as server:
            assert server.dtls_port != server.port
            with EngineDevice(server.dtls_port, dtls_link(server.dtls_port)) as dev:
                ex = await dev.register()
                assert ex.response.code == 0x41
                reg = (await server.events.next("registered", "engine", TIMEOUT)).registration
                assert reg.identity == "engine-id" and dev.link.cipher
                result = await server.read("engine", "/3303/0/5700", "text", TIMEOUT)
                assert result.code == 0x45 and result.payload == b"21.5"
                obs = await server.observe("engine", "/3303/0/5700", timeout=TIMEOUT)
                dev.notify(b"22.0")
                assert (await obs.next(TIMEOUT)).payload == b"22.0"
                assert len(server.dtls.sessions) == 1

    run(go())


def test_wrong_key_is_refused_and_registers_nothing():
    async def go():
        async with LwM2MServer(port=0, psk={"engine-id": KEY}, dtls_port=0) as server:
            link = dtls_link(server.dtls_port, key=b"\xff" * 16, timeout_ms=1000)
            loop = __import__("asyncio").get_running_loop()
            try:
                await loop.run_in_executor(None, link.connect)
                raise AssertionError("handshake with a wrong key succeeded")
            except DtlsError as e:
                assert e.args[0] in (111, 110)  # no answer: mbedTLS drops the bad Finished without an alert
            finally:
                link.close()
            assert server.registrations() == [] and server.dtls.sessions == {}

    run(go())


def test_plain_coap_still_works_next_to_dtls():
    async def go():
        async with LwM2MServer(port=0, psk={"engine-id": KEY}, dtls_port=0) as server:
            with EngineDevice(server.port) as dev:
                assert (await dev.register()).response.code == 0x41
                reg = (await server.events.next("registered", "engine", TIMEOUT)).registration
                assert reg.identity is None

    run(go())


def test_a_new_handshake_from_the_device_replaces_its_session():
    async def go():
        async with LwM2MServer(port=0, psk={"engine-id": KEY}, dtls_port=0) as server:
            with EngineDevice(server.dtls_port, dtls_link(server.dtls_port)) as dev:
                await dev.register()
                first = (await server.events.next("registered", "engine", TIMEOUT)).registration.address
                dev.call(dev.link.connect)  # the device lost its session: a new handshake, same port
                await dev.register()
                reg = (await server.events.next("registered", "engine", TIMEOUT)).registration
                assert reg.address != first and reg.identity == "engine-id"
                assert len(server.dtls.sessions) == 1
                assert (await server.read("engine", "/3303/0/5700", "text", TIMEOUT)).payload == b"21.5"

    run(go())
