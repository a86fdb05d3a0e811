# The embedded LwM2M server (host_sim/server, aiocoap) on the simulated network
# and virtual time, with a firmware CoAP Endpoint playing a minimal device.
import asyncio

from lwm2m.coap import message as m

from host_sim.aio import run_virtual
from host_sim.endpoints import coap_endpoint
from host_sim.network import Nat, Network
from host_sim.scheduler import Simulator
from host_sim.simserver import SimServer


def world():
    sim = Simulator()
    net = Network(sim, seed=1, delay_ms=300, jitter_ms=100)
    net.both("server", "device", loss=0.2)
    net.node("device", nat=Nat(idle_ms=60000))
    port = net.node("server").port(5683)

    def device(request, peer):
        if request.uri_path() == ["3", "0", "0"]:
            return m.Message(m.CONTENT, payload=b"ACME").add_option(m.CONTENT_FORMAT, 0)
        return m.Message(0x84)

    return sim, net, SimServer(port), coap_endpoint(net, "device", handler=device), port.address


def register(endpoint, server_address, lifetime):
    msg = m.Message(m.POST, payload=b"</1/0>,</3/0>").set_uri_path("/rd")
    msg.add_query("ep=dev1")
    msg.add_query("lt=%d" % lifetime)
    msg.add_option(m.CONTENT_FORMAT, 40)
    return endpoint.request(msg, server_address)


async def done(ex):
    while not ex.done:
        await asyncio.sleep(0.05)
    return ex


def run(sim, coro_fn):
    return run_virtual(sim, coro_fn())


def test_device_registers_and_is_read_through_loss_and_nat():
    sim, net, server, device, address = world()

    async def main():
        await server.start()
        ex = await done(register(device, address, 300))
        result = await server.read("dev1", "/3/0/0")
        await server.stop()
        return ex, result

    ex, result = run(sim, main)
    assert ex.error is None and ex.response.code == m.CREATED
    assert ex.response.location_path()[0] == "rd"
    assert "ACME" in repr(result)
    assert "[AGAIN]" in net.trace.text() or "[LOST]" not in net.trace.text()


def test_registration_expires_after_its_lifetime_in_virtual_time():
    sim, net, server, device, address = world()

    async def main():
        await server.start()
        await done(register(device, address, 60))
        await asyncio.sleep(120)
        gone = server.registration("dev1") is None
        await server.stop()
        return gone

    assert run(sim, main)
