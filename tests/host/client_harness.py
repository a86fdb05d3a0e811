"""The firmware's LwM2M client, in-process on CPython over real UDP loopback,
against the embedded server (host_sim.server on aiocoap). The client runs in
an asyncio task that polls it without blocking, so one event loop serves both."""
import asyncio
import contextlib
import os
import sys

_FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "firmware")
if _FIRMWARE not in sys.path:
    sys.path.insert(0, _FIRMWARE)

# pylint: disable=wrong-import-position
from lwm2m.clock import SystemClock
from lwm2m.link.udp import UdpLink
from lwm2m.model import Model
from lwm2m.client.client import Client
from lwm2m.client.queue import Queue
from lwm2m.client.servers import provision

from host_sim.server import LwM2MServer

TIMEOUT = 5.0


def run(coro, timeout=30.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def demo_model():
    """Device, a temperature sensor with a writable application type, and
    a Location; what the interop cases read and write."""
    m = Model()
    m.add(3, 0, {0: "Open Mobile Alliance", 1: "Lightweight M2M Client", 2: "345000123",
                 3: "1.0", 6: {0: 1, 1: 5}, 9: 100, 11: {0: 0}, 16: "U"})
    m.executed = []
    m.bind((3, 0, 4), execute=lambda args: m.executed.append(("reboot", args)))
    m.add(3303, 0, {5700: 21.5, 5701: "Cel", 5750: "room"})
    return m


async def _drive(client, stop, queue=None):
    while not stop.is_set():
        if queue is not None and queue.sleep_ms() != 0:
            # asleep, radio off: what arrives now is lost; deadlines still run
            while client.endpoint.link.recv(0) is not None:
                pass
            client.step()
            await asyncio.sleep(0.01)
            continue
        while client.poll(0):
            pass
        await asyncio.sleep(0.002)


@contextlib.asynccontextmanager
async def server_and_client(ep, model=None, lifetime=300, register=True, server_settings=None, sleepy=False,
                            **config):
    """sleepy: the client really sleeps in queue mode (drops what comes while asleep)."""
    model = model or demo_model()
    async with LwM2MServer(port=0, type_of=model.type_of, **(server_settings or {})) as server:
        provision(model, "coap://127.0.0.1:%d" % server.port, ssid=1, lifetime=lifetime)
        link = UdpLink("127.0.0.1", 0)
        trace = []
        cfg = {"ep": ep, "default_format": 110}
        cfg.update(config)
        client = Client(model, link, SystemClock(), cfg, trace=trace.append)
        client.log = trace
        stop = asyncio.Event()
        queue = Queue(client, {"awake_ms": cfg.get("awake_ms", 93000)}) if sleepy else None
        task = asyncio.ensure_future(_drive(client, stop, queue))
        try:
            if register:
                client.start()
                await server.events.next("registered", ep, TIMEOUT)
                while not client.connections[0].reg.registered():  # its 2.01 is on the way
                    await asyncio.sleep(0.002)
            yield server, client, model
        finally:
            stop.set()
            await task
            link.close()
