"""Firmware update end to end: the firmware's client with object 5 mounted
(lwm2m.fota.mount), in-process on CPython over real UDP loopback, against the
embedded server; the package is the compiled firmware (build/mpy) packed by
tools/mkpackage.py, on a real filesystem. Push (Block1 PUT /5/0/0) and pull
(Package URI on the server's /fw repository, Block2), Update, reboot, and
/3/0/3 and /5/0/5 read by the server from the rebooted device."""
import asyncio
import os
import sys

import pytest

from client_harness import TIMEOUT, _drive, run
from host_sim.server import LwM2MServer
from host_sim.server import firmware as repo_mod

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import mkpackage  # noqa: E402
from lwm2m.clock import SystemClock  # noqa: E402
from lwm2m.link.udp import UdpLink  # noqa: E402
from lwm2m.model import Model  # noqa: E402
from lwm2m.client.client import Client  # noqa: E402
from lwm2m.client.servers import provision  # noqa: E402
from lwm2m.objects.std_device import Device  # noqa: E402
from lwm2m.fota.store import FileStore  # noqa: E402
from lwm2m.fota import slots  # noqa: E402
from lwm2m.fota.mount import mount  # noqa: E402

BOARD = "unix"
MPY = os.path.join(ROOT, "build", "mpy")


def _package(version):
    if not os.path.isdir(MPY):
        pytest.skip("firmware not compiled (make mpy)")
    return mkpackage.make(MPY, BOARD, version)


class Board:
    """A device whose flash is a folder; reboot() is a new firmware instance on it."""

    def __init__(self, root, server, ep):
        self.root = str(root)
        self.server = server
        self.ep = ep
        self.reboots = 0
        self.task = None

    def _reboot(self):
        self.reboots += 1

    async def power_on(self):
        store = FileStore(self.root)
        self.slot = slots.select(store)
        model = Model()
        Device({"manufacturer": "ACME", "model": "N1", "serial": "1", "firmware": "1.0.0"}).install(model)
        provision(model, "coap://127.0.0.1:%d" % self.server.port, ssid=1, lifetime=300)
        self.link = UdpLink("127.0.0.1", 0)
        self.client = Client(model, self.link, SystemClock(), {"ep": self.ep, "default_format": 110})
        self.fu = mount(self.client, store, {"board": BOARD, "version": "1.0.0", "reboot": self._reboot})
        self.stop = asyncio.Event()
        self.task = asyncio.ensure_future(_drive(self.client, self.stop))
        self.client.start()
        await self.server.events.next("registered", self.ep, TIMEOUT)

    async def power_off(self):
        self.stop.set()
        await self.task
        self.link.close()

    async def until(self, pred, limit=20.0):
        t = 0.0
        while not pred():
            await asyncio.sleep(0.01)
            t += 0.01
            assert t < limit, "timed out"


async def _read(server, ep, path):
    r = await server.read(ep, path, accept="text", timeout=TIMEOUT)
    assert r.code == 0x45, r
    return r.payload.decode()


async def _update_and_reboot(server, board):
    assert await _read(server, board.ep, "/5/0/3") == "2"
    r = await server.execute(board.ep, "/5/0/2", timeout=TIMEOUT)
    assert r.code == 0x44
    await board.until(lambda: board.reboots == 1)
    await board.power_off()
    await board.power_on()
    assert board.slot == "a"
    await board.until(lambda: board.fu.state == 0)
    assert await _read(server, board.ep, "/3/0/3") == "2.0.0"
    assert await _read(server, board.ep, "/5/0/5") == "1"
    assert await _read(server, board.ep, "/5/0/7") == "2.0.0"


def test_push_update_over_loopback_then_new_version_reports(tmp_path):
    pkg = _package("2.0.0")

    async def go():
        async with LwM2MServer(port=0) as server:
            board = Board(tmp_path, server, "fota-push")
            await board.power_on()
            assert await _read(server, board.ep, "/3/0/3") == "1.0.0"
            r = await server.write(board.ep, "/5/0/0", payload=pkg, fmt=42, timeout=30)
            assert r.code == 0x44, r
            await board.until(lambda: board.fu.state == 2)
            await _update_and_reboot(server, board)
            await board.power_off()

    run(go(), timeout=60)


def test_pull_update_over_loopback_resumes_after_lost_blocks(tmp_path):
    pkg = _package("2.0.0")

    async def go():
        async with LwM2MServer(port=0) as server:
            repo = repo_mod.attach(server)
            uri = repo.add("v2.pkg", pkg)
            board = Board(tmp_path, server, "fota-pull")
            await board.power_on()
            assert await _read(server, board.ep, "/5/0/8/0") == "0"  # CoAP
            r = await server.write(board.ep, "/5/0/1", payload=uri.encode(), fmt=0, timeout=TIMEOUT)
            assert r.code == 0x44, r
            # Power goes after a few blocks: the next boot goes on from there.
            part = os.path.join(board.root, "fota.pkg")
            await board.until(lambda: os.path.exists(part) and os.path.getsize(part) >= 5000)
            await board.power_off()
            stored = os.path.getsize(os.path.join(board.root, "fota.pkg"))
            n = len(repo.gets)
            await board.power_on()
            await board.until(lambda: board.fu.state == 2, 60)
            first = repo.gets[n][1]
            assert first > 0 and first * 1024 <= stored  # resumed, not from zero
            await _update_and_reboot(server, board)
            await board.power_off()

    run(go(), timeout=120)


def test_pull_bad_uri_and_unknown_package_report_codes(tmp_path):
    async def go():
        async with LwM2MServer(port=0) as server:
            repo = repo_mod.attach(server)
            board = Board(tmp_path, server, "fota-bad")
            await board.power_on()
            for uri, result in (("https://example.org/fw", "9"), ("coap//x", "7"), (repo.uri("nope"), "7")):
                r = await server.write(board.ep, "/5/0/1", payload=uri.encode(), fmt=0, timeout=TIMEOUT)
                assert r.code == 0x44
                await board.until(lambda: board.fu.result != 0)
                assert await _read(server, board.ep, "/5/0/5") == result, uri
                assert await _read(server, board.ep, "/5/0/3") == "0"
                r = await server.write(board.ep, "/5/0/1", payload=b"", fmt=0, timeout=TIMEOUT)
                assert await _read(server, board.ep, "/5/0/5") == "0"
            r = await server.execute(board.ep, "/5/0/2", timeout=TIMEOUT)
            assert r.code == 0x85
            await board.power_off()

    run(go(), timeout=60)
