"""asyncio and aiocoap on the simulator's virtual time (CPython only).

The embedded LwM2M server and the interop tools are asyncio/aiocoap code. To
put them on the simulated network next to sans-IO firmware endpoints:

    sim = Simulator(); net = Network(sim, seed=1)
    loop = VirtualTimeLoop(sim)                  # loop.time() is the virtual clock
    ctx = loop.run_until_complete(sim_context(net.node("server").port(5683), site))
    loop.run_until_complete(some_coroutine())    # asyncio timers and sleeps are virtual

While asyncio has nothing ready, the loop runs the simulator up to its next
timer instead of waiting on a selector, so deliveries, firmware actors and
asyncio callbacks interleave on one virtual clock and hours pass instantly.
Code that reads time.monotonic()/time.time() directly still sees wall time.
"""
import asyncio
import math
import random
import selectors

from aiocoap import interfaces
from aiocoap.message import Direction, Message
from aiocoap.numbers.constants import COAP_PORT
from aiocoap.util import hostportjoin, hostportsplit
from aiocoap import error as aiocoap_error

_FOREVER_MS = 10 ** 15


class _SimSelector(selectors.BaseSelector):
    """A selector with no file descriptors to watch: select(timeout) runs the
    simulation for that long, or until something gave asyncio work."""

    def __init__(self, sim):
        self.sim = sim
        self.woken = False
        self._map = {}

    def register(self, fileobj, events, data=None):
        fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
        key = selectors.SelectorKey(fileobj, fd, events, data)
        self._map[fd] = key
        return key

    def unregister(self, fileobj):
        fd = fileobj if isinstance(fileobj, int) else fileobj.fileno()
        return self._map.pop(fd)

    def _woken(self):
        return self.woken

    def select(self, timeout=None):
        sim = self.sim
        if timeout is None:
            sim.run_until(lambda: self.woken or sim.next_time() is None, _FOREVER_MS)
            if not self.woken:
                raise RuntimeError("asyncio waits forever: nothing is pending in the simulation")
        elif timeout > 0:
            sim.run_until(self._woken, int(math.ceil(timeout * 1000)))
        self.woken = False
        return []

    def get_map(self):
        return self._map

    def close(self):
        self._map = {}


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose time() is the simulator's virtual clock."""

    def __init__(self, sim):
        self.sim = sim
        asyncio.SelectorEventLoop.__init__(self, _SimSelector(sim))

    def time(self):
        return self.sim.clock.now_ms / 1000.0

    def call_soon(self, callback, *args, **kwargs):
        # Work scheduled from inside the simulation (a delivery) ends select().
        self._selector.woken = True
        return asyncio.SelectorEventLoop.call_soon(self, callback, *args, **kwargs)


def run_virtual(sim, coro):
    """Run coro to its end on a fresh VirtualTimeLoop over sim; its result."""
    loop = VirtualTimeLoop(sim)
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


class SimAddress(interfaces.EndpointAddress):
    """An aiocoap remote on the simulated network: a (host, port) tuple."""

    scheme = "coap"

    def __init__(self, addr, interface):
        self.addr = tuple(addr)
        self.interface = interface

    def __hash__(self):
        return hash(self.addr)

    def __eq__(self, other):
        return isinstance(other, SimAddress) and self.addr == other.addr

    def __repr__(self):
        return "<SimAddress %s:%d>" % self.addr

    @staticmethod
    def _hostinfo(addr):
        return hostportjoin(addr[0], None if addr[1] == COAP_PORT else addr[1])

    @property
    def hostinfo(self):
        return self._hostinfo(self.addr)

    @property
    def hostinfo_local(self):
        return self._hostinfo(self.interface.port.address)

    @property
    def uri_base(self):
        return "coap://" + self.hostinfo

    @property
    def uri_base_local(self):
        return "coap://" + self.hostinfo_local

    is_multicast = False
    is_multicast_locally = False

    @property
    def blockwise_key(self):
        return self.addr


class SimMessageInterface(interfaces.MessageInterface):
    """aiocoap's message layer over a simulated Port (an actor of the simulator)."""

    def __init__(self, ctx, port, loop):
        self._ctx = ctx
        self.port = port
        self.loop = loop
        port.attach(self)

    # the simulator's actor interface
    def receive(self, data, peer):
        self.loop.call_soon(self._dispatch, bytes(data), peer)

    def tick(self):
        pass

    def next_timeout_ms(self):
        return None

    def _dispatch(self, data, peer):
        try:
            message = Message.decode(data, SimAddress(peer, self))
        except aiocoap_error.UnparsableMessage:
            return
        message.direction = Direction.INCOMING
        self._ctx.dispatch_message(message)

    # aiocoap's MessageInterface
    def send(self, message):
        self.port.send(message.encode(), message.remote.addr)

    async def recognize_remote(self, remote):
        return isinstance(remote, SimAddress) and remote.interface is self

    async def determine_remote(self, request):
        if request.requested_scheme not in ("coap", None):
            return None
        if request.unresolved_remote is not None:
            host, port = hostportsplit(request.unresolved_remote)
        elif request.opt.uri_host:
            host, port = request.opt.uri_host, request.opt.uri_port
        else:
            raise ValueError("no address to send the request to")
        return SimAddress((host.strip("[]"), port or COAP_PORT), self)

    async def shutdown(self):
        self.port.close()


async def sim_context(port, site=None, loggername="coap-sim"):
    """An aiocoap Context that sends and receives on a simulated port; site
    (an aiocoap resource Site) serves requests, as with create_server_context.

    aiocoap draws MIDs, tokens and retransmission timeouts from the module-level
    `random`; for runs that repeat, its message and token layers get a Random
    seeded from the network seed and the port (a process-wide swap: fine for a
    simulator, and aiocoap on real sockets only gets other random numbers).
    """
    import aiocoap
    from aiocoap import messagemanager, tokenmanager

    rng = random.Random("%s:%s:%d:aiocoap" % ((port.node.network.seed,) + port.address))
    messagemanager.random = tokenmanager.random = rng
    loop = asyncio.get_running_loop()
    ctx = aiocoap.Context(loop=loop, serversite=site, loggername=loggername)

    async def make(mman):
        return SimMessageInterface(mman, port, loop)

    await ctx._append_tokenmanaged_messagemanaged_transport(make)
    return ctx
