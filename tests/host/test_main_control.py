"""`lwm2m.main --control` as a person or a script uses it: a process on either runtime (CPython
from firmware/, the MicroPython unix port with the .mpy build), commands written to its stdin,
against the embedded server over UDP loopback; the end of stdin de-registers and exits."""
import asyncio
import os
import subprocess
import sys
import tempfile

import pytest

from client_harness import TIMEOUT, run
from host_sim.server import LwM2MServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")
MPY = os.path.join(ROOT, "build", "mpy")


def _command(runtime):
    if runtime == "cpython":
        return [sys.executable, "-m", "lwm2m.main"], dict(os.environ, PYTHONPATH=os.path.join(ROOT, "firmware"),
                                                          PYTHONUNBUFFERED="1")
    if not os.path.exists(MICROPYTHON) or not os.path.exists(os.path.join(MPY, "lwm2m", "main.mpy")):
        pytest.skip("no micropython unix port or no .mpy build (make mpy)")
    return [MICROPYTHON, "-X", "heapsize=1M", "-m", "lwm2m.main"], dict(os.environ, MICROPYPATH=".frozen:" + MPY)


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_commands_on_stdin_then_its_end_deregisters_and_exits(runtime):
    cmd, env = _command(runtime)

    def output(f):
        f.seek(0)
        return f.read().decode(errors="replace")

    async def go():
        async with LwM2MServer(port=0) as server:
            f = tempfile.NamedTemporaryFile()
            # The child appends through its own descriptor (O_APPEND): reading f
            # (seek, read) while the child writes must not move where it writes.
            child_out = open(f.name, "ab")
            proc = subprocess.Popen(cmd + ["coap://127.0.0.1:%d" % server.port, "ctl-" + runtime, "60", "--control"],
                                    env=env, stdin=subprocess.PIPE, stdout=child_out, stderr=subprocess.STDOUT)
            try:
                await server.events.next("registered", "ctl-" + runtime, 10.0)
                for _ in range(500):  # until the device has its 2.01: Send needs a registration
                    if " 2.01 " in output(f):
                        break
                    await asyncio.sleep(0.01)
                # two commands in one write, a bad one, a comment: each line on its own
                proc.stdin.write(b"set /3303/0/5700 23.5\nsend /3303/0/5700\nfly\n# note\n")
                proc.stdin.flush()
                ev = await server.events.next("send", "ctl-" + runtime, TIMEOUT)
                assert dict(ev.records) == {(3303, 0, 5700): 23.5}
                for _ in range(500):  # the server's 2.04 may still be on its way: quit after it
                    if "= sent 2.04" in output(f):
                        break
                    await asyncio.sleep(0.01)
                proc.stdin.close()
                await server.events.next("deregistered", "ctl-" + runtime, TIMEOUT)
                for _ in range(2000):  # a loaded machine may take a while to exit
                    if proc.poll() is not None:
                        break
                    await asyncio.sleep(0.01)
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait(10)
                child_out.close()
                out = output(f)
                f.close()
            assert proc.returncode == 0, out
            answers = [ln for ln in out.splitlines() if ln.startswith("= ")]
            assert answers[:2] == ["= ok set /3303/0/5700 23.5", "= ok send /3303/0/5700"], out
            assert answers[2].startswith("= error fly: unknown command") and "= sent 2.04" in answers
            assert answers[-1] == "= ok quit" and "Traceback" not in out

    run(go())
