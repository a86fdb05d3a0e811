"""OMA bootstrap cases (int-0, 4, 5, 6, 7, 9) with the client in-process on
CPython over real UDP loopback, against the embedded server in bootstrap mode
(one server plays the bootstrap server and the LwM2M server)."""
import asyncio
import contextlib

from client_harness import TIMEOUT, _drive, demo_model, run

from host_sim.server import LwM2MServer
from host_sim.server.bootstrap import Bootstrap
from lwm2m.clock import SystemClock
from lwm2m.coap.message import decode
from lwm2m.coap.params import Params
from lwm2m.client.client import Client
from lwm2m.link.udp import UdpLink


def lwm2m_account(port, ssid=101, lifetime=300):
    uri = "coap://127.0.0.1:%d" % port
    return [("write", "/0/1", {0: uri, 1: False, 2: 3, 10: ssid}),
            ("write", "/1/0", {0: ssid, 1: lifetime, 7: "U"})]


@contextlib.asynccontextmanager
async def bootstrapping(ep, script, model=None, finish=True, params=None):
    """A device whose only account is the bootstrap server's (factory bootstrap)."""
    model = model or demo_model()
    box = {}

    def script_for(port):
        return script(port) if callable(script) else script

    bs = Bootstrap({}, finish=finish)
    async with LwM2MServer(port=0, type_of=model.type_of, bootstrap=bs) as server:
        bs.scripts[ep] = script_for(server.port)
        if not any(model.get((0, i, 1), False) for i in model.instances(0)):
            model.add(0, 0, {0: "coap://127.0.0.1:%d" % server.port, 1: True, 2: 3, 11: 0, 12: 30})
        link = UdpLink("127.0.0.1", 0)
        trace = []
        client = Client(model, link, SystemClock(), {"ep": ep, "pct": 112, "params": params}, trace=trace.append)
        client.log = trace
        stop = asyncio.Event()
        task = asyncio.ensure_future(_drive(client, stop))
        box.update(server=server, client=client, model=model, trace=trace)
        try:
            yield server, client, model
        finally:
            stop.set()
            await task
            link.close()


def test_int_0_client_initiated_bootstrap():
    async def go():
        async with bootstrapping("bs0", lambda port: [("delete", "/")] + lwm2m_account(port)) as (server, client, model):
            client.start()
            ev = await server.events.next("bootstrap-request", "bs0", TIMEOUT)
            assert ev.pct == 112
            ev = await server.events.next("bootstrap-finished", "bs0", TIMEOUT)
            assert ev.ok, ev.results
            await server.events.next("registered", "bs0", TIMEOUT)
            assert model.get((0, 1, 10)) == 101 and model.get((1, 0, 1)) == 300

    run(go())


def test_int_4_bootstrap_delete_removes_everything_but_the_bootstrap_account_and_device():
    model = demo_model()
    model.add(1, 7, {0: 9, 1: 60, 7: "U"})  # an account nobody answers for any more
    seen = {}

    def script(port):
        return [("delete", "/"), ("discover", "/")]

    async def go():
        async with bootstrapping("bs4", script, model=model, finish=False) as (server, client, model_):
            client.start()
            await server.events.next("bootstrap-request", "bs4", TIMEOUT)
            for _ in range(200):
                if model.instances(1) == [] and seen.get("done") is None:
                    break
                await asyncio.sleep(0.01)
            assert model.instances(1) == [] and model.instances(0) == [0] and model.instances(3) == [0]
            assert model.instances(3303) == []

    run(go())


def test_int_5_server_initiated_bootstrap():
    async def go():
        async with bootstrapping("bs5", lambda port: lwm2m_account(port, lifetime=120)) as (server, client, model):
            client.start()
            await server.events.next("registered", "bs5", TIMEOUT)
            server.events.clear()
            sent = []
            client.endpoint.trace = lambda d, peer, data: sent.append(decode(bytes(data))) if d == "tx" else None
            # The server may see the De-register before it has matched the 2.04
            # to its Execute, so the answer is checked on the device's side.
            execute = asyncio.ensure_future(server.execute("bs5", "/1/0/9"))
            await server.events.next("deregistered", "bs5", TIMEOUT)
            assert (sent[0].type, sent[0].code) == (2, 0x44)  # the Execute's piggybacked 2.04 ...
            assert sent[1].code == 4 and sent[1].uri_path()[0] == "rd"  # ... then De-register
            await server.events.next("bootstrap-request", "bs5", TIMEOUT)
            ev = await server.events.next("bootstrap-finished", "bs5", TIMEOUT)
            assert ev.ok, ev.results
            await server.events.next("registered", "bs5", TIMEOUT)
            assert model.get((1, 0, 1)) == 120
            execute.cancel()

    run(go())


def test_int_6_and_7_registration_failure_falls_back_to_bootstrap():
    """The factory configuration names a LwM2M server that never answers:
    after the retries of /1/x/17-20 the client bootstraps (/1/x/16) and then
    registers with the server the bootstrap server gave it."""
    model = demo_model()
    model.add(0, 1, {0: "coap://127.0.0.1:9", 1: False, 2: 3, 10: 7})  # nothing listens on port 9
    model.add(1, 1, {0: 7, 1: 300, 7: "U", 16: True, 17: 1, 18: 1, 19: 1, 20: 1})
    fast = Params(ack_timeout=100, max_retransmit=1)

    async def go():
        async with bootstrapping("bs7", lambda port: [("delete", "/1/1"), ("delete", "/0/1")] + lwm2m_account(port),
                                 model=model, params=fast) as (server, client, model_):
            client.start()
            await server.events.next("bootstrap-request", "bs7", 15)
            ev = await server.events.next("bootstrap-finished", "bs7", TIMEOUT)
            assert ev.ok, ev.results
            await server.events.next("registered", "bs7", TIMEOUT)
            assert model.get((0, 1, 10)) == 101

    run(go(), 40)


def test_int_9_inconsistent_configuration_is_refused_with_4_06():
    def script(port):
        # a Security instance whose Server instance never comes
        return [("write", "/0/1", {0: "coap://127.0.0.1:%d" % port, 1: False, 2: 3, 10: 55})]

    async def go():
        async with bootstrapping("bs9", script) as (server, client, model):
            client.start()
            ev = await server.events.next("bootstrap-finished", "bs9", TIMEOUT)
            assert not ev.ok
            assert ev.results[-1][1].code == 0x86  # Not Acceptable
            assert client.bootstrap is not None and "no server instance" in client.bootstrap.last_error
            assert server.registration("bs9") is None

    run(go())
