# Request dispatch (LwM2M 1.1.1 6.3/6.4, Transport 6.x) on the real model and codecs.
from support import raises
from client_support import device, req, GET, POST, PUT, DELETE, FETCH, IPATCH, SENML_JSON as J
from lwm2m.client.dispatch import Dispatcher, Server, parse_path
from lwm2m.client.attrs import AttributeStore
from lwm2m.client import acl
from lwm2m.error import CoapError


def _d(**kw):
    m = device()
    return m, Dispatcher(m, default_format=J, **kw), Server(101, AttributeStore())


def _code(d, s, r):
    return raises(CoapError, d.handle, r, s).code


def test_int_222_to_225_read_object_instance_resource_resource_instance():
    m, d, s = _d()
    r = d.handle(req(GET, "/3/0/9"), s)
    assert (r.code, r.ct, r.payload) == (0x45, J, b'[{"n":"/3/0/9","v":90}]')
    r = d.handle(req(GET, "/3/0/6/1"), s)
    assert r.payload == b'[{"n":"/3/0/6/1","v":5}]'
    r = d.handle(req(GET, "/3303"), s)
    assert r.payload == (b'[{"bn":"/3303/","n":"0/5700","v":21.5},{"n":"0/5701","vs":"Cel"},'
                         b'{"n":"1/5700","v":19.0}]')
    r = d.handle(req(GET, "/3/0"), s)
    assert b'"4"' not in r.payload  # an executable resource is not read


def test_int_201_read_in_plain_text_and_int_203_in_tlv():
    m, d, s = _d()
    r = d.handle(req(GET, "/3/0/0", accept=0), s)
    assert (r.ct, r.payload) == (0, b"ACME")
    r = d.handle(req(GET, "/3/0/9", accept=11542), s)
    assert (r.ct, r.payload) == (11542, b"\xc1\x09\x5a")


def test_int_237_read_without_accept_uses_the_configured_default_format():
    m, d, s = _d()
    assert d.handle(req(GET, "/3/0/0"), s).ct == J
    d.default_format = 11542
    assert d.handle(req(GET, "/3/0/0"), s).ct == 11542


def test_read_with_unsupported_accept_is_4_06():
    m, d, s = _d()
    assert _code(d, s, req(GET, "/3/0/0", accept=1234)) == 0x86
    assert _code(d, s, req(GET, "/3/0", accept=0)) == 0x86  # text carries one value


def test_read_unknown_or_malformed_path_is_4_04():
    m, d, s = _d()
    assert _code(d, s, req(GET, "/3/5")) == 0x84
    assert _code(d, s, req(GET, "/abc")) == 0x84
    assert _code(d, s, req(GET, "/3/0/0/0/0")) == 0x84
    assert _code(d, s, req(GET, "/70000")) == 0x84
    assert parse_path(["3", "0", "65535"]) == (3, 0, 65535)


def test_int_221_every_operation_on_the_security_object_is_4_01():
    m, d, s = _d()
    w = b'[{"n":"/0/0/0","vs":"x"}]'
    for r in (req(GET, "/0"), req(GET, "/0/0"), req(GET, "/0/0/0"), req(GET, "/0", accept=40),
              req(PUT, "/0/0/0", w, ct=J), req(POST, "/0", w, ct=J), req(POST, "/0/0", w, ct=J),
              req(DELETE, "/0/0"), req(PUT, "/0/0", query=["pmin=1"]), req(GET, "/0/0", observe=0),
              req(GET, "/0/7"), req(FETCH, "/", b'[{"n":"/0/0/0"}]', ct=J), req(IPATCH, "/", w, ct=J)):
        assert _code(d, s, r) == 0x81, r
    assert m.read((0, 0, 0), bootstrap=True)[0][2] == "coap://127.0.0.1:5683"


def test_int_227_write_replace_on_resource():
    m, d, s = _d()
    r = d.handle(req(PUT, "/3303/0/5750", b'[{"n":"/3303/0/5750","vs":"K"}]', ct=J), s)
    assert r.code == 0x44 and m.get((3303, 0, 5750)) == "K"


def test_int_226_write_partial_update_on_instance_is_post():
    m, d, s = _d()
    r = d.handle(req(POST, "/1/0", b'[{"n":"/1/0/1","v":600}]', ct=J), s)
    assert r.code == 0x44 and m.get((1, 0, 1)) == 600 and m.get((1, 0, 7)) == "U"


def test_int_256_write_failure_changes_nothing():
    m, d, s = _d()
    bad = b'[{"bn":"/1/0/","n":"1","v":60},{"n":"7","v":5}]'
    assert _code(d, s, req(POST, "/1/0", bad, ct=J)) == 0x80
    assert m.get((1, 0, 1)) == 300


def test_write_with_unsupported_content_format_is_4_15_and_without_one_4_00():
    m, d, s = _d()
    assert _code(d, s, req(PUT, "/3303/0/5750", b"x", ct=1234)) == 0x8F
    assert _code(d, s, req(PUT, "/3303/0/5750", b"x")) == 0x80
    assert m.read((3303, 0)) == [((3303, 0, 5700), 3, 21.5), ((3303, 0, 5701), 0, "Cel")]


def test_write_on_object_or_outside_the_path_fails():
    m, d, s = _d()
    assert _code(d, s, req(PUT, "/3303", b"[]", ct=J)) == 0x85
    assert _code(d, s, req(PUT, "/3303/0/5750", b'[{"n":"/3303/1/5750","vs":"K"}]', ct=J)) == 0x80


def test_int_241_execute_with_arguments():
    m, d, s = _d()
    assert d.handle(req(POST, "/3/0/4", b"0='now',2"), s).code == 0x44
    assert m.executed == [((3, 0, 4), b"0='now',2")]
    assert _code(d, s, req(POST, "/3/0/4", b"bad")) == 0x80
    assert _code(d, s, req(POST, "/3/0/9")) == 0x85
    assert _code(d, s, req(POST, "/3/0/6/0")) == 0x85
    assert len(m.executed) == 1


def test_create_on_object_answers_2_01_with_location():
    m, d, s = _d()
    r = d.handle(req(POST, "/3303", b'[{"n":"/3303/5/5750","vs":"F"}]', ct=J), s)
    assert r.code == 0x41 and r.location == ["3303", "5"] and m.get((3303, 5, 5750)) == "F"
    # TLV resources without an instance: the lowest free id
    r = d.handle(req(POST, "/3303", b"\xe3\x16\x76abc", ct=11542), s)
    assert r.location == ["3303", "2"]


def test_delete_instance_2_02_and_not_on_object_or_resource():
    m, d, s = _d()
    assert d.handle(req(DELETE, "/3303/1"), s).code == 0x42
    assert m.instances(3303) == [0]
    assert _code(d, s, req(DELETE, "/3303")) == 0x85
    assert _code(d, s, req(DELETE, "/3303/0/5700")) == 0x85
    assert _code(d, s, req(DELETE, "/3303/7")) == 0x84


def test_root_path_methods_are_4_05():
    m, d, s = _d()
    assert _code(d, s, req(GET, "/")) == 0x85
    assert _code(d, s, req(DELETE, "/")) == 0x85


def test_write_attributes_is_put_with_query_only():
    m, d, s = _d()
    assert d.handle(req(PUT, "/3/0/9", query=["pmin=10", "pmax=60"]), s).code == 0x44
    assert s.attrs.attached((3, 0, 9)) == {"pmin": 10, "pmax": 60}
    assert _code(d, s, req(PUT, "/3/0/9", query=["pmin=10", "pmax=5"])) == 0x80
    assert _code(d, s, req(PUT, "/3/0/0", query=["gt=1"])) == 0x80


def test_int_260_discover_object_instance_resource_with_attributes():
    m, d, s = _d()
    d.handle(req(PUT, "/3", query=["pmin=10"]), s)
    d.handle(req(PUT, "/3/0", query=["pmax=60"]), s)
    d.handle(req(PUT, "/3/0/9", query=["gt=50", "lt=42.2"]), s)
    r = d.handle(req(GET, "/3", accept=40), s)
    assert r.ct == 40
    assert r.payload == b"</3>;pmin=10,</3/0>,</3/0/0>,</3/0/4>,</3/0/6>;dim=2,</3/0/9>,</3/0/16>"
    r = d.handle(req(GET, "/3/0", accept=40), s)
    assert r.payload == b"</3/0>;pmax=60,</3/0/0>,</3/0/4>,</3/0/6>;dim=2,</3/0/9>;gt=50.0;lt=42.2,</3/0/16>"
    r = d.handle(req(GET, "/3/0/9", accept=40), s)
    assert r.payload == b"</3/0/9>;pmin=10;pmax=60;gt=50.0;lt=42.2"
    assert _code(d, s, req(GET, "/3/9", accept=40)) == 0x84
    assert _code(d, s, req(GET, "/3/0/6/0", accept=40)) == 0x85


def test_int_261_write_attributes_on_a_multiple_resource_instance_shows_in_discover():
    m, d, s = _d()
    d.handle(req(PUT, "/3/0/6", query=["pmin=5"]), s)
    d.handle(req(PUT, "/3/0/6/1", query=["pmax=50"]), s)
    r = d.handle(req(GET, "/3/0/6", accept=40), s)
    assert r.payload == b"</3/0/6>;dim=2;pmin=5,</3/0/6/0>,</3/0/6/1>;pmax=50"


def test_int_229_280_read_composite_skips_missing_paths_and_keeps_order():
    m, d, s = _d()
    paths = b'[{"n":"/3303/0/5700"},{"n":"/3/0/9"},{"n":"/3303/9"},{"n":"/3/0/9"}]'
    r = d.handle(req(FETCH, "/", paths, ct=J), s)
    assert (r.code, r.ct) == (0x45, J)
    assert r.payload == b'[{"n":"/3/0/9","v":90},{"n":"/3303/0/5700","v":21.5}]'


def test_int_235_read_composite_root_path_reads_everything_but_security():
    m, d, s = _d()
    r = d.handle(req(FETCH, "/", b'[{"n":"/"}]', ct=J, accept=112), s)
    assert r.ct == 112
    r = d.handle(req(FETCH, "/", b'[{"n":"/"}]', ct=J), s)
    assert r.payload.startswith(b'[{"n":"/1/0/0","v":101},')
    assert b'"n":"/0/' not in r.payload and r.payload.endswith(b'{"n":"/3303/1/5700","v":19.0}]')


def test_int_230_write_composite_is_ipatch_all_or_nothing():
    m, d, s = _d()
    w = b'[{"n":"/3303/0/5750","vs":"K"},{"n":"/1/0/1","v":60}]'
    assert d.handle(req(IPATCH, "/", w, ct=J), s).code == 0x44
    assert m.get((3303, 0, 5750)) == "K" and m.get((1, 0, 1)) == 60
    bad = b'[{"n":"/3303/0/5750","vs":"C"},{"n":"/1/0/1","vs":"x"}]'
    assert _code(d, s, req(IPATCH, "/", bad, ct=J)) == 0x80
    assert m.get((3303, 0, 5750)) == "K"


def test_int_301_observe_reply_carries_observe_start_and_path():
    m, d, s = _d()
    r = d.handle(req(GET, "/3/0/9", observe=0), s)
    assert r.observe == "start" and r.paths == [(3, 0, 9)] and not r.composite
    assert r.records == [((3, 0, 9), 1, 90)]
    r = d.handle(req(GET, "/3/0/9", observe=1), s)
    assert r.observe == "cancel"
    r = d.handle(req(FETCH, "/", b'[{"n":"/3/0/9"}]', ct=J, observe=0), s)
    assert r.observe == "start" and r.composite and r.paths == [(3, 0, 9)]


ACOS = [(3, 0, {101: acl.READ}, 102), (3303, 0, {}, 102), (3303, 1, {101: acl.READ}, 102),
        (3303, 65535, {102: acl.CREATE}, 102)]


def test_access_control_with_several_servers():
    m, d, s = _d(acos=lambda: ACOS)
    w = b'[{"n":"/3303/0/5750","vs":"K"}]'
    assert d.handle(req(GET, "/3/0/9"), s).code == 0x45
    assert _code(d, s, req(PUT, "/3303/0/5701", w, ct=J)) == 0x81
    assert _code(d, s, req(POST, "/3/0/4")) == 0x81
    assert _code(d, s, req(DELETE, "/3303/0")) == 0x81
    assert _code(d, s, req(POST, "/3303", w, ct=J)) == 0x81
    # object-level read returns only the instances this server may read
    assert d.handle(req(GET, "/3303"), s).payload == b'[{"n":"/3303/1/5700","v":19.0}]'
    s2 = Server(102, AttributeStore())
    assert d.handle(req(DELETE, "/3303/0"), s2).code == 0x42
    assert d.handle(req(POST, "/3303", w, ct=J), s2).code == 0x41


def test_failing_read_callable_is_5_00_not_a_crash():
    m, d, s = _d()

    def boom():
        raise ValueError("sensor gone")

    m.bind((3303, 0, 5700), read=boom)
    assert _code(d, s, req(GET, "/3303/0/5700")) == 0xA0


def test_formats_without_values_or_path_lists_are_refused_cleanly():
    m, d, s = _d()
    assert _code(d, s, req(FETCH, "/", b"x", ct=0)) == 0x8F  # text carries no path list
    assert _code(d, s, req(PUT, "/3303/0/5750", b"<x>", ct=40)) == 0x8F
    assert _code(d, s, req(FETCH, "/", b'[{"n":"/3/0/9"}]', ct=J, accept=40)) == 0x86
    assert _code(d, s, req(GET, "/\u00b2")) == 0x84
    assert _code(d, s, req(PUT, "/3/0/9", query=["pmin=\u00b2"])) == 0x80
