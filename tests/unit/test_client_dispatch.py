# Request dispatch (LwM2M 1.1.1 6.3/6.4, Transport 6.x) on a fake model and codec.
from support import raises
from client_fakes import FakeModel, Req, fake_codecs
from lwm2m.client.dispatch import Dispatcher, Server, parse_path
from lwm2m.client.attrs import AttributeStore
from lwm2m.client import acl
from lwm2m.error import CoapError

GET, POST, PUT, DELETE, FETCH, IPATCH = 1, 2, 3, 4, 5, 7
F = 9999


def _d(**kw):
    m = FakeModel()
    return m, Dispatcher(m, default_format=F, codecs=fake_codecs, **kw), Server(101, AttributeStore())


def _code(d, s, req):
    return raises(CoapError, d.handle, req, s).code


def test_int_222_to_225_read_object_instance_resource_resource_instance():
    m, d, s = _d()
    r = d.handle(Req(GET, "/3/0/9"), s)
    assert (r.code, r.ct, r.payload) == (0x45, F, b"((3, 0, 9), [((3, 0, 9), 1, 90)])")
    r = d.handle(Req(GET, "/3/0/7/1"), s)
    assert r.payload == b"((3, 0, 7, 1), [((3, 0, 7, 1), 1, 5000)])"
    r = d.handle(Req(GET, "/3303"), s)
    assert r.payload.count(b"5700") == 2
    assert b"4), 9, None" not in d.handle(Req(GET, "/3/0"), s).payload  # executables not read


def test_int_237_read_without_accept_uses_the_configured_default_format():
    m, d, s = _d()
    assert d.handle(Req(GET, "/3/0/0"), s).ct == F
    assert d.handle(Req(GET, "/3/0/0", accept=9998), s).ct == 9998


def test_read_with_unsupported_accept_is_4_06():
    m, d, s = _d()
    assert _code(d, s, Req(GET, "/3/0/0", accept=1234)) == 0x86


def test_read_unknown_path_is_4_04_and_malformed_path_4_04():
    m, d, s = _d()
    assert _code(d, s, Req(GET, "/3/5")) == 0x84
    assert _code(d, s, Req(GET, "/abc")) == 0x84
    assert _code(d, s, Req(GET, "/3/0/0/0/0")) == 0x84
    assert _code(d, s, Req(GET, "/70000")) == 0x84
    assert parse_path(["3", "0", "65535"]) == (3, 0, 65535)


def test_int_221_every_operation_on_the_security_object_is_4_01():
    m, d, s = _d()
    for req in (Req(GET, "/0"), Req(GET, "/0/0"), Req(GET, "/0/0/0"), Req(GET, "/0", accept=40),
                Req(PUT, "/0/0/0", b"[((0,0,0),'x')]", ct=F), Req(POST, "/0", b"[]", ct=F),
                Req(DELETE, "/0/0"), Req(PUT, "/0/0", query=["pmin=1"]), Req(GET, "/0/0", observe=0),
                Req(FETCH, "/", b"[(0,0,0)]", ct=F), Req(IPATCH, "/", b"[((0,0,0),'x')]", ct=F)):
        assert _code(d, s, req) == 0x81, req.path
    assert m.data[0] == {0: {0: "coap://x"}}


def test_int_227_write_replace_on_resource():
    m, d, s = _d()
    r = d.handle(Req(PUT, "/3303/0/5750", b"[((3303,0,5750),'out')]", ct=F), s)
    assert r.code == 0x44
    assert m.log[-1] == ("write", (3303, 0, 5750), [((3303, 0, 5750), "out")], True)


def test_int_226_write_partial_update_on_instance_is_post():
    m, d, s = _d()
    assert d.handle(Req(POST, "/3303/0", b"[((3303,0,5750),'x')]", ct=F), s).code == 0x44
    assert m.log[-1][3] is False


def test_write_with_unsupported_content_format_is_4_15_and_without_one_4_00():
    m, d, s = _d()
    assert _code(d, s, Req(PUT, "/3303/0/5750", b"x", ct=1234)) == 0x8F
    assert _code(d, s, Req(PUT, "/3303/0/5750", b"x")) == 0x80
    assert m.log == []


def test_write_on_object_or_outside_the_path_fails():
    m, d, s = _d()
    assert _code(d, s, Req(PUT, "/3303", b"[]", ct=F)) == 0x85
    assert _code(d, s, Req(PUT, "/3303/0/5750", b"[((3303,1,5750),'x')]", ct=F)) == 0x80


def test_int_241_execute_with_arguments():
    m, d, s = _d()
    assert d.handle(Req(POST, "/3/0/4", b"0='now',2"), s).code == 0x44
    assert m.executed == [((3, 0, 4), [(0, "now"), (2, None)])]
    assert _code(d, s, Req(POST, "/3/0/4", b"bad")) == 0x80
    assert _code(d, s, Req(POST, "/3/0/9")) == 0x85
    assert _code(d, s, Req(POST, "/3/0/7/0")) == 0x85


def test_create_on_object_answers_2_01_with_location():
    m, d, s = _d()
    r = d.handle(Req(POST, "/3303", b"[((3303,5,5750),'new')]", ct=F), s)
    assert r.code == 0x41 and r.location == ["3303", "5"]
    assert m.data[3303][5] == {5750: "new"}


def test_delete_instance_2_02_and_not_on_object_or_resource():
    m, d, s = _d()
    assert d.handle(Req(DELETE, "/3303/1"), s).code == 0x42
    assert 1 not in m.data[3303]
    assert _code(d, s, Req(DELETE, "/3303")) == 0x85
    assert _code(d, s, Req(DELETE, "/3303/0/5700")) == 0x85
    assert _code(d, s, Req(DELETE, "/3303/7")) == 0x84


def test_root_path_methods_are_4_05():
    m, d, s = _d()
    assert _code(d, s, Req(GET, "/")) == 0x85
    assert _code(d, s, Req(DELETE, "/")) == 0x85


def test_write_attributes_is_put_with_query_only():
    m, d, s = _d()
    assert d.handle(Req(PUT, "/3/0/9", query=["pmin=10", "pmax=60"]), s).code == 0x44
    assert s.attrs.attached((3, 0, 9)) == {"pmin": 10, "pmax": 60}
    assert _code(d, s, Req(PUT, "/3/0/9", query=["pmin=10", "pmax=5"])) == 0x80
    assert _code(d, s, Req(PUT, "/3/0/0", query=["gt=1"])) == 0x80


def test_int_260_discover_object_instance_resource_with_attributes():
    m, d, s = _d()
    d.handle(Req(PUT, "/3", query=["pmin=10"]), s)
    d.handle(Req(PUT, "/3/0", query=["pmax=60"]), s)
    d.handle(Req(PUT, "/3/0/7", query=["gt=50", "lt=42.2"]), s)
    r = d.handle(Req(GET, "/3", accept=40), s)
    assert r.ct == 40
    assert r.payload == b"</3>;pmin=10,</3/0>,</3/0/0>,</3/0/4>,</3/0/7>;dim=2,</3/0/9>"
    r = d.handle(Req(GET, "/3/0", accept=40), s)
    assert r.payload == b"</3/0>;pmax=60,</3/0/0>,</3/0/4>,</3/0/7>;dim=2;gt=50;lt=42.2,</3/0/9>"
    r = d.handle(Req(GET, "/3/0/7", accept=40), s)
    assert r.payload == b"</3/0/7>;dim=2;pmin=10;pmax=60;gt=50;lt=42.2,</3/0/7/0>,</3/0/7/1>"
    assert d.handle(Req(GET, "/1", accept=40), s).payload.startswith(b"</1>;ver=1.1,</1/0>,")
    assert _code(d, s, Req(GET, "/3/9", accept=40)) == 0x84
    assert _code(d, s, Req(GET, "/3/0/7/5", accept=40)) == 0x84


def test_int_261_write_attributes_on_a_multiple_resource_instance_shows_in_discover():
    m, d, s = _d()
    d.handle(Req(PUT, "/3/0/7/1", query=["st=5"]), s)
    r = d.handle(Req(GET, "/3/0/7", accept=40), s)
    assert r.payload == b"</3/0/7>;dim=2,</3/0/7/0>,</3/0/7/1>;st=5"


def test_int_229_280_read_composite_skips_missing_paths_and_keeps_order():
    m, d, s = _d()
    r = d.handle(Req(FETCH, "/", b"[(3303,0,5700),(3,0,9),(3303,9),(3,0,9)]", ct=F), s)
    assert r.code == 0x45 and r.ct == F
    assert r.payload == b"((), [((3, 0, 9), 1, 90), ((3303, 0, 5700), 3, 21.5)])"


def test_int_235_read_composite_root_path_reads_everything_but_security():
    m, d, s = _d()
    r = d.handle(Req(FETCH, "/", b"[()]", ct=F, accept=9998), s)
    assert r.ct == 9998
    assert b"(0, 0, 0)" not in r.payload and b"(3303, 1, 5700)" in r.payload


def test_int_230_write_composite_is_ipatch():
    m, d, s = _d()
    r = d.handle(Req(IPATCH, "/", b"[((3303,0,5750),'a'),((1,0,1),60)]", ct=F), s)
    assert r.code == 0x44
    assert m.log[-1] == ("write", (), [((3303, 0, 5750), "a"), ((1, 0, 1), 60)], False)


def test_int_301_observe_reply_carries_observe_start_and_path():
    m, d, s = _d()
    r = d.handle(Req(GET, "/3/0/9", observe=0), s)
    assert r.observe == "start" and r.paths == [(3, 0, 9)] and not r.composite
    r = d.handle(Req(GET, "/3/0/9", observe=1), s)
    assert r.observe == "cancel"
    r = d.handle(Req(FETCH, "/", b"[(3,0,9)]", ct=F, observe=0), s)
    assert r.observe == "start" and r.composite and r.paths == [(3, 0, 9)]


ACOS = [(3, 0, {101: acl.READ}, 102), (3303, 0, {}, 102), (3303, 1, {101: acl.READ}, 102),
        (3303, 65535, {102: acl.CREATE}, 102)]


def test_access_control_with_several_servers():
    m, d, s = _d(acos=lambda: ACOS)
    assert d.handle(Req(GET, "/3/0/9"), s).code == 0x45
    assert _code(d, s, Req(PUT, "/3303/0/5750", b"[((3303,0,5750),'x')]", ct=F)) == 0x81
    assert _code(d, s, Req(POST, "/3/0/4")) == 0x81
    assert _code(d, s, Req(DELETE, "/3303/0")) == 0x81
    assert _code(d, s, Req(POST, "/3303", b"[]", ct=F)) == 0x81
    # object-level read returns only the instances this server may read
    assert d.handle(Req(GET, "/3303"), s).payload == b"((3303,), [((3303, 1, 5700), 3, 19.0)])"
    s2 = Server(102, AttributeStore())
    assert d.handle(Req(DELETE, "/3303/0"), s2).code == 0x42
    assert d.handle(Req(POST, "/3303", b"[]", ct=F), s2).code == 0x41


def test_failing_model_callable_is_5_00_not_a_crash():
    m, d, s = _d()

    def boom(path):
        raise ValueError("sensor gone")

    m.read = boom
    assert _code(d, s, Req(GET, "/3/0/9")) == 0xA0
