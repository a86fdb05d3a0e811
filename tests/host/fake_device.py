"""A device played by aiocoap, for the server tests: it registers with a
link-format payload and answers the server's requests with hand-built
payloads. It records every request it gets, so tests assert on the wire."""
import asyncio
import collections
import contextlib
import threading

import aiocoap
import aiocoap.resource
from aiocoap.numbers.codes import Code

from host_sim.server import LwM2MServer

LINKS = b'</>;rt="oma.lwm2m";ct=110,</1>;ver=1.1,</1/0>,</3/0>,</3303>;ver=1.1,</3303/0>'
TIMEOUT = 5.0


def run(coro, timeout=20.0):
    """Run one test coroutine, never longer than `timeout` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


@contextlib.asynccontextmanager
async def server_and_device(ep, links=LINKS, paths=(), register=True, extra=("lwm2m=1.1", "b=U"), **settings):
    """A server on a free loopback port and a device (with resources at
    `paths`, registered unless told not to)."""
    async with LwM2MServer(port=0, **settings) as server:
        dev = FakeDevice(ep, server.port, links)
        for path in paths:
            dev.path(*path)
        async with dev:
            if register:
                assert (await dev.register(extra=extra)).code == Code.CREATED
                await server.events.next("registered", ep, TIMEOUT)
            yield server, dev


class Path(aiocoap.resource.ObservableResource):
    """One LwM2M path on the device: answers with what the test set."""

    def __init__(self, device, path):
        super().__init__()
        self.device = device
        self.path = path
        self.answer = (Code.CONTENT, None, b"")

    def set(self, code=Code.CONTENT, fmt=None, payload=b""):
        self.answer = (code, fmt, payload)

    def notify(self, fmt, payload):
        self.answer = (Code.CONTENT, fmt, payload)
        self.updated_state()

    async def needs_blockwise_assembly(self, request):
        return True

    async def render(self, request):
        # the Site stripped the path it routed on: record it as sent
        self.device.requests.append(request.copy(uri_path=tuple(str(i) for i in self.path)))
        handler = self.device.handlers.get((request.code, self.path))
        if handler is not None:
            return handler(request)
        if self.answer is None:  # a device that never answers
            await asyncio.sleep(3600)
        code, fmt, payload = self.answer
        msg = aiocoap.Message(code=code, payload=payload)
        if fmt is not None:
            msg.opt.content_format = fmt
        return msg


class FakeDevice:
    def __init__(self, ep, server_port, links=LINKS, host="127.0.0.1", tcp=False):
        self.ep = ep
        self.server = (host, server_port)
        self.tcp = tcp  # CoAP over TCP (RFC 8323): the T binding
        self.links = links
        self.requests = []
        self.handlers = {}  # (code, path tuple) -> fn(request) -> Message
        self.paths = {}
        self.location = None
        self.site = aiocoap.resource.Site()
        self.ctx = None

    def path(self, *ids):
        """The resource for /ids..., created on first use (before start())."""
        if ids not in self.paths:
            res = Path(self, ids)
            self.paths[ids] = res
            self.site.add_resource(tuple(str(i) for i in ids), res)
        return self.paths[ids]

    async def start(self):
        self.ctx = await aiocoap.Context.create_server_context(
            self.site, bind=(self.server[0], 0), transports=["tcpclient" if self.tcp else "udp6"])
        return self

    async def move(self):
        """A new source port, as when a NAT binding changes."""
        await self.stop()
        await self.start()

    def last(self, code=None):
        """The last request the device got (with `code`, if given)."""
        for request in reversed(self.requests):
            if code is None or request.code == code:
                return request
        raise AssertionError("no %s request" % (code,))

    async def stop(self):
        if self.ctx is not None:
            await asyncio.wait_for(self.ctx.shutdown(), TIMEOUT)
            self.ctx = None

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc):
        await self.stop()

    async def post(self, path, query=(), payload=b"", fmt=None, code=Code.POST):
        host = "[%s]" % self.server[0] if ":" in self.server[0] else self.server[0]
        scheme = "coap+tcp" if self.tcp else "coap"
        msg = aiocoap.Message(code=code, uri="%s://%s:%d/%s" % (scheme, host, self.server[1], path), payload=payload)
        if query:
            msg.opt.uri_query = tuple(query)
        if fmt is not None:
            msg.opt.content_format = fmt
        return await asyncio.wait_for(self.ctx.request(msg).response, TIMEOUT)

    async def register(self, lt=60, extra=("lwm2m=1.1", "b=U"), payload=None):
        resp = await self.post("rd", ("ep=" + self.ep, "lt=%d" % lt) + tuple(extra),
                               self.links if payload is None else payload, 40)
        if resp.code == Code.CREATED:
            self.location = "/".join(resp.opt.location_path)
        return resp

    async def update(self, query=(), payload=b""):
        return await self.post(self.location, query, payload, 40 if payload else None)

    async def deregister(self):
        return await self.post(self.location, code=Code.DELETE)


class PollThread:
    """A firmware main loop (`poll(max_ms)`, blocking) in a thread of its own;
    the test hands it work through call() so only that thread touches it."""

    def __init__(self, poll, first=None):
        self._poll = poll
        self._work = collections.deque([first] if first else [])
        self._stop = False
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop:
            while self._work:
                self._work.popleft()()
            self._poll(10)

    def call(self, fn):
        self._work.append(fn)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self._thread.join(2)
