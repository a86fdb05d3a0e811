"""Registration interface of the embedded server (int-101..109 from the server side)."""
import asyncio

from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, FakeDevice, run

from host_sim.server import LwM2MServer


def test_register_answers_2_01_with_location_and_parses_objects():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev1", server.port) as dev:
                resp = await dev.register(lt=120, extra=("lwm2m=1.1", "b=U"))
                assert resp.code == Code.CREATED
                loc = resp.opt.location_path
                assert len(loc) == 2 and loc[0] == "rd"
                ev = await server.events.next("registered", "dev1", TIMEOUT)
                reg = ev.registration
                assert reg.id == loc[1] and reg.lifetime == 120 and reg.version == "1.1"
                assert reg.binding == "U" and not reg.queue
                assert reg.objects[1] == {"version": "1.1", "instances": [0]}
                assert reg.objects[3] == {"version": None, "instances": [0]}
                assert reg.objects[3303] == {"version": "1.1", "instances": [0]}
                assert reg.formats == [110]
                assert server.registration("dev1") is reg

    run(go())


def test_register_queue_mode_flag_and_alternate_path():
    async def go():
        async with LwM2MServer(port=0) as server:
            links = b'</lwm2m>;rt="oma.lwm2m",</lwm2m/3/0>,</lwm2m/5>'
            async with FakeDevice("dev2", server.port, links=links) as dev:
                resp = await dev.register(extra=("lwm2m=1.1", "b=U", "Q"))
                assert resp.code == Code.CREATED
                reg = server.registration("dev2")
                assert reg.queue and reg.root == "/lwm2m/"
                assert reg.objects == {3: {"version": None, "instances": [0]}, 5: {"version": None, "instances": []}}

    run(go())


def test_malformed_register_queries_get_4_00():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev3", server.port) as dev:
                bad = [
                    ("lt=60",),  # no ep
                    ("ep=dev3", "lt=abc"),
                    ("ep=dev3", "lt=-5"),
                    ("ep=dev3", "b=X"),
                    ("ep=dev3", "ep=other"),
                ]
                for query in bad:
                    resp = await dev.post("rd", query, b"</3/0>", 40)
                    assert resp.code == Code.BAD_REQUEST, query
                resp = await dev.post("rd", ("ep=dev3",), b"</3/0", 40)  # broken link-format
                assert resp.code == Code.BAD_REQUEST
                resp = await dev.post("rd", ("ep=dev3", "lwm2m=9.9"), b"</3/0>", 40)
                assert resp.code == Code.PRECONDITION_FAILED
                assert server.registrations() == []
                assert server.events.pending() == []

    run(go())


def test_update_answers_2_04_and_applies_query_and_objects():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev4", server.port) as dev:
                await dev.register(lt=60)
                resp = await dev.update()
                assert resp.code == Code.CHANGED
                ev = await server.events.next("updated", "dev4", TIMEOUT)
                assert ev.changed == []
                resp = await dev.update(("lt=300", "b=UQ"), b"</3/0>,</4/0>")
                assert resp.code == Code.CHANGED
                ev = await server.events.next("updated", "dev4", TIMEOUT)
                reg = ev.registration
                assert reg.lifetime == 300 and reg.queue and sorted(reg.objects) == [3, 4]
                assert sorted(ev.changed) == ["lifetime", "objects", "queue"]

    run(go())


def test_update_of_unknown_registration_gets_4_04():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev5", server.port) as dev:
                resp = await dev.post("rd/nosuchid")
                assert resp.code == Code.NOT_FOUND
                resp = await dev.post("rd/nosuchid", code=Code.DELETE)
                assert resp.code == Code.NOT_FOUND

    run(go())


def test_deregister_answers_2_02_and_forgets_the_device():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev6", server.port) as dev:
                await dev.register()
                resp = await dev.deregister()
                assert resp.code == Code.DELETED
                ev = await server.events.next("deregistered", "dev6", TIMEOUT)
                assert ev.registration.ep == "dev6"
                assert server.registration("dev6") is None
                assert (await dev.update()).code == Code.NOT_FOUND

    run(go())


def test_registration_expires_after_its_lifetime():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev7", server.port) as dev:
                await dev.register(lt=1)
                ev = await server.events.next("expired", "dev7", TIMEOUT)
                assert ev.registration.ep == "dev7"
                assert server.registration("dev7") is None
                assert (await dev.update()).code == Code.NOT_FOUND

    run(go())


def test_update_extends_the_lifetime():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev8", server.port) as dev:
                await dev.register(lt=1)
                await asyncio.sleep(0.6)
                await dev.update()
                await asyncio.sleep(0.6)
                assert server.registration("dev8") is not None  # 1.2 s after Register, 0.6 s after Update
                await server.events.next("expired", "dev8", TIMEOUT)

    run(go())


def test_register_again_replaces_the_old_registration():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev9", server.port) as dev:
                await dev.register()
                first = dev.location
                await dev.register()
                assert dev.location != first
                ev = await server.events.next("registered", "dev9", TIMEOUT, where=lambda e: e.replaced)
                assert ev.registration.id == dev.location.split("/")[1]
                resp = await dev.post(first)
                assert resp.code == Code.NOT_FOUND

    run(go())


def test_wrong_method_on_rd_gets_4_05_and_unknown_path_4_04():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev10", server.port) as dev:
                assert (await dev.post("rd", code=Code.GET)).code == Code.METHOD_NOT_ALLOWED
                assert (await dev.post("nothing")).code == Code.NOT_FOUND
                assert (await dev.post("bs", ("ep=x",))).code == Code.NOT_FOUND  # not a bootstrap server

    run(go())


def test_forgotten_registration_answers_the_next_update_with_4_04():
    async def go():
        async with LwM2MServer(port=0) as server:
            async with FakeDevice("dev11", server.port) as dev:
                await dev.register()
                reg = server.forget("dev11")
                assert reg.ep == "dev11" and server.registration("dev11") is None
                assert server.forget("dev11") is None
                assert (await dev.update()).code == Code.NOT_FOUND
                assert server.events.pending("deregistered") == []

    run(go())


class JumpLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock a test moves forward, as the simulator's
    virtual-time loop does."""

    offset = 0.0

    def time(self):
        return asyncio.SelectorEventLoop.time(self) + self.offset


def test_lifetime_and_queue_awake_time_run_on_the_loop_clock():
    loop = JumpLoop()

    async def go():
        async with LwM2MServer(port=0, awake_time=30) as server:
            async with FakeDevice("dev12", server.port) as dev:
                await dev.register(lt=60, extra=("lwm2m=1.1", "b=U", "Q"))
                await server.events.next("registered", "dev12", TIMEOUT)
                await asyncio.sleep(0.01)
                assert server.outbox("dev12").awake()
                loop.offset += 31
                assert not server.outbox("dev12").awake()
                assert server.registration("dev12") is not None
                loop.offset += 30
                await server.events.next("expired", "dev12", TIMEOUT)

    try:
        loop.run_until_complete(asyncio.wait_for(go(), 20))
    finally:
        loop.close()
