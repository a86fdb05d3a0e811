"""OMA bootstrap cases (int-0, 4, 5, 9) against the embedded server in bootstrap mode (one
server plays the bootstrap server and the LwM2M server), each with lwm2m.main's device
in-process on CPython and as a micropython process (tests/host/int_device.py), started with
--bootstrap: its only account is the bootstrap server's. test_int_bootstrap.py has more
in-process checks of the client's state."""
import asyncio

from client_harness import TIMEOUT, run
from int_device import both, server_and_device

from host_sim.server.bootstrap import Bootstrap, script_for


def _bootstrapping(kind, ep, script, body, finish=True):
    bs = Bootstrap({}, finish=finish)

    def setup(server):
        bs.scripts[ep] = script(server.port)

    async def go():
        async with server_and_device(kind, ep, args=["--bootstrap"], server_settings={"bootstrap": bs},
                                     register=False, setup=setup) as (server, dev):
            await body(server, dev)

    run(go())


def _uri(port):
    return "coap://127.0.0.1:%d" % port


@both
def test_int_0_client_initiated_bootstrap(kind):
    async def body(server, dev):
        await server.events.next("bootstrap-request", "bs0", TIMEOUT)
        ev = await server.events.next("bootstrap-finished", "bs0", TIMEOUT)
        assert ev.ok, ev.results
        await server.events.next("registered", "bs0", TIMEOUT)
        r = await server.read("bs0", "/1/0/1", accept="senml-json", timeout=TIMEOUT)
        assert r.values() == {(1, 0, 1): 120}

    _bootstrapping(kind, "bs0", lambda port: script_for(_uri(port), lifetime=120), body)


@both
def test_int_4_bootstrap_delete_spares_the_bootstrap_account_and_device(kind):
    async def body(server, dev):
        ev = await server.events.next("bootstrap-finished", "bs4", TIMEOUT)
        discovered = [path for path, _ in ev.results[1][1].content]
        assert "/0/0" in discovered and "/3/0" in discovered  # the bootstrap account, Device
        assert not [p for p in discovered if p.startswith(("/1/", "/3303/", "/6/"))]

    _bootstrapping(kind, "bs4", lambda port: [("delete", "/"), ("discover", "/")], body)


@both
def test_int_5_server_initiated_bootstrap(kind):
    async def body(server, dev):
        await server.events.next("registered", "bs5", TIMEOUT)
        await dev.wait_output(" 2.01 ")
        server.events.clear()
        # The server may see the De-register before it has matched the 2.04 to its Execute,
        # so the order is checked on the device's trace of the wire.
        execute = asyncio.ensure_future(server.execute("bs5", "/1/0/9"))
        await server.events.next("deregistered", "bs5", TIMEOUT)
        await server.events.next("bootstrap-request", "bs5", TIMEOUT)
        ev = await server.events.next("bootstrap-finished", "bs5", TIMEOUT)
        assert ev.ok, ev.results
        await server.events.next("registered", "bs5", TIMEOUT)
        out = dev.output()
        executed = out.index("> A 2.04", out.index("< C POST mid"))
        assert executed < out.index("> C DELETE", executed) < out.rindex("> C POST mid")
        execute.cancel()

    _bootstrapping(kind, "bs5", lambda port: script_for(_uri(port)), body)


@both
def test_int_9_inconsistent_configuration_is_refused_with_4_06(kind):
    def script(port):
        # a Security instance whose Server instance never comes
        return [("write", "/0/1", {0: _uri(port), 1: False, 2: 3, 10: 55})]

    async def body(server, dev):
        ev = await server.events.next("bootstrap-finished", "bs9", TIMEOUT)
        assert not ev.ok and ev.results[-1][1].code == 0x86  # Not Acceptable
        assert server.registration("bs9") is None

    _bootstrapping(kind, "bs9", script, body)
