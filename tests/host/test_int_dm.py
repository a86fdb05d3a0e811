"""OMA-ETS-LightweightM2M-V1_1 device management cases (int-2xx) against the embedded
server over UDP loopback, each with the client in-process on CPython and as a micropython
process (tests/host/int_device.py): the device of lwm2m.main, acted on through the
server's API and the device's commands."""
from client_harness import TIMEOUT, run, server_and_client
from int_device import both, server_and_device

DEVICE = {(3, 0, 0): "lwm2m-micropython", (3, 0, 1): "unix", (3, 0, 2): "0001"}
TEMP = (3303, 0, 5700)


def _dm(kind, ep, body, **kw):
    async def go():
        async with server_and_device(kind, ep, **kw) as (server, dev):
            await body(server, dev)

    run(go())


async def _read(server, ep, path):
    r = await server.read(ep, path, accept="senml-json", timeout=TIMEOUT)
    assert r.code == 0x45, r
    return r.values()


def _read_basic_information(kind, ep, fmt, number):
    async def body(server, dev):
        r = await server.read(ep, "/3/0", accept=fmt, timeout=TIMEOUT)
        assert r.code == 0x45 and r.format == number, r
        values = r.values()
        for path, v in DEVICE.items():
            assert values[path] == v
        assert values[(3, 0, 6, 1)] == 5

    _dm(kind, ep, body)


@both
def test_int_201_querying_basic_information_in_plain_text(kind):
    async def body(server, dev):
        for path, v in DEVICE.items():
            r = await server.read("int201", path, accept="text", timeout=TIMEOUT)
            assert r.code == 0x45 and r.format == 0 and r.payload == v.encode()

    _dm(kind, "int201", body)


@both
def test_int_203_querying_basic_information_in_tlv(kind):
    _read_basic_information(kind, "int203", "tlv", 11542)


@both
def test_int_204_querying_basic_information_in_json(kind):
    _read_basic_information(kind, "int204", "lwm2m-json", 11543)


@both
def test_int_211_querying_basic_information_in_cbor(kind):
    async def body(server, dev):
        r = await server.read("int211", "/3/0/0", accept="cbor", timeout=TIMEOUT)
        assert r.code == 0x45 and r.format == 60 and r.values()[(3, 0, 0)] == "lwm2m-micropython"

    _dm(kind, "int211", body)


@both
def test_int_231_querying_basic_information_in_senml_json(kind):
    _read_basic_information(kind, "int231", "senml-json", 110)


@both
def test_int_232_querying_basic_information_in_senml_cbor(kind):
    _read_basic_information(kind, "int232", "senml-cbor", 112)


def _set_basic_information(kind, ep, fmt):
    async def body(server, dev):
        values = {(1, 0, 1): 1200, (1, 0, 2): 7, (1, 0, 3): 900}
        if fmt in ("text", "cbor"):  # single-value formats: one resource at a time
            for path, v in values.items():
                r = await server.write(ep, path, {path: v}, fmt=fmt, timeout=TIMEOUT)
                assert r.code == 0x44, r
        else:
            r = await server.write(ep, "/1/0", values, fmt=fmt, replace=False, timeout=TIMEOUT)
            assert r.code == 0x44, r
        got = await _read(server, ep, "/1/0")
        for path, v in values.items():
            assert got[path] == v
        ev = await server.events.next("updated", ep, TIMEOUT)
        assert "lifetime" in ev.changed

    _dm(kind, ep, body)


@both
def test_int_205_setting_basic_information_in_plain_text(kind):
    _set_basic_information(kind, "int205", "text")


@both
def test_int_212_setting_basic_information_in_tlv(kind):
    _set_basic_information(kind, "int212", "tlv")


@both
def test_int_215_setting_basic_information_in_json(kind):
    _set_basic_information(kind, "int215", "lwm2m-json")


@both
def test_int_220_setting_basic_information_in_cbor(kind):
    _set_basic_information(kind, "int220", "cbor")


@both
def test_int_233_setting_basic_information_in_senml_json(kind):
    _set_basic_information(kind, "int233", "senml-json")


@both
def test_int_234_setting_basic_information_in_senml_cbor(kind):
    _set_basic_information(kind, "int234", "senml-cbor")


@both
def test_int_221_attempt_to_perform_operations_on_security(kind):
    async def body(server, dev):
        for r in (await server.read("int221", "/0", timeout=TIMEOUT),
                  await server.read("int221", "/0/0", timeout=TIMEOUT),
                  await server.read("int221", "/0/0/0", accept="text", timeout=TIMEOUT),
                  await server.discover("int221", "/0", timeout=TIMEOUT),
                  await server.write("int221", "/0/0/0", {(0, 0, 0): "coap://evil"}, fmt="senml-json",
                                     timeout=TIMEOUT),
                  await server.delete("int221", "/0/0", timeout=TIMEOUT),
                  await server.create("int221", "/0", {(0, 1, 0): "coap://evil"}, fmt="senml-json",
                                      timeout=TIMEOUT)):
            assert r.code == 0x81, r
        # nothing changed: the device still registers where it did
        await dev.ok("update")
        ev = await server.events.next("updated", "int221", TIMEOUT)
        assert ev.changed == []

    _dm(kind, "int221", body)


def test_int_221_security_object_unchanged_in_process():
    # cpython only: the Security instances are invisible to any server, so only in-process can
    # the case look at them
    async def go():
        async with server_and_client("int221b") as (server, client, model):
            r = await server.create("int221b", "/0", {(0, 1, 0): "coap://evil"}, fmt="senml-json",
                                    timeout=TIMEOUT)
            assert r.code == 0x81 and model.instances(0) == [0]

    run(go())


@both
def test_int_222_to_225_read_on_object_instance_resource_resource_instance(kind):
    async def body(server, dev):
        assert (await _read(server, "int222", "/3303"))[TEMP] == 21.0
        assert (await _read(server, "int222", "/3303/0"))[(3303, 0, 5701)] == "Cel"
        assert await _read(server, "int222", "/3/0/6") == {(3, 0, 6, 0): 1, (3, 0, 6, 1): 5}
        assert await _read(server, "int222", "/3/0/7") == {(3, 0, 7, 0): 3800, (3, 0, 7, 1): 5000}
        assert await _read(server, "int222", "/3/0/6/1") == {(3, 0, 6, 1): 5}
        assert await _read(server, "int222", "/3/0/8/0") == {(3, 0, 8, 0): 120}
        assert await _read(server, "int222", "/3/0/11") == {(3, 0, 11, 0): 0}
        assert (await _read(server, "int222", "/6/0"))[(6, 0, 0)] == 48.8584

    _dm(kind, "int222", body)


@both
def test_int_226_write_partial_update_on_instance(kind):
    async def body(server, dev):
        r = await server.write("int226", "/3303/0", {(3303, 0, 5750): "hall"}, fmt="senml-cbor",
                               replace=False, timeout=TIMEOUT)
        assert r.code == 0x44
        got = await _read(server, "int226", "/3303/0")
        assert got[(3303, 0, 5750)] == "hall" and got[(3303, 0, 5701)] == "Cel"

    _dm(kind, "int226", body)


@both
def test_int_227_write_replace_on_resource(kind):
    async def body(server, dev):
        r = await server.write("int227", "/3303/0/5750", {(3303, 0, 5750): "attic"}, fmt="tlv", timeout=TIMEOUT)
        assert r.code == 0x44
        assert await _read(server, "int227", "/3303/0/5750") == {(3303, 0, 5750): "attic"}

    _dm(kind, "int227", body)


@both
def test_int_228_write_on_resource_instance(kind):
    # the ACL (/2/x/2) of lwm2m.main's Access Control instance: the writable multiple resource
    # of the core objects a LwM2M 1.1 client carries (Server 1.1 has none)
    async def body(server, dev):
        r = await server.write("int228", "/2/0/2/7", {(2, 0, 2, 7): 3}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44
        assert await _read(server, "int228", "/2/0/2") == {(2, 0, 2, 1): 15, (2, 0, 2, 7): 3}

    _dm(kind, "int228", body)


@both
def test_int_229_read_composite(kind):
    async def body(server, dev):
        r = await server.read_composite("int229", ["/3/0/0", "/3303/0/5700", "/1/0/1"], fmt="senml-json",
                                        timeout=TIMEOUT)
        assert r.code == 0x45
        assert r.values() == {(3, 0, 0): "lwm2m-micropython", TEMP: 21.0, (1, 0, 1): 300}

    _dm(kind, "int229", body)


@both
def test_int_280_successful_read_composite(kind):
    async def body(server, dev):
        # whole instances, a resource and a resource instance, each present, in SenML CBOR
        r = await server.read_composite("int280", ["/3303/0", "/3/0/6/1", "/1/0", "/6/0/1"], fmt="senml-cbor",
                                        timeout=TIMEOUT)
        v = r.values()
        assert r.code == 0x45 and r.format == 112
        assert v[TEMP] == 21.0 and v[(3303, 0, 5701)] == "Cel" and v[(3, 0, 6, 1)] == 5
        assert v[(1, 0, 1)] == 300 and v[(6, 0, 1)] == 2.2945
        assert (3, 0, 6, 0) not in v and (6, 0, 0) not in v

    _dm(kind, "int280", body)


@both
def test_int_235_read_composite_on_root_path(kind):
    async def body(server, dev):
        r = await server.read_composite("int235", ["/"], fmt="senml-cbor", timeout=TIMEOUT)
        assert r.code == 0x45
        v = r.values()
        assert v[(3, 0, 0)] == "lwm2m-micropython" and v[TEMP] == 21.0
        assert not [p for p in v if p[0] == 0]

    _dm(kind, "int235", body)


@both
def test_int_236_281_read_composite_with_partial_presence(kind):
    async def body(server, dev):
        r = await server.read_composite("int236", ["/3303/0/5700", "/3303/9", "/3/0/17"], fmt="senml-json",
                                        timeout=TIMEOUT)
        assert r.code == 0x45 and r.values() == {TEMP: 21.0}

    _dm(kind, "int236", body)


@both
def test_int_230_257_write_composite(kind):
    async def body(server, dev):
        r = await server.write_composite("int230", {(3303, 0, 5750): "cellar", (1, 0, 1): 900}, fmt="senml-cbor",
                                         timeout=TIMEOUT)
        assert r.code == 0x44
        r = await server.read_composite("int230", ["/3303/0/5750", "/1/0/1"], fmt="senml-json", timeout=TIMEOUT)
        assert r.values() == {(3303, 0, 5750): "cellar", (1, 0, 1): 900}

    _dm(kind, "int230", body)


@both
def test_int_237_read_without_content_format_uses_the_default(kind):
    async def body(server, dev):
        r = await server.read("int237", "/3/0", timeout=TIMEOUT)
        # lwm2m.main's device keeps the client's default, SenML CBOR
        assert r.code == 0x45 and r.format == 112 and r.values()[(3, 0, 0)] == "lwm2m-micropython"

    _dm(kind, "int237", body)


@both
def test_int_241_executable_resource_reboot(kind):
    async def body(server, dev):
        r = await server.execute("int241", "/3/0/4", timeout=TIMEOUT)
        assert r.code == 0x44
        await dev.wait_output("# reboot requested")
        out = dev.output()  # the hook runs once its 2.04 went out
        assert out.index("> A 2.04", out.index("< C POST mid")) < out.index("# reboot requested")

    _dm(kind, "int241", body)


@both
def test_int_256_write_failure_leaves_everything_as_it_was(kind):
    async def body(server, dev):
        r = await server.write("int256", "/3/0/0", {(3, 0, 0): "x"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x85  # read-only resource
        r = await server.write("int256", "/1/0", payload=b'[{"n":"/1/0/1","v":60},{"n":"/1/0/7","v":1}]',
                               fmt="senml-json", replace=False, timeout=TIMEOUT)
        assert r.code == 0x80
        assert await _read(server, "int256", "/1/0/1") == {(1, 0, 1): 300}
        assert (await _read(server, "int256", "/3/0/0"))[(3, 0, 0)] == "lwm2m-micropython"

    _dm(kind, "int256", body)


@both
def test_int_260_discover_command(kind):
    async def body(server, dev):
        await server.write_attributes("int260", "/3/0", {"pmin": 10, "pmax": 60}, timeout=TIMEOUT)
        r = await server.discover("int260", "/3/0", timeout=TIMEOUT)
        assert r.code == 0x45 and r.format == 40
        links = dict(r.content)
        assert links["/3/0"] == [("pmin", "10"), ("pmax", "60")]
        assert links["/3/0/6"] == [("dim", "2")] and "/3/0/4" in links
        r = await server.discover("int260", "/3", timeout=TIMEOUT)
        assert r.content[0] == ("/3", [])  # Device 1.1: what LwM2M 1.1 implies

    _dm(kind, "int260", body)


@both
def test_int_261_write_attribute_on_multiple_resource(kind):
    async def body(server, dev):
        r = await server.write_attributes("int261", "/3/0/6", {"pmin": 5, "pmax": 50}, timeout=TIMEOUT)
        assert r.code == 0x44
        r = await server.discover("int261", "/3/0/6", timeout=TIMEOUT)
        assert r.content == [("/3/0/6", [("dim", "2"), ("pmin", "5"), ("pmax", "50")]),
                             ("/3/0/6/0", []), ("/3/0/6/1", [])]
        r = await server.write_attributes("int261", "/3/0/6", {"pmin": 50, "pmax": 5}, timeout=TIMEOUT)
        assert r.code == 0x80

    _dm(kind, "int261", body)


@both
def test_create_and_delete_an_instance(kind):
    async def body(server, dev):
        r = await server.create("int-create", "/3303", {(3303, 4, 5750): "new"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x41 and r.location == ("3303", "4")
        ev = await server.events.next("updated", "int-create", TIMEOUT)
        assert ev.changed == ["objects"]
        r = await server.delete("int-create", "/3303/4", timeout=TIMEOUT)
        assert r.code == 0x42
        ev = await server.events.next("updated", "int-create", TIMEOUT)
        assert server.registration("int-create").objects[3303]["instances"] == [0]

    _dm(kind, "int-create", body)
