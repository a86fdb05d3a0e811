"""Firmware update on the MicroPython unix port: a board process
(tests/host/scripts/fota_device.py, the firmware as .mpy) whose flash is a temp
folder, over real UDP loopback against the embedded server. The package is
build/mpy packed by tools/mkpackage.py; after Update the process exits (the
reboot hook), is started again, boots slot "a" and imports the firmware from
it, registers, and reports the new version. Skips without the port or build."""
import asyncio
import os
import subprocess
import sys

import pytest

from client_harness import TIMEOUT, run
from host_sim.server import LwM2MServer
from host_sim.server import firmware as repo_mod

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
MPY = os.path.join(ROOT, "build", "mpy")
SCRIPT = os.path.join(ROOT, "tests", "host", "scripts", "fota_device.py")
sys.path.insert(0, os.path.join(ROOT, "tools"))

import mkpackage  # noqa: E402


def _have():
    if not os.path.exists(MICROPYTHON):
        return "no micropython unix port in .venv"
    if not os.path.exists(os.path.join(MPY, "lwm2m", "fota", "mount.mpy")):
        return "firmware not compiled (make mpy)"
    return None


class Proc:
    def __init__(self, flash, server, ep):
        self.args = [MICROPYTHON, "-X", "heapsize=2M", SCRIPT, flash, "coap://127.0.0.1:%d" % server.port, ep]
        self.env = dict(os.environ, MICROPYPATH=".frozen:" + MPY)
        self.out = []

    def start(self):
        self.p = subprocess.Popen(self.args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    async def exited(self, limit=20.0):
        t = 0.0
        while self.p.poll() is None:
            await asyncio.sleep(0.05)
            t += 0.05
            assert t < limit, "board did not reboot"
        self.out.append(self.p.communicate()[0].decode(errors="replace"))
        return self.p.returncode

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
            self.out.append(self.p.communicate(timeout=10)[0].decode(errors="replace"))


async def _text(server, ep, path):
    r = await server.read(ep, path, accept="text", timeout=TIMEOUT)
    assert r.code == 0x45, r
    return r.payload.decode()


async def _until_state(server, ep, want, limit=60.0):
    t = 0.0
    while await _text(server, ep, "/5/0/3") != want:
        await asyncio.sleep(0.1)
        t += 0.1
        assert t < limit, "state never became %s" % want


async def _scenario(tmp_path, ep, deliver):
    pkg = mkpackage.make(MPY, "unix", "2.0.0")
    async with LwM2MServer(port=0) as server:
        repo = repo_mod.attach(server)
        board = Proc(str(tmp_path), server, ep)
        board.start()
        try:
            await server.events.next("registered", ep, 10.0)
            assert await _text(server, ep, "/3/0/3") == "1.0.0"
            await deliver(server, repo, pkg)
            await _until_state(server, ep, "2")
            assert await _text(server, ep, "/5/0/7") == "2.0.0"
            r = await server.execute(ep, "/5/0/2", timeout=TIMEOUT)
            assert r.code == 0x44
            assert await board.exited() == 3
            board.start()
            await server.events.next("registered", ep, 10.0)
            await _until_state(server, ep, "0")
            assert await _text(server, ep, "/3/0/3") == "2.0.0"
            assert await _text(server, ep, "/5/0/5") == "1"
        finally:
            board.stop()
    out = "".join(board.out)
    assert "# booted slot ''" in out and "# booted slot 'a'" in out, out
    assert os.path.join(str(tmp_path), "a", "lwm2m", "client", "client.mpy") in out, out
    return repo


@pytest.mark.skipif(_have() is not None, reason=str(_have()))
def test_micropython_board_push_update_reboots_into_new_slot(tmp_path):
    async def push(server, repo, pkg):
        r = await server.write("mp-push", "/5/0/0", payload=pkg, fmt=42, timeout=60)
        assert r.code == 0x44, r

    run(_scenario(tmp_path, "mp-push", push), timeout=120)


@pytest.mark.skipif(_have() is not None, reason=str(_have()))
def test_micropython_board_pull_update_reboots_into_new_slot(tmp_path):
    async def pull(server, repo, pkg):
        uri = repo.add("v2.pkg", pkg)
        r = await server.write("mp-pull", "/5/0/1", payload=uri.encode(), fmt=0, timeout=TIMEOUT)
        assert r.code == 0x44, r

    repo = run(_scenario(tmp_path, "mp-pull", pull), timeout=120)
    assert repo.gets[0] == ("v2.pkg", 0)
