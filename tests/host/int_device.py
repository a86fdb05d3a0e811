"""The device under test in the interoperability cases against the embedded server
(host_sim.server), of either kind:
  "cpython"      the firmware in-process on CPython, polled by a task of this event loop;
  "micropython"  `micropython -m lwm2m.main ... --control` on the unix port, a subprocess
                 (leshan_support.MicroPythonDevice), skipped without the port or `make mpy`.
Both are the same device (lwm2m.main.build: Device with power sources, Location,
Temperature, Connectivity Statistics) with the same trace lines, and both are driven by the
same commands (lwm2m.control): a case acts through the server's API and these commands only."""
import asyncio
import contextlib
import os
import sys

import pytest

from host_sim.server import LwM2MServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "leshan"))
from leshan_support import MicroPythonDevice, sent_code  # noqa: E402  pylint: disable=wrong-import-position

KINDS = ("cpython", "micropython")
both = pytest.mark.parametrize("kind", KINDS)
START = 10.0  # s: a micropython process starts in ~0.1 s; leave room on a busy machine


class InProcess:
    """lwm2m.main's device and client, in this process, on this event loop."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.lines = []
        self.client = self.control = self._task = None

    def start(self, uri, lifetime=300, args=()):
        from lwm2m import main
        from lwm2m.control import Control
        from lwm2m.link.udp import UdpLink

        # the options of lwm2m.main that the cases use, parsed by it where it has a parser
        config, _, args = main.timing(list(args))
        bootstrap, bs_uri, args = main.accounts(args)
        queue = "--queue" in args
        awake = int(args[args.index("--awake") + 1]) if "--awake" in args else None
        out = self.lines.append
        model, dev, stats = main.build(uri, lifetime, bootstrap=bootstrap, out=out, bs_uri=bs_uri)
        self._link = UdpLink("127.0.0.1", 0)
        self.client, self._nap = main.client_for(model, dev, stats, self._link, self.endpoint, queue, awake, out=out,
                                                 config=config)
        self.control = Control(self.client, model, out=out)
        self.client.start()
        self._stop = asyncio.Event()
        self._task = asyncio.ensure_future(self._run(main.turn))
        return self

    async def _run(self, turn):
        asleep = False
        while not self._stop.is_set():
            asleep = turn(self.client, self._nap, asleep, 0, self.lines.append)
            await asyncio.sleep(0.002)

    def write(self, line):
        self.control.feed(line)

    def output(self):
        return "\n".join(self.lines)

    def answers(self):
        return [ln for ln in self.lines if ln.startswith("= ")]

    async def close(self):
        if self._task is None:
            return
        self.client.deregister()  # as lwm2m.main does when stopped: wait a little for the answer
        for _ in range(300):
            if not any(c.reg.leaving() for c in self.client.connections):
                break
            await asyncio.sleep(0.01)
        self._stop.set()
        await self._task
        self._link.close()


class Device:
    """The face a case sees: commands answered without blocking the event loop."""

    def __init__(self, kind, endpoint):
        self.kind = kind
        self.endpoint = endpoint
        self.impl = InProcess(endpoint) if kind == "cpython" else MicroPythonDevice(endpoint)

    def output(self):
        return self.impl.output()

    async def wait_output(self, text, timeout=5.0):
        """Until text appears in the device's output (its trace of the wire, its messages)."""
        for _ in range(int(timeout / 0.01)):
            if text in self.output():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("no %r in:\n%s" % (text, self.output()[-2000:]))

    async def _answer(self, count, timeout=10.0):
        for _ in range(int(timeout / 0.01)):
            got = self.impl.answers()
            if len(got) > count:
                return got[count]
            if self.kind == "micropython":
                assert self.impl.proc.poll() is None, self.output()[-2000:]
            await asyncio.sleep(0.01)
        raise AssertionError("no answer %d:\n%s" % (count, self.output()[-2000:]))

    async def command(self, line):
        """Run one command (lwm2m.control); its answer line."""
        n = len(self.impl.answers())
        self.impl.write(line)
        return await self._answer(n)

    async def ok(self, line):
        answer = await self.command(line)
        assert answer.startswith("= ok"), answer

    async def set(self, path, value):
        await self.ok("set %s %s" % (path, value))

    async def send(self, paths):
        """A Send; its CoAP answer code, or None (refused: muted or not registered; no answer)."""
        n = len(self.impl.answers())
        if not (await self.command("send " + " ".join(paths))).startswith("= ok"):
            return None
        return sent_code(await self._answer(n + 1))

    async def close(self):
        if self.kind == "cpython":
            await self.impl.close()
        else:
            await asyncio.get_running_loop().run_in_executor(None, self.impl.stop)


@contextlib.asynccontextmanager
async def server_and_device(kind, ep, lifetime=300, args=(), server_settings=None, register=True, setup=None):
    """The embedded server on a free loopback port and the device registered with it (with
    register=False only started). setup(server): what to do before the device starts; what it
    returns, if anything: (URI, more lwm2m.main options) to start the device with instead of the
    server's URI (a factory configuration naming other servers)."""
    async with LwM2MServer(port=0, **(server_settings or {})) as server:
        uri, more = "coap://127.0.0.1:%d" % server.port, []
        if setup is not None:
            uri, more = setup(server) or (uri, more)
        dev = Device(kind, ep)
        try:
            dev.impl.start(uri, lifetime=lifetime, args=list(args) + list(more))
            if register:
                await server.events.next("registered", ep, START)
                await dev.wait_output(" 2.01 ")  # the device has the answer: "< A 2.01 ..."
            yield server, dev
        finally:
            await dev.close()
