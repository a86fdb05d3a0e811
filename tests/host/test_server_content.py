"""The server decodes answers and encodes writes with the firmware codecs;
checked against payloads built by hand and with cbor2, not by those codecs."""
import cbor2
import pytest
from aiocoap.numbers.codes import Code
from fake_device import TIMEOUT, run, server_and_device

pytest.importorskip("lwm2m.codec.senml_cbor")


def senml_names(payload):
    """SenML CBOR -> {full name: record} (bn applied), decoded by cbor2."""
    out, bn = {}, ""
    for rec in cbor2.loads(payload):
        bn = rec.get(-2, bn)
        out[bn + rec.get(0, "")] = rec
    return out


def test_text_answers_get_the_type_of_the_object_tables():
    async def go():
        async with server_and_device("d1", paths=[(3, 0, 0), (3303, 0, 5700)]) as (server, dev):
            dev.path(3, 0, 0).set(Code.CONTENT, 0, b"Open Mobile Alliance")
            dev.path(3303, 0, 5700).set(Code.CONTENT, 0, b"21.5")
            assert (await server.read("d1", "/3/0/0", "text", TIMEOUT)).content == [((3, 0, 0), "Open Mobile Alliance")]
            assert (await server.read("d1", "/3303/0/5700", "text", TIMEOUT)).content == [((3303, 0, 5700), 21.5)]

    run(go())


def test_tlv_and_senml_cbor_answers_are_decoded():
    async def go():
        async with server_and_device("d2", paths=[(3, 0), (3303, 0)]) as (server, dev):
            dev.path(3, 0).set(Code.CONTENT, 11542, b"\xc4\x00ACME\xc1\x09\x5f")  # /3/0/0 "ACME", /3/0/9 95
            result = await server.read("d2", "/3/0", "tlv", TIMEOUT)
            assert result.content == [((3, 0, 0), "ACME"), ((3, 0, 9), 95)] and result.error is None
            payload = cbor2.dumps([{-2: "/3303/0/", 0: "5700", 2: 21.5}, {0: "5701", 3: "Cel"}])
            dev.path(3303, 0).set(Code.CONTENT, 112, payload)
            result = await server.read("d2", "/3303/0", "senml-cbor", TIMEOUT)
            assert result.values() == {(3303, 0, 5700): 21.5, (3303, 0, 5701): "Cel"}

    run(go())


def test_a_malformed_answer_keeps_its_code_and_says_why():
    async def go():
        async with server_and_device("d3", paths=[(3, 0)]) as (server, dev):
            dev.path(3, 0).set(Code.CONTENT, 112, b"\x81\xa1\x00")
            result = await server.read("d3", "/3/0", "senml-cbor", TIMEOUT)
            assert result.code == 0x45 and result.content is None and "malformed" in result.error
            assert result.payload == b"\x81\xa1\x00"

    run(go())


def test_write_encodes_values_with_the_codec_and_table_types():
    async def go():
        async with server_and_device("d4", paths=[(3303, 0), (3, 0, 14)]) as (server, dev):
            dev.path(3303, 0).set(Code.CHANGED)
            dev.path(3, 0, 14).set(Code.CHANGED)
            result = await server.write("d4", "/3303/0", {5601: 18, 5701: "Cel"}, replace=False, timeout=TIMEOUT)
            req = dev.last()
            assert result.code == 0x44 and req.code == Code.POST and int(req.opt.content_format) == 112
            names = senml_names(req.payload)
            assert names["/3303/0/5601"][2] == 18.0 and isinstance(names["/3303/0/5601"][2], float)
            assert names["/3303/0/5701"][3] == "Cel"
            await server.write("d4", "/3/0/14", {"/3/0/14": "+02:00"}, fmt="text", timeout=TIMEOUT)
            assert dev.last().payload == b"+02:00" and int(dev.last().opt.content_format) == 0

    run(go())


def test_read_composite_encodes_the_path_list():
    async def go():
        async with server_and_device("d5", paths=[()]) as (server, dev):
            answer = cbor2.dumps([{0: "/3/0/0", 3: "ACME"}, {0: "/3303/0/5700", 2: 21.5}])
            dev.path().set(Code.CONTENT, 112, answer)
            result = await server.read_composite("d5", ["/3/0/0", "/3303/0/5700"], timeout=TIMEOUT)
            assert sorted(senml_names(dev.last(Code.FETCH).payload)) == ["/3/0/0", "/3303/0/5700"]
            assert result.values() == {(3, 0, 0): "ACME", (3303, 0, 5700): 21.5}

    run(go())


def test_send_records_are_decoded_and_a_malformed_send_gets_4_00():
    async def go():
        async with server_and_device("d6") as (server, dev):
            payload = cbor2.dumps([{-2: "/3303/0/", 0: "5700", 2: 21.5, 6: 1700000000}])
            assert (await dev.post("dp", payload=payload, fmt=112)).code == Code.CHANGED
            ev = await server.events.next("send", "d6", TIMEOUT)
            assert ev.records == [((3303, 0, 5700), 21.5)] and ev.error is None
            assert ev.timed == [((3303, 0, 5700), 21.5, 1700000000)]
            assert (await dev.post("dp", payload=b"\x81\xa1\x00", fmt=112)).code == Code.BAD_REQUEST
            assert server.events.pending("send") == []

    run(go())


def test_notifications_keep_their_senml_times():
    async def go():
        async with server_and_device("d7", paths=[(3303, 0, 5700)]) as (server, dev):
            res = dev.path(3303, 0, 5700)
            res.set(Code.CONTENT, 112, cbor2.dumps([{0: "/3303/0/5700", 2: 21.5}]))
            obs = await server.observe("d7", "/3303/0/5700", "senml-cbor", TIMEOUT)
            assert obs.result.timed == [((3303, 0, 5700), 21.5, None)]
            stored = [{-3: 1700000000, 0: "/3303/0/5700", 2: 20.0, 6: -60}, {0: "/3303/0/5700", 2: 22.0}]
            res.notify(112, cbor2.dumps(stored))  # one stored while offline, one now
            note = await obs.next(TIMEOUT)
            assert note.timed == [((3303, 0, 5700), 20.0, 1699999940), ((3303, 0, 5700), 22.0, 1700000000)]
            assert note.content == [((3303, 0, 5700), 20.0), ((3303, 0, 5700), 22.0)]

    run(go())


def test_send_in_senml_json_and_lwm2m_cbor_is_decoded():
    async def go():
        async with server_and_device("d8") as (server, dev):
            payload = b'[{"bn":"/3303/0/","n":"5700","v":21.5},{"n":"5701","vs":"Cel"}]'
            assert (await dev.post("dp", payload=payload, fmt=110)).code == Code.CHANGED
            ev = await server.events.next("send", "d8", TIMEOUT)
            assert ev.records == [((3303, 0, 5700), 21.5), ((3303, 0, 5701), "Cel")]
            payload = cbor2.dumps({3303: {0: {5700: 22.5}}})  # LwM2M CBOR: nested maps by id
            assert (await dev.post("dp", payload=payload, fmt=11544)).code == Code.CHANGED
            ev = await server.events.next("send", "d8", TIMEOUT)
            assert ev.records == [((3303, 0, 5700), 22.5)] and ev.timed == [((3303, 0, 5700), 22.5, None)]

    run(go())
