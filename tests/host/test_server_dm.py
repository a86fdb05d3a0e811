"""Device-management operations of the embedded server, checked on the wire
at a device played by aiocoap with hand-built payloads."""
import asyncio

import pytest
from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, FakeDevice, run, server_and_device

from host_sim.server import LwM2MServer, UnknownEndpoint

SENML_JSON = b'[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"}]'


def test_read_sends_get_with_accept_and_returns_code_and_payload():
    async def go():
        async with server_and_device("r1", paths=[(3, 0, 0)]) as (server, dev):
            dev.path(3, 0, 0).set(Code.CONTENT, 110, SENML_JSON)
            result = await server.read("r1", "/3/0/0", accept="senml-json", timeout=TIMEOUT)
            req = dev.last(Code.GET)
            assert req.opt.uri_path == ("3", "0", "0") and int(req.opt.accept) == 110
            assert req.opt.observe is None
            assert result.code == 0x45 and result.code_str == "2.05" and result.ok
            assert result.format == 110 and result.payload == SENML_JSON

    run(go())


def test_read_without_accept_sends_no_accept_option():
    async def go():
        async with server_and_device("r2", paths=[(3, 0, 0)]) as (server, dev):
            dev.path(3, 0, 0).set(Code.CONTENT, 0, b"Open Mobile Alliance")
            result = await server.read("r2", (3, 0, 0), timeout=TIMEOUT)
            assert dev.last(Code.GET).opt.accept is None
            assert result.format == 0 and result.payload == b"Open Mobile Alliance"

    run(go())


def test_error_answer_is_returned_not_raised():
    async def go():
        async with server_and_device("r3", paths=[(0, 0)]) as (server, dev):
            dev.path(0, 0).set(Code.UNAUTHORIZED)
            result = await server.read("r3", "/0/0", timeout=TIMEOUT)
            assert result.code == 0x81 and not result.ok
            result = await server.read("r3", "/9/9", timeout=TIMEOUT)  # no such path on the device
            assert result.code == 0x84

    run(go())


def test_discover_asks_for_link_format_and_decodes_it():
    async def go():
        async with server_and_device("r4", paths=[(3, 0)]) as (server, dev):
            dev.path(3, 0).set(Code.CONTENT, 40, b"</3/0>,</3/0/1>,</3/0/7>;dim=2;pmin=10")
            result = await server.discover("r4", "/3/0", timeout=TIMEOUT)
            assert int(dev.last(Code.GET).opt.accept) == 40
            assert result.content == [("/3/0", []), ("/3/0/1", []), ("/3/0/7", [("dim", "2"), ("pmin", "10")])]

    run(go())


def test_write_replace_is_put_and_partial_update_is_post():
    async def go():
        async with server_and_device("w1", paths=[(3, 0, 14), (3, 0)]) as (server, dev):
            dev.path(3, 0, 14).set(Code.CHANGED)
            dev.path(3, 0).set(Code.CHANGED)
            payload = b'[{"bn":"/3/0/14","vs":"+02:00"}]'
            result = await server.write("w1", "/3/0/14", payload=payload, fmt="senml-json", timeout=TIMEOUT)
            req = dev.last()
            assert result.code == 0x44 and req.code == Code.PUT
            assert int(req.opt.content_format) == 110 and req.payload == payload
            result = await server.write("w1", "/3/0", payload=b"\xc8\x0e\x06+02:00", fmt="tlv", replace=False,
                                        timeout=TIMEOUT)
            req = dev.last()
            assert result.code == 0x44 and req.code == Code.POST and req.opt.uri_path == ("3", "0")
            assert int(req.opt.content_format) == 11542 and req.payload == b"\xc8\x0e\x06+02:00"

    run(go())


def test_write_attributes_is_put_with_query_only():
    async def go():
        async with server_and_device("a1", paths=[(3303, 0, 5700)]) as (server, dev):
            dev.path(3303, 0, 5700).set(Code.CHANGED)
            result = await server.write_attributes("a1", "/3303/0/5700", {"pmin": 10, "gt": 20.5, "st": None},
                                                   timeout=TIMEOUT)
            req = dev.last()
            assert result.code == 0x44 and req.code == Code.PUT
            assert req.opt.uri_query == ("gt=20.5", "pmin=10", "st") and req.payload == b""
            assert req.opt.content_format is None
            await server.write_attributes("a1", "/3303/0/5700", {"st": 0.00001, "edge": True, "lt": 1e20},
                                          timeout=TIMEOUT)
            assert dev.last().opt.uri_query == ("edge=1", "lt=100000000000000000000", "st=0.00001")

    run(go())


def test_execute_is_post_with_optional_text_arguments():
    async def go():
        async with server_and_device("x1", paths=[(3, 0, 4)]) as (server, dev):
            dev.path(3, 0, 4).set(Code.CHANGED)
            assert (await server.execute("x1", "/3/0/4", timeout=TIMEOUT)).code == 0x44
            req = dev.last()
            assert req.code == Code.POST and req.payload == b"" and req.opt.content_format is None
            await server.execute("x1", "/3/0/4", "0='abc',1", timeout=TIMEOUT)
            req = dev.last()
            assert req.payload == b"0='abc',1" and int(req.opt.content_format) == 0

    run(go())


def test_create_returns_location_and_delete_is_delete():
    async def go():
        async with server_and_device("c1", paths=[(3303,), (3303, 1)]) as (server, dev):
            dev.handlers[(Code.POST, (3303,))] = lambda req: __import__("aiocoap").Message(
                code=Code.CREATED, location_path=("3303", "1"))
            dev.path(3303, 1).set(Code.DELETED)
            result = await server.create("c1", "/3303", payload=b'[{"n":"/3303/1/5700","v":21.5}]',
                                         fmt="senml-json", timeout=TIMEOUT)
            req = dev.last(Code.POST)
            assert req.opt.uri_path == ("3303",) and int(req.opt.content_format) == 110
            assert result.code == 0x41 and result.location == ("3303", "1")
            result = await server.delete("c1", "/3303/1", timeout=TIMEOUT)
            assert result.code == 0x42 and dev.last().code == Code.DELETE

    run(go())


def test_read_composite_is_fetch_and_write_composite_is_ipatch():
    async def go():
        async with server_and_device("f1", paths=[()]) as (server, dev):
            dev.path().set(Code.CONTENT, 110, SENML_JSON)
            paths = b'[{"n":"/3/0/0"},{"n":"/3303/0/5700"}]'
            result = await server.read_composite("f1", ["/3/0/0", "/3303/0/5700"], fmt="senml-json",
                                                 payload=paths, timeout=TIMEOUT)
            req = dev.last()
            assert req.code == Code.FETCH and req.opt.uri_path == () and req.payload == paths
            assert int(req.opt.content_format) == 110 and int(req.opt.accept) == 110
            assert result.code == 0x45 and result.payload == SENML_JSON
            dev.path().set(Code.CHANGED)
            values = b'[{"n":"/3/0/14","vs":"+01:00"}]'
            result = await server.write_composite("f1", fmt="senml-json", payload=values, timeout=TIMEOUT)
            req = dev.last()
            assert req.code == Code.iPATCH and req.payload == values and result.code == 0x44

    run(go())


def test_unknown_endpoint_raises_at_once():
    async def go():
        async with server_and_device("u1") as (server, dev):
            with pytest.raises(UnknownEndpoint):
                await server.read("nobody", "/3/0")

    run(go())


def test_request_to_a_silent_device_times_out():
    async def go():
        async with server_and_device("t1", paths=[(3, 0)]) as (server, dev):
            dev.path(3, 0).answer = None
            with pytest.raises(asyncio.TimeoutError):
                await server.read("t1", "/3/0", timeout=0.5)
            dev.path(3, 0).set(Code.CONTENT, 0, b"x")  # the exchange after it is not held up
            assert (await server.read("t1", "/3/0", timeout=TIMEOUT)).payload == b"x"


def test_request_to_a_closed_port_raises_connection_error():
    async def go():
        async with server_and_device("t2", paths=[(3, 0)]) as (server, dev):
            await dev.stop()
            with pytest.raises(ConnectionError):
                await server.read("t2", "/3/0", timeout=TIMEOUT)

    run(go())


def test_operations_follow_an_update_from_a_new_address():
    async def go():
        async with server_and_device("n1", paths=[(3, 0)]) as (server, dev):
            dev.path(3, 0).set(Code.CONTENT, 0, b"x")
            old = server.registration("n1").address
            await dev.move()
            assert (await dev.update()).code == Code.CHANGED
            ev = await server.events.next("updated", "n1", TIMEOUT)
            assert ev.changed == ["address"] and server.registration("n1").address != old
            result = await server.read("n1", "/3/0", timeout=TIMEOUT)
            assert result.code == 0x45 and dev.last().opt.uri_path == ("3", "0")

    run(go())


def test_send_is_answered_2_04_and_reported():
    async def go():
        async with server_and_device("s1") as (server, dev):
            payload = b'[{"bn":"/3303/0/","n":"5700","v":21.5}]'
            resp = await dev.post("dp", payload=payload, fmt=110)
            assert resp.code == Code.CHANGED
            ev = await server.events.next("send", "s1", TIMEOUT)
            assert ev.format == 110 and ev.payload == payload
            assert (await dev.post("dp", payload=payload)).code == Code.BAD_REQUEST  # no Content-Format

    run(go())


def test_send_from_an_unregistered_address_gets_4_04():
    async def go():
        async with server_and_device("s2", register=False) as (server, dev):
            resp = await dev.post("dp", payload=b"[]", fmt=110)
            assert resp.code == Code.NOT_FOUND
            assert server.events.pending("send") == []

    run(go())


def test_large_answers_and_writes_go_block_wise():
    async def go():
        async with server_and_device("bw1", paths=[(5, 0, 0)]) as (server, dev):
            big = bytes(range(256)) * 12  # 3 KB: more than one datagram
            dev.path(5, 0, 0).set(Code.CONTENT, 42, big)
            result = await server.read("bw1", "/5/0/0", accept="opaque", timeout=TIMEOUT)
            assert result.code == 0x45 and result.payload == big
            dev.path(5, 0, 0).set(Code.CHANGED)
            result = await server.write("bw1", "/5/0/0", payload=big, fmt="opaque", timeout=TIMEOUT)
            assert result.code == 0x44 and dev.last(Code.PUT).payload == big

    run(go())


def test_large_registration_payload_arrives_block_wise():
    async def go():
        links = b'</>;rt="oma.lwm2m",' + b",".join(b"</%d/0>" % i for i in range(3300, 3500))
        async with server_and_device("bw2", links=links) as (server, dev):
            assert len(server.registration("bw2").objects) == 200

    run(go())


def test_ipv6_loopback():
    import socket

    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")

    async def go():
        async with LwM2MServer(host="::1", port=0) as server:
            async with FakeDevice("v6", server.port, host="::1") as dev:
                dev.path(3, 0, 0).set(Code.CONTENT, 0, b"x")
                assert (await dev.register()).code == Code.CREATED
                assert server.registration("v6").address.startswith("[::1]:")
                assert (await server.read("v6", "/3/0/0", timeout=TIMEOUT)).payload == b"x"

    run(go())
