# asyncio and aiocoap on virtual time, against the firmware's Endpoint on the
# simulated network (what the embedded server needs to join `make sim`).
import asyncio

import aiocoap
import aiocoap.resource as resource
from lwm2m.coap import message as m

from host_sim.aio import VirtualTimeLoop, sim_context
from host_sim.endpoints import coap_endpoint
from host_sim.network import Network
from host_sim.scheduler import Simulator


class Hello(resource.Resource):
    def __init__(self):
        super().__init__()
        self.calls = 0

    async def render_get(self, request):
        self.calls += 1
        return aiocoap.Message(code=aiocoap.CONTENT, payload=b"hello from aiocoap")


def world(seed=1, loss=0.0):
    sim = Simulator()
    net = Network(sim, seed=seed, delay_ms=40, jitter_ms=10)
    net.both("server", "device", loss=loss)
    loop = VirtualTimeLoop(sim)
    return sim, net, loop


def firmware_server(net):
    def handler(request, peer):
        return m.Message(m.CONTENT, payload=b"hello from firmware")

    return coap_endpoint(net, "device", 5683, handler=handler)


def run(loop, coro):
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def aiocoap_client_gets(seed, loss, n):
    sim, net, loop = world(seed, loss)
    device = firmware_server(net)

    async def main():
        ctx = await sim_context(net.node("server").port(5683))
        codes = []
        for _ in range(n):
            req = aiocoap.Message(code=aiocoap.GET, uri="coap://%s/x" % device.link.address[0])
            resp = await ctx.request(req).response
            codes.append((resp.code, resp.payload))
        await ctx.shutdown()
        return codes

    return run(loop, main()), sim, net


def test_aiocoap_client_to_firmware_endpoint_through_30_percent_loss():
    codes, sim, net = aiocoap_client_gets(1, 0.3, 20)
    assert codes == [(aiocoap.CONTENT, b"hello from firmware")] * 20
    assert net.nodes["server"].counters.lost + net.nodes["device"].counters.lost > 0
    assert "[AGAIN]" in net.trace.text()  # aiocoap retransmitted, on virtual time


def test_firmware_client_to_aiocoap_site():
    sim, net, loop = world(loss=0.3)
    hello = Hello()
    site = resource.Site()
    site.add_resource(["hello"], hello)
    client = coap_endpoint(net, "device", params=None)

    async def main():
        await sim_context(net.node("server").port(5683), site)
        exchanges = []
        for _ in range(10):
            msg = m.Message(m.GET).set_uri_path("/hello")
            exchanges.append(client.request(msg, net.nodes["server"].ports[5683].address))
        while not all(ex.done for ex in exchanges):
            await asyncio.sleep(0.1)
        return exchanges

    exchanges = run(loop, main())
    assert [bytes(ex.response.payload) for ex in exchanges if ex.response] == [b"hello from aiocoap"] * 10
    assert hello.calls == 10  # aiocoap's duplicate detection held too


def test_asyncio_sleep_is_virtual():
    sim, net, loop = world()

    async def main():
        await asyncio.sleep(24 * 3600)
        return loop.time()

    assert run(loop, main()) == 24 * 3600
    assert sim.now_ms == 24 * 3600 * 1000


def test_same_seed_same_trace_with_aiocoap():
    first = aiocoap_client_gets(4, 0.3, 10)[2].trace.text()
    second = aiocoap_client_gets(4, 0.3, 10)[2].trace.text()
    assert first == second


def test_waiting_on_nothing_is_reported_not_hung():
    sim, net, loop = world()

    async def main():
        await loop.create_future()

    try:
        run(loop, main())
    except RuntimeError as e:
        assert "waits forever" in str(e)
        return
    raise AssertionError("a coroutine waiting on nothing did not fail")
