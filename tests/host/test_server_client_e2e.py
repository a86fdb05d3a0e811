"""The server against the real firmware LwM2M client over loopback UDP: the
interop path `make sim` and the OMA tests take (skips until lwm2m.client lands)."""
import pytest
from fake_device import TIMEOUT, PollThread, run

from host_sim.server import LwM2MServer

pytest.importorskip("lwm2m.client.client")

from lwm2m.client.client import Client  # noqa: E402
from lwm2m.clock import SystemClock  # noqa: E402
from lwm2m.link.udp import UdpLink  # noqa: E402
from lwm2m.model import Model  # noqa: E402


class Device(PollThread):
    """The client's main loop in a thread; model changes go through call()."""

    def __init__(self, port):
        self.model = m = Model()
        m.add(0, 0, {0: "coap://127.0.0.1:%d" % port, 1: False, 2: 3, 10: 101})
        m.add(1, 0, {0: 101, 1: 300, 6: False, 7: "U"})
        m.add(3, 0, {0: "ACME", 9: 90, 16: "U"})
        m.add(3303, 0, {5700: 21.5, 5701: "Cel"})
        self.client = Client(m, UdpLink("127.0.0.1", 0), SystemClock(), {"ep": "e2e"})
        PollThread.__init__(self, self.client.poll, first=self.client.start)


def test_real_client_registers_is_managed_observed_and_deregisters():
    async def go():
        async with LwM2MServer(port=0, timeout=TIMEOUT) as server:
            with Device(server.port) as dev:
                reg = (await server.events.next("registered", "e2e", TIMEOUT)).registration
                assert reg.version == "1.1" and 3303 in reg.objects and 0 not in reg.objects
                for fmt in ("senml-cbor", "senml-json", "tlv", "lwm2m-cbor"):
                    result = await server.read("e2e", "/3/0/0", fmt)
                    assert result.code == 0x45 and result.content == [((3, 0, 0), "ACME")], fmt
                assert (await server.read("e2e", "/0/0")).code == 0x81  # int-221
                assert (await server.write("e2e", "/1/0/1", {(1, 0, 1): 120}, fmt="text")).code == 0x44
                await server.events.next("updated", "e2e", TIMEOUT)
                obs = await server.observe("e2e", "/3303/0/5700", "senml-cbor")
                assert obs.active and obs.result.values() == {(3303, 0, 5700): 21.5}
                dev.call(lambda: dev.model.set((3303, 0, 5700), 30.5))
                assert (await obs.next(TIMEOUT)).values() == {(3303, 0, 5700): 30.5}
                assert (await server.cancel(obs)).code == 0x45
                dev.call(dev.client.stop)
                await server.events.next("deregistered", "e2e", TIMEOUT)

    run(go(), 30)
