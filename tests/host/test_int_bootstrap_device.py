"""OMA bootstrap cases (int-0, 4, 5, 6, 7, 9) against the embedded server in bootstrap mode
(one server plays the bootstrap server and the LwM2M server), each with lwm2m.main's device
in-process on CPython and as a micropython process (tests/host/int_device.py). Started with
--bootstrap, its only account is the bootstrap server's; in int-6 and int-7 it is factory-
provisioned with a LwM2M server that stays silent or refuses and, with --bootstrap-uri, the
embedded bootstrap server. test_int_bootstrap.py has more in-process checks of the client's state."""
import asyncio

from client_harness import TIMEOUT, run
from int_device import both, server_and_device

from host_sim.server.bootstrap import Bootstrap, script_for
from lwm2m.coap.message import decode

# one Register attempt, one sequence, then the fallback (/1/x/16 absent: true); CoAP
# ACK_TIMEOUT 0.1 s, so a Register nobody answers gives up after ~3-5 s instead of ~93 s
FAST_FALLBACK = ["--retry", "1,1,1,1", "--ack-timeout", "100"]


def _bootstrapping(kind, ep, script, body, finish=True, factory=None, timeout=30.0):
    """factory: the LwM2M server the device is provisioned with beside the bootstrap server
    (--bootstrap-uri); None: the bootstrap server is its only account (--bootstrap)."""
    bs = Bootstrap({}, finish=finish)

    def setup(server):
        bs.scripts[ep] = script(server.port)
        if factory is not None:
            return factory.uri(), ["--bootstrap-uri", _uri(server.port)] + FAST_FALLBACK
        return None

    async def go():
        args = [] if factory is not None else ["--bootstrap"]
        if factory is not None:
            await factory.start()
        try:
            async with server_and_device(kind, ep, args=args, server_settings={"bootstrap": bs},
                                         register=False, setup=setup) as (server, dev):
                await body(server, dev)
        finally:
            if factory is not None:
                factory.close()

    run(go(), timeout)


class FactoryServer(asyncio.DatagramProtocol):
    """The LwM2M server of a factory configuration, on a free loopback port: silent (answer
    None) or answering every request with a piggybacked `answer` code (0x83: 4.03 Forbidden).
    requests: the CoAP requests it got (retransmissions once)."""

    def __init__(self, answer=None):
        self.answer = answer
        self.requests = []
        self.transport = None

    async def start(self):
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))

    def connection_made(self, transport):
        self.transport = transport

    def uri(self):
        return "coap://127.0.0.1:%d" % self.transport.get_extra_info("sockname")[1]

    def datagram_received(self, data, addr):
        m = decode(data)
        if m.type != 0 or any(r.mid == m.mid for r in self.requests):
            return
        self.requests.append(m)
        if self.answer is not None:  # ACK, the code, the request's MID and token
            tkl = data[0] & 15
            self.transport.sendto(bytes([0x60 | tkl, self.answer]) + data[2:4 + tkl], addr)

    def close(self):
        self.transport.close()


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
def test_int_6_bootstrap_sequence_registers_first_then_bootstraps(kind):
    """Factory configuration: a LwM2M server account and a bootstrap server account. The
    device tries the LwM2M server first; only when that registration fails (nobody answers)
    does it bootstrap: Bootstrap-Delete, the writes, Bootstrap-Finish, then Register."""
    silent = FactoryServer()

    async def body(server, dev):
        await server.events.next("bootstrap-request", "bs6", 20)
        ev = await server.events.next("bootstrap-finished", "bs6", TIMEOUT)
        assert ev.ok, ev.results
        assert [step[0] for step, _ in ev.results] == ["delete", "write", "write", "finish"]
        await server.events.next("registered", "bs6", TIMEOUT)
        first = silent.requests[0]  # the Register the factory server got, before any bootstrap
        assert first.code == 2 and first.uri_path() == ["rd"] and "ep=bs6" in first.uri_query()
        out = dev.output()
        assert out.index(" /rd?ep=bs6") < out.index(" /bs?ep=bs6") < out.rindex(" /rd?ep=bs6")

    _bootstrapping(kind, "bs6", lambda port: script_for(_uri(port)), body, factory=silent, timeout=40)


@both
def test_int_7_fallback_to_bootstrap_after_a_refused_registration(kind):
    """The factory LwM2M server refuses the Register (4.03): with one attempt allowed
    (/1/x/17-20 from --retry) the device falls back to its bootstrap server (/1/x/16 absent:
    true), gets a new account and registers with it; the bootstrap account survives."""
    refusing = FactoryServer(answer=0x83)

    async def body(server, dev):
        await server.events.next("bootstrap-request", "bs7", 15)
        ev = await server.events.next("bootstrap-finished", "bs7", TIMEOUT)
        assert ev.ok, ev.results
        await server.events.next("registered", "bs7", TIMEOUT)
        assert [m.uri_path() for m in refusing.requests] == [["rd"]]  # one attempt, refused
        out = dev.output()
        assert out.index("< A 4.03") < out.index(" /bs?ep=bs7")
        r = await server.read("bs7", "/1/0/0", accept="senml-json", timeout=TIMEOUT)
        assert r.values() == {(1, 0, 0): 101}  # the Short Server ID the bootstrap server wrote

    _bootstrapping(kind, "bs7", lambda port: script_for(_uri(port)), body, factory=refusing)


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
