"""OMA-ETS bootstrap cases (int-0, int-4, int-9 and the int-7 fallback) with the
firmware client in-process against the embedded server in bootstrap mode, then
registering with the LwM2M server the bootstrap server configured."""
import asyncio

from client_harness import TIMEOUT, run, demo_model, _drive
from host_sim.server import LwM2MServer
from host_sim.server.bootstrap import Bootstrap
from lwm2m.clock import SystemClock
from lwm2m.link.udp import UdpLink
from lwm2m.client.client import Client


def _script(dm_port, ssid=101):
    return [
        ("delete", "/"),
        ("write", "/0/1", {(0, 1, 0): "coap://127.0.0.1:%d" % dm_port, (0, 1, 1): False, (0, 1, 2): 3,
                           (0, 1, 10): ssid}),
        ("write", "/1/0", {(1, 0, 0): ssid, (1, 0, 1): 300, (1, 0, 6): False, (1, 0, 7): "U"}),
        ("discover", "/"),
    ]


async def _bootstrapped(ep, script, finish_ok=True):
    model = demo_model()
    async with LwM2MServer(port=0) as dm:
        async with LwM2MServer(port=0, bootstrap=Bootstrap({ep: script(dm.port)})) as bs:
            model.add(0, 0, {0: "coap://127.0.0.1:%d" % bs.port, 1: True, 2: 3})
            link = UdpLink("127.0.0.1", 0)
            client = Client(model, link, SystemClock(), {"ep": ep, "default_format": 110})
            stop = asyncio.Event()
            task = asyncio.ensure_future(_drive(client, stop, False))
            try:
                client.start()
                ev = await bs.events.next("bootstrap-finished", ep, TIMEOUT)
                if finish_ok:
                    assert ev.ok, ev.results
                    reg = (await dm.events.next("registered", ep, TIMEOUT)).registration
                    return ev, reg, model
                return ev, None, model
            finally:
                stop.set()
                await task
                link.close()


def test_int_0_client_initiated_bootstrap():
    async def go():
        ev, reg, model = await _bootstrapped("int0", _script)
        discover = [r for step, r in ev.results if step[0] == "discover"][0]
        links = dict(discover.content)
        assert links["/"] == [("lwm2m", "1.1")] and ("ssid", "101") in links["/0/1"]
        assert reg.lifetime == 300 and reg.objects[3]["instances"] == [0]
        assert model.instances(0) == [0, 1]  # the bootstrap account survived the Delete (int-4)

    run(go())


def test_int_9_bootstrap_configuration_inconsistent_finish_is_4_06():
    def broken(dm_port):
        return [("delete", "/"), ("write", "/1/0", {(1, 0, 0): 5, (1, 0, 1): 300, (1, 0, 6): False,
                                                     (1, 0, 7): "U"})]

    async def go():
        ev, reg, model = await _bootstrapped("int9", broken, finish_ok=False)
        assert not ev.ok and ev.results[-1][1].code == 0x86

    run(go())
