"""Bad input from a device gets a clean 4.xx and changes nothing; the server
keeps serving (checked with hypothesis-made queries and payloads)."""
import asyncio
import socket

from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, FakeDevice, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host_sim.server import LwM2MServer

PARAM = st.sampled_from(["ep", "lt", "lwm2m", "b", "Q", "sms", "x", ""])
VALUE = st.one_of(st.none(), st.sampled_from(["dev", "60", "-1", "0", "1.1", "9", "U", "UQ", "T", "Z", ""]),
                  st.text(max_size=8))
QUERY = st.lists(st.tuples(PARAM, VALUE).map(lambda kv: kv[0] if kv[1] is None else "%s=%s" % kv), max_size=6)
LINK = st.one_of(
    st.sampled_from(['</>;rt="oma.lwm2m"', "</3/0>", "</1>;ver=1.1", "</1>;ver", "</a/b>", "</3/0/1/2>", "<3>",
                     "</65536/0>", '</lwm2m>;rt="oma.lwm2m";ct="60 110"', "</lwm2m/3/0>", ";", ",", "<", ""]),
    st.text(max_size=10))
PAYLOAD = st.one_of(st.lists(LINK, max_size=5).map(lambda ls: ",".join(ls).encode()), st.binary(max_size=40))

OK = (Code.CREATED, Code.BAD_REQUEST, Code.PRECONDITION_FAILED)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=QUERY, payload=PAYLOAD)
def test_any_register_request_gets_2_01_or_a_4_xx_and_nothing_else(query, payload):
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("fz", server.port) as dev:
                resp = await dev.post("rd", query, payload, 40)
                assert resp.code in OK, (resp.code, query, payload)
                regs = server.registrations()
                if resp.code == Code.CREATED:
                    assert len(regs) == 1 and server.events.pending("registered")
                    # and an Update with the same junk leaves it registered
                    resp = await dev.post("/".join(resp.opt.location_path), query, payload, 40)
                    assert resp.code in (Code.CHANGED, Code.BAD_REQUEST)
                    assert len(server.registrations()) == 1
                else:
                    assert regs == [] and server.events.pending() == []

    run(go())


def test_garbage_datagrams_do_not_stop_the_server():
    async def go():
        async with LwM2MServer(port=0) as server:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                for junk in (b"", b"\xff", b"\x40\x01", b"\x42\x02\x00\x01\xff", bytes(range(64)), b"\x50" * 30):
                    sock.sendto(junk, ("127.0.0.1", server.port))
            finally:
                sock.close()
            await asyncio.sleep(0.1)
            async with FakeDevice("after", server.port) as dev:
                assert (await dev.register()).code == Code.CREATED
                await server.events.next("registered", "after", TIMEOUT)

    run(go())
