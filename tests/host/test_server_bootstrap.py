"""Bootstrap-server mode (int-0 from the server side): POST /bs, then the
configured script, then Bootstrap-Finish."""
from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, run, server_and_device

from host_sim.server.bootstrap import Bootstrap

SECURITY = b"\x08\x01\x0b\xc1\x00\x01"  # hand-built TLV, opaque to the server


def bootstrapper(**kw):
    script = [("delete", "/"), ("write", "/0/1", SECURITY, "tlv"), ("discover", "/")]
    return Bootstrap({"b1": script}, **kw)


def test_bootstrap_request_runs_the_script_and_finishes():
    async def go():
        async with server_and_device("b1", paths=[(), (0, 1), ("bs",)], register=False,
                                     bootstrap=bootstrapper()) as (server, dev):
            dev.path().set(Code.DELETED)
            dev.handlers[(Code.GET, ())] = lambda req: __import__("aiocoap").Message(
                code=Code.CONTENT, payload=b"</0/1>,</1>", content_format=40)
            dev.path(0, 1).set(Code.CHANGED)
            dev.path("bs").set(Code.CHANGED)
            resp = await dev.post("bs", ("ep=b1", "pct=11542"))
            assert resp.code == Code.CHANGED
            ev = await server.events.next("bootstrap-request", "b1", TIMEOUT)
            assert ev.pct == 11542
            ev = await server.events.next("bootstrap-finished", "b1", TIMEOUT)
            assert ev.ok, ev.results
            wire = [(r.code, r.opt.uri_path) for r in dev.requests]
            assert wire == [(Code.DELETE, ()), (Code.PUT, ("0", "1")), (Code.GET, ()), (Code.POST, ("bs",))]
            put = dev.requests[1]
            assert put.payload == SECURITY and int(put.opt.content_format) == 11542
            assert int(dev.requests[2].opt.accept) == 40
            assert ev.results[2][1].content == [("/0/1", []), ("/1", [])]

    run(go())


def test_bootstrap_request_without_ep_or_configuration_gets_4_00():
    async def go():
        async with server_and_device("b2", register=False, bootstrap=bootstrapper()) as (server, dev):
            assert (await dev.post("bs", ("pct=112",))).code == Code.BAD_REQUEST
            assert (await dev.post("bs", ("ep=unknown",))).code == Code.BAD_REQUEST
            assert (await dev.post("bs", ("ep=b1", "pct=senml"))).code == Code.BAD_REQUEST
            assert server.events.pending() == []

    run(go())


def test_failed_step_ends_the_bootstrap_without_finish():
    async def go():
        async with server_and_device("b1", paths=[(), ("bs",)], register=False,
                                     bootstrap=bootstrapper()) as (server, dev):
            dev.path().set(Code.METHOD_NOT_ALLOWED)
            await dev.post("bs", ("ep=b1",))
            ev = await server.events.next("bootstrap-finished", "b1", TIMEOUT)
            assert not ev.ok and ev.results[0][1].code == 0x85
            assert [r.code for r in dev.requests] == [Code.DELETE]

    run(go())


def test_a_test_can_drive_bootstrap_by_hand():
    async def go():
        async with server_and_device("b3", paths=[(1,), ("bs",)], register=False,
                                     bootstrap=Bootstrap(default=[], finish=False)) as (server, dev):
            dev.path(1).set(Code.DELETED)
            dev.path("bs").set(Code.NOT_ACCEPTABLE)
            await dev.post("bs", ("ep=b3",))
            await server.events.next("bootstrap-request", "b3", TIMEOUT)
            assert (await server.delete("b3", "/1", timeout=TIMEOUT)).code == 0x42
            assert (await server.bootstrap_finish("b3", timeout=TIMEOUT)).code == 0x86
            assert "b3" not in server.bootstrap.sessions

    run(go())


def test_script_for_points_the_device_at_a_server():
    from host_sim.server.bootstrap import script_for

    script = script_for("coap://127.0.0.1:5683", ssid=7, lifetime=60)
    assert script[0] == ("delete", "/")
    assert script[1] == ("write", "/0/1", {0: "coap://127.0.0.1:5683", 1: False, 2: 3, 10: 7})
    assert script[2] == ("write", "/1/0", {0: 7, 1: 60, 6: False, 7: "U"})
    psk = script_for("coaps://h:5684", identity="dev", key=b"k" * 16)[1][2]
    assert psk[2] == 0 and psk[3] == b"dev" and psk[5] == b"k" * 16


def test_bootstrap_script_values_go_out_encoded_with_table_types():
    import cbor2

    from host_sim.server.bootstrap import script_for

    async def go():
        boot = Bootstrap(default=script_for("coap://127.0.0.1:5683"))
        async with server_and_device("b4", paths=[(), (0, 1), (1, 0), ("bs",)], register=False,
                                     bootstrap=boot) as (server, dev):
            for path in [(), (0, 1), (1, 0), ("bs",)]:
                dev.path(*path).set(Code.CHANGED if path else Code.DELETED)
            await dev.post("bs", ("ep=b4",))
            ev = await server.events.next("bootstrap-finished", "b4", TIMEOUT)
            assert ev.ok, ev.results
            put = [r for r in dev.requests if r.code == Code.PUT and r.opt.uri_path == ("0", "1")][0]
            assert int(put.opt.content_format) == 112
            records = cbor2.loads(put.payload)
            values = {r.get(0, ""): r for r in records}
            assert any(r.get(3) == "coap://127.0.0.1:5683" for r in records)
            assert any(r.get(4) is False for r in records)  # /0/1/1 Bootstrap-Server: a boolean
            assert len(values) == 4

    run(go())
