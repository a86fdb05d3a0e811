"""OMA-ETS-LightweightM2M-V1_1 device management cases (int-2xx), the
firmware client in-process against the embedded server over UDP loopback."""
from client_harness import TIMEOUT, run, server_and_client

DEVICE = {(3, 0, 0): "Open Mobile Alliance", (3, 0, 1): "Lightweight M2M Client", (3, 0, 2): "345000123"}


def _dm(ep, body, **kw):
    async def go():
        async with server_and_client(ep, **kw) as (server, client, model):
            await body(server, model)

    run(go())


def _read_basic_information(ep, fmt, number):
    async def body(server, model):
        r = await server.read(ep, "/3/0", accept=fmt, timeout=TIMEOUT)
        assert r.code == 0x45 and r.format == number, r
        values = r.values()
        for path, v in DEVICE.items():
            assert values[path] == v
        assert values[(3, 0, 6, 1)] == 5

    _dm(ep, body)


def test_int_201_querying_basic_information_in_plain_text():
    async def body(server, model):
        for path, v in DEVICE.items():
            r = await server.read("int201", path, accept="text", timeout=TIMEOUT)
            assert r.code == 0x45 and r.format == 0 and r.payload == v.encode()

    _dm("int201", body)


def test_int_203_querying_basic_information_in_tlv():
    _read_basic_information("int203", "tlv", 11542)


def test_int_204_querying_basic_information_in_json():
    _read_basic_information("int204", "lwm2m-json", 11543)


def test_int_211_querying_basic_information_in_cbor():
    async def body(server, model):
        r = await server.read("int211", "/3/0/0", accept="cbor", timeout=TIMEOUT)
        assert r.code == 0x45 and r.format == 60 and r.values()[(3, 0, 0)] == "Open Mobile Alliance"

    _dm("int211", body)


def test_int_231_querying_basic_information_in_senml_json():
    _read_basic_information("int231", "senml-json", 110)


def test_int_232_querying_basic_information_in_senml_cbor():
    _read_basic_information("int232", "senml-cbor", 112)


def _set_basic_information(ep, fmt):
    async def body(server, model):
        values = {(1, 0, 1): 1200, (1, 0, 2): 7, (1, 0, 3): 900}
        if fmt in ("text", "cbor"):  # single-value formats: one resource at a time
            for path, v in values.items():
                r = await server.write(ep, path, {path: v}, fmt=fmt, timeout=TIMEOUT)
                assert r.code == 0x44, r
        else:
            r = await server.write(ep, "/1/0", values, fmt=fmt, replace=False, timeout=TIMEOUT)
            assert r.code == 0x44, r
        r = await server.read(ep, "/1/0", accept="senml-json", timeout=TIMEOUT)
        got = r.values()
        for path, v in values.items():
            assert got[path] == v
        ev = await server.events.next("updated", ep, TIMEOUT)
        assert "lifetime" in ev.changed

    _dm(ep, body)


def test_int_205_setting_basic_information_in_plain_text():
    _set_basic_information("int205", "text")


def test_int_212_setting_basic_information_in_tlv():
    _set_basic_information("int212", "tlv")


def test_int_215_setting_basic_information_in_json():
    _set_basic_information("int215", "lwm2m-json")


def test_int_220_setting_basic_information_in_cbor():
    _set_basic_information("int220", "cbor")


def test_int_233_setting_basic_information_in_senml_json():
    _set_basic_information("int233", "senml-json")


def test_int_234_setting_basic_information_in_senml_cbor():
    _set_basic_information("int234", "senml-cbor")


def test_int_221_attempt_to_perform_operations_on_security():
    async def body(server, model):
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
        assert model.instances(0) == [0]

    _dm("int221", body)


def test_int_222_to_225_read_on_object_instance_resource_resource_instance():
    async def body(server, model):
        r = await server.read("int222", "/3303", accept="senml-json", timeout=TIMEOUT)
        assert r.code == 0x45 and r.values()[(3303, 0, 5700)] == 21.5
        r = await server.read("int222", "/3303/0", accept="senml-json", timeout=TIMEOUT)
        assert r.values()[(3303, 0, 5701)] == "Cel"
        r = await server.read("int222", "/3/0/6", accept="senml-json", timeout=TIMEOUT)
        assert r.values() == {(3, 0, 6, 0): 1, (3, 0, 6, 1): 5}
        r = await server.read("int222", "/3/0/6/1", accept="senml-json", timeout=TIMEOUT)
        assert r.values() == {(3, 0, 6, 1): 5}

    _dm("int222", body)


def test_int_226_write_partial_update_on_instance():
    async def body(server, model):
        r = await server.write("int226", "/3303/0", {(3303, 0, 5750): "hall"}, fmt="senml-cbor",
                               replace=False, timeout=TIMEOUT)
        assert r.code == 0x44 and model.get((3303, 0, 5750)) == "hall"
        assert model.get((3303, 0, 5701)) == "Cel"

    _dm("int226", body)


def test_int_227_write_replace_on_resource():
    async def body(server, model):
        r = await server.write("int227", "/3303/0/5750", {(3303, 0, 5750): "attic"}, fmt="tlv", timeout=TIMEOUT)
        assert r.code == 0x44 and model.get((3303, 0, 5750)) == "attic"

    _dm("int227", body)


def test_int_228_write_on_resource_instance():
    async def body(server, model):
        # the ACL (/2/x/2) is the writable multiple resource of the core objects
        model.add(2, 0, {0: 3303, 1: 0, 2: {0: 1}, 3: 1})
        r = await server.write("int228", "/2/0/2/7", {(2, 0, 2, 7): 15}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x44 and model.get((2, 0, 2)) == {0: 1, 7: 15}

    _dm("int228", body)


def test_int_229_read_composite_and_280_successful():
    async def body(server, model):
        r = await server.read_composite("int229", ["/3/0/0", "/3303/0/5700", "/1/0/1"], fmt="senml-json",
                                        timeout=TIMEOUT)
        assert r.code == 0x45
        assert r.values() == {(3, 0, 0): "Open Mobile Alliance", (3303, 0, 5700): 21.5, (1, 0, 1): 300}

    _dm("int229", body)


def test_int_235_read_composite_on_root_path():
    async def body(server, model):
        r = await server.read_composite("int235", ["/"], fmt="senml-cbor", timeout=TIMEOUT)
        assert r.code == 0x45
        v = r.values()
        assert v[(3, 0, 0)] == "Open Mobile Alliance" and v[(3303, 0, 5700)] == 21.5
        assert not [p for p in v if p[0] == 0]

    _dm("int235", body)


def test_int_236_281_read_composite_with_partial_presence():
    async def body(server, model):
        r = await server.read_composite("int236", ["/3303/0/5700", "/3303/9", "/3/0/17"], fmt="senml-json",
                                        timeout=TIMEOUT)
        assert r.code == 0x45 and r.values() == {(3303, 0, 5700): 21.5}

    _dm("int236", body)


def test_int_230_257_write_composite():
    async def body(server, model):
        r = await server.write_composite("int230", {(3303, 0, 5750): "cellar", (1, 0, 1): 900}, fmt="senml-cbor",
                                         timeout=TIMEOUT)
        assert r.code == 0x44
        assert model.get((3303, 0, 5750)) == "cellar" and model.get((1, 0, 1)) == 900

    _dm("int230", body)


def test_int_237_read_without_content_format_uses_the_default():
    async def body(server, model):
        r = await server.read("int237", "/3/0", timeout=TIMEOUT)
        assert r.code == 0x45 and r.format == 112 and r.values()[(3, 0, 0)] == "Open Mobile Alliance"

    _dm("int237", body, default_format=112)


def test_int_241_executable_resource_reboot():
    async def body(server, model):
        r = await server.execute("int241", "/3/0/4", timeout=TIMEOUT)
        assert r.code == 0x44 and model.executed == [("reboot", b"")]

    _dm("int241", body)


def test_int_256_write_failure_leaves_everything_as_it_was():
    async def body(server, model):
        r = await server.write("int256", "/3/0/0", {(3, 0, 0): "x"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x85  # read-only resource
        r = await server.write("int256", "/1/0", payload=b'[{"n":"/1/0/1","v":60},{"n":"/1/0/7","v":1}]',
                               fmt="senml-json", replace=False, timeout=TIMEOUT)
        assert r.code == 0x80 and model.get((1, 0, 1)) == 300

    _dm("int256", body)


def test_int_260_discover_command():
    async def body(server, model):
        await server.write_attributes("int260", "/3/0", {"pmin": 10, "pmax": 60}, timeout=TIMEOUT)
        r = await server.discover("int260", "/3/0", timeout=TIMEOUT)
        assert r.code == 0x45 and r.format == 40
        links = dict(r.content)
        assert links["/3/0"] == [("pmin", "10"), ("pmax", "60")]
        assert links["/3/0/6"] == [("dim", "2")] and "/3/0/4" in links
        r = await server.discover("int260", "/3", timeout=TIMEOUT)
        assert r.content[0] == ("/3", [])  # Device 1.1: what LwM2M 1.1 implies

    _dm("int260", body)


def test_int_261_write_attribute_on_multiple_resource():
    async def body(server, model):
        r = await server.write_attributes("int261", "/3/0/6", {"pmin": 5, "pmax": 50}, timeout=TIMEOUT)
        assert r.code == 0x44
        r = await server.discover("int261", "/3/0/6", timeout=TIMEOUT)
        assert r.content == [("/3/0/6", [("dim", "2"), ("pmin", "5"), ("pmax", "50")]),
                             ("/3/0/6/0", []), ("/3/0/6/1", [])]
        r = await server.write_attributes("int261", "/3/0/6", {"pmin": 50, "pmax": 5}, timeout=TIMEOUT)
        assert r.code == 0x80

    _dm("int261", body)


def test_create_and_delete_an_instance():
    async def body(server, model):
        r = await server.create("int-create", "/3303", {(3303, 4, 5750): "new"}, fmt="senml-json", timeout=TIMEOUT)
        assert r.code == 0x41 and r.location == ("3303", "4")
        ev = await server.events.next("updated", "int-create", TIMEOUT)
        assert ev.changed == ["objects"]
        r = await server.delete("int-create", "/3303/4", timeout=TIMEOUT)
        assert r.code == 0x42 and model.instances(3303) == [0]

    _dm("int-create", body)
