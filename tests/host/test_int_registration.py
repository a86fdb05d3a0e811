"""OMA-ETS-LightweightM2M-V1_1 registration cases (int-101..105, 107..109) against the
embedded server over UDP loopback, each with the client in-process on CPython and as a
micropython process (tests/host/int_device.py)."""
from client_harness import TIMEOUT, run
from int_device import both, server_and_device


@both
def test_int_101_initial_registration(kind):
    async def go():
        async with server_and_device(kind, "int101") as (server, dev):
            reg = server.registration("int101")
            assert reg.lifetime == 300 and reg.binding == "U" and reg.version == "1.1"
            assert not reg.queue
            assert reg.objects[3]["instances"] == [0] and reg.objects[3303]["instances"] == [0]
            assert reg.objects[1]["version"] is None and 0 not in reg.objects  # Server 1.1: implied

    run(go())


@both
def test_int_102_registration_update(kind):
    async def go():
        async with server_and_device(kind, "int102", lifetime=4) as (server, dev):
            # before the lifetime expires, on its own
            ev = await server.events.next("updated", "int102", 4.0)
            assert ev.changed == []  # nothing changed: no parameters, no payload
            # and when the application asks for one
            await dev.ok("update")
            ev = await server.events.next("updated", "int102", TIMEOUT)
            assert ev.changed == []

    run(go())


@both
def test_int_103_deregistration(kind):
    async def go():
        async with server_and_device(kind, "int103") as (server, dev):
            await dev.ok("deregister")
            await server.events.next("deregistered", "int103", TIMEOUT)
            assert server.registration("int103") is None

    run(go())


@both
def test_int_104_registration_update_trigger(kind):
    async def go():
        async with server_and_device(kind, "int104") as (server, dev):
            result = await server.execute("int104", "/1/0/8", timeout=TIMEOUT)
            assert result.code == 0x44
            await server.events.next("updated", "int104", TIMEOUT)

    run(go())


@both
def test_int_105_discarded_register_update_registers_again(kind):
    async def go():
        async with server_and_device(kind, "int105") as (server, dev):
            server.forget("int105")  # the server forgets the device: its Update gets 4.04
            await dev.ok("update")
            ev = await server.events.next("registered", "int105", TIMEOUT)
            assert server.registration("int105") is ev.registration

    run(go())


@both
def test_int_107_extending_the_lifetime(kind):
    async def go():
        async with server_and_device(kind, "int107") as (server, dev):
            result = await server.write("int107", "/1/0/1", {(1, 0, 1): 600}, fmt="senml-json", timeout=TIMEOUT)
            assert result.code == 0x44
            ev = await server.events.next("updated", "int107", TIMEOUT)
            assert ev.changed == ["lifetime"] and server.registration("int107").lifetime == 600

    run(go())


@both
def test_object_instance_created_by_the_application_is_announced_in_an_update(kind):
    async def go():
        async with server_and_device(kind, "objupd") as (server, dev):
            await dev.ok("create /3303/1 5700=3.0")
            ev = await server.events.next("updated", "objupd", TIMEOUT)
            assert ev.changed == ["objects"]
            assert server.registration("objupd").objects[3303]["instances"] == [0, 1]

    run(go())


@both
def test_int_108_turn_on_queue_mode(kind):
    async def go():
        async with server_and_device(kind, "int108", args=["--queue"]) as (server, dev):
            assert server.registration("int108").queue

    run(go())


@both
def test_int_109_behaviour_in_queue_mode(kind):
    async def go():
        async with server_and_device(kind, "int109", lifetime=4, args=["--queue", "--awake", "1"],
                                     server_settings={"awake_time": 0.3}) as (server, dev):
            await dev.wait_output("# asleep")
            # asleep: the server holds the request until the device's Update wakes it
            r = await server.read("int109", "/3/0/0", accept="text", timeout=6.0)
            assert r.code == 0x45 and r.payload == b"lwm2m-micropython"
            assert server.events.pending("updated", "int109")
            assert dev.output().index("# awake") > dev.output().index("# asleep")

    run(go())
