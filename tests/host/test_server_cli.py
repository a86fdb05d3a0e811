"""The console of `python -m host_sim.server`."""
import asyncio
import io
import os
import sys

from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, FakeDevice, run, server_and_device

from host_sim.server.cli import Console, parse_value

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_parse_value_guesses_the_type():
    assert parse_value("12") == 12 and parse_value("-1.5") == -1.5
    assert parse_value("true") is True and parse_value("hex:00ff") == b"\x00\xff"
    assert parse_value("Europe/Berlin") == "Europe/Berlin"


def test_console_prints_events_and_runs_commands():
    async def go():
        out = io.StringIO()
        async with server_and_device("cli1", paths=[(), (3, 0, 0), (3, 0, 4), (3, 0, 14)], register=False) as (server, dev):
            console = Console(server, out)
            await dev.register()
            await server.events.next("registered", "cli1", TIMEOUT)
            assert "registered cli1 id=" in out.getvalue()
            assert (await console.execute("list")).startswith("cli1 id=")
            dev.path(3, 0, 0).set(Code.CONTENT, 0, b"Open Mobile Alliance")
            text = await console.execute("read cli1 /3/0/0 text")
            assert text.startswith("2.05 text") and int(dev.last().opt.accept) == 0
            dev.path(3, 0, 4).set(Code.CHANGED)
            assert (await console.execute("exec cli1 /3/0/4")).startswith("2.04")
            dev.path(3, 0, 14).set(Code.CHANGED)
            assert (await console.execute("write cli1 /3/0/14 hex:2b30323a3030 text")).startswith("2.04")
            assert dev.last().payload == b"+02:00" and int(dev.last().opt.content_format) == 0
            assert (await console.execute("attr cli1 /3/0/14 pmin=5")).startswith("2.04")
            assert dev.last().opt.uri_query == ("pmin=5",)
            assert "not registered" in await console.execute("read nobody /3/0")
            dev.path().set(Code.CHANGED)
            assert (await console.execute("wcomposite cli1 /3/0/14=+01:00 senml-json")).startswith("2.04")
            assert dev.last().code == Code.iPATCH and b"+01:00" in dev.last().payload
            assert "usage: delete EP PATH" in await console.execute("delete cli1")
            assert "unknown command" in await console.execute("frobnicate")

    run(go())


def test_console_observe_and_cancel():
    async def go():
        out = io.StringIO()
        async with server_and_device("cli2", paths=[(3303, 0, 5700)]) as (server, dev):
            console = Console(server, out)
            res = dev.path(3303, 0, 5700)
            res.set(Code.CONTENT, 0, b"21.5")
            assert (await console.execute("observe cli2 /3303/0/5700")).startswith("observing 2.05")
            res.notify(0, b"22.0")
            await server.events.next("notification", "cli2", TIMEOUT)
            assert "notification cli2 /3303/0/5700 2.05 text" in out.getvalue()
            assert (await console.execute("cancel cli2 /3303/0/5700")).startswith("cancelled 2.05")
            assert dev.last(Code.GET).opt.observe == 1
            assert (await console.execute("observations")) == "no observations"

    run(go())


def test_python_m_host_sim_server_prints_registrations_and_answers_list():
    async def go():
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "host_sim.server", "--port", "0", cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        try:
            line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
            assert "listening on 127.0.0.1:" in line
            port = int(line.split(":")[1].split()[0])
            async with FakeDevice("cli3", port) as dev:
                assert (await dev.register()).code == Code.CREATED
                line = (await asyncio.wait_for(proc.stdout.readline(), TIMEOUT)).decode()
                assert line.startswith("registered cli3 id=")
                proc.stdin.write(b"list\nquit\n")
                line = (await asyncio.wait_for(proc.stdout.readline(), TIMEOUT)).decode()
                assert line.startswith("cli3 id=")
            assert await asyncio.wait_for(proc.wait(), TIMEOUT) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()

    run(go(), 30)


def test_commands_from_a_file_on_stdin(tmp_path):
    commands = tmp_path / "commands.txt"
    commands.write_text("list\nbogus\n")  # EOF ends it, as quit would
    import subprocess

    with open(commands, "rb") as stdin:
        out = subprocess.run([sys.executable, "-m", "host_sim.server", "--port", "0"], cwd=ROOT, stdin=stdin,
                             capture_output=True, timeout=30).stdout.decode()
    assert "no devices" in out and "unknown command 'bogus'" in out
