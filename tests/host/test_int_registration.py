"""OMA-ETS-LightweightM2M-V1_1 registration cases (int-101..105, 107), the
firmware client in-process against the embedded server over UDP loopback."""
from client_harness import TIMEOUT, run, server_and_client


def test_int_101_initial_registration():
    async def go():
        async with server_and_client("int101") as (server, client, model):
            reg = server.registration("int101")
            assert reg.lifetime == 300 and reg.binding == "U" and reg.version == "1.1"
            assert not reg.queue
            assert reg.objects[3]["instances"] == [0] and reg.objects[3303]["instances"] == [0]
            assert reg.objects[1]["version"] is None and 0 not in reg.objects  # Server 1.1: implied

    run(go())


def test_int_102_registration_update_before_lifetime_expires():
    async def go():
        async with server_and_client("int102", lifetime=4) as (server, client, model):
            ev = await server.events.next("updated", "int102", 4.0)
            assert ev.changed == []  # nothing changed: no parameters, no payload

    run(go())


def test_int_103_deregistration():
    async def go():
        async with server_and_client("int103") as (server, client, model):
            client.deregister()
            await server.events.next("deregistered", "int103", TIMEOUT)
            assert server.registration("int103") is None

    run(go())


def test_int_104_registration_update_trigger():
    async def go():
        async with server_and_client("int104") as (server, client, model):
            result = await server.execute("int104", "/1/0/8", timeout=TIMEOUT)
            assert result.code == 0x44
            await server.events.next("updated", "int104", TIMEOUT)

    run(go())


def test_int_105_discarded_register_update_registers_again():
    async def go():
        async with server_and_client("int105", lifetime=4) as (server, client, model):
            server.forget("int105")  # the server forgets the device
            ev = await server.events.next("registered", "int105", 4.0)
            assert server.registration("int105") is ev.registration

    run(go())


def test_int_107_extending_the_lifetime():
    async def go():
        async with server_and_client("int107") as (server, client, model):
            result = await server.write("int107", "/1/0/1", {(1, 0, 1): 600}, fmt="senml-json", timeout=TIMEOUT)
            assert result.code == 0x44
            ev = await server.events.next("updated", "int107", TIMEOUT)
            assert ev.changed == ["lifetime"] and server.registration("int107").lifetime == 600

    run(go())


def test_object_instance_created_by_the_application_is_announced_in_an_update():
    async def go():
        async with server_and_client("objupd") as (server, client, model):
            model.add(3303, 1, {5700: 3.0})
            ev = await server.events.next("updated", "objupd", TIMEOUT)
            assert ev.changed == ["objects"]
            assert server.registration("objupd").objects[3303]["instances"] == [0, 1]

    run(go())


def test_int_108_turn_on_queue_mode():
    async def go():
        async with server_and_client("int108", queue=True) as (server, client, model):
            assert server.registration("int108").queue

    run(go())


def test_int_109_behaviour_in_queue_mode():
    import asyncio

    async def go():
        async with server_and_client("int109", lifetime=4, queue=True, awake_ms=300, sleepy=True,
                                     server_settings={"awake_time": 0.3}) as (server, client, model):
            while not client.sleep_ms():
                await asyncio.sleep(0.01)
            # asleep: the server holds the request until the device's Update wakes it
            r = await server.read("int109", "/3/0/0", accept="text", timeout=6.0)
            assert r.code == 0x45 and r.payload == b"Open Mobile Alliance"
            assert server.events.pending("updated", "int109")

    run(go())
