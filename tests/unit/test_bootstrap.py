# Client-initiated bootstrap as a state machine, and the bootstrap server's
# operations on the model, without a network (both runtimes).
from lwm2m.model import Model
from lwm2m.codec import get as codec_get
from lwm2m.coap.message import Message
from lwm2m.client import bootstrap as B
from lwm2m.error import CoapError
from support import raises

BS_URI = "coap://127.0.0.1:5783"


def codec_for(fmt, accept=False):
    return codec_get(fmt)


def factory_model(hold_off=0):
    m = Model()
    m.add(3, 0, {0: "ACME"})
    m.add(0, 0, {0: BS_URI, 1: True, 2: 3, 11: hold_off, 12: 120})
    return m


def request(code, path, payload=b"", ct=None, accept=None):
    msg = Message(code, payload=payload)
    msg.set_uri_path(path)
    if ct is not None:
        msg.add_option(12, ct)
    if accept is not None:
        msg.add_option(17, accept)
    return msg


def senml_cbor(records, base):
    return codec_get(112).encode(records, base)


def test_bootstrap_request_waits_out_the_client_hold_off_time():
    b = B.Bootstrap(factory_model(hold_off=30), "dev1", pct=112)
    assert b.start(1000)
    assert b.deadline() == 1030
    assert b.step(1029) is None
    assert b.step(1030) == (2, ["bs"], ["ep=dev1", "pct=112"])


def test_no_bootstrap_account_means_no_bootstrap():
    m = Model()
    m.add(0, 0, {0: "coap://x", 1: False, 2: 3, 10: 1})
    assert not B.Bootstrap(m, "dev1").start(0)


def test_server_that_never_finishes_is_asked_again():
    b = B.Bootstrap(factory_model(), "dev1")
    b.start(0)
    b.step(0)
    b.on_response(0, 0x44)
    assert b.state == B.WAITING and b.deadline() == 120  # /0/0/12
    assert b.step(120) is None and b.state == B.HOLDING
    assert b.last_error == "bootstrap server did not finish"


def test_int_0_bootstrap_write_delete_discover_and_finish():
    m = factory_model()
    m.add(1, 7, {0: 9, 1: 60})  # a stale server account the bootstrap server removes
    b = B.Bootstrap(m, "dev1")
    b.start(0)
    b.step(0)
    assert b.handle(request(4, "/"), codec_for, 0).code == 0x42  # Bootstrap-Delete /
    assert m.instances(1) == [] and m.instances(0) == [0]  # its own account and Device stay
    sec = senml_cbor([((0, 1, 0), 0, "coap://127.0.0.1:5683"), ((0, 1, 1), 4, False), ((0, 1, 2), 1, 3),
                      ((0, 1, 10), 1, 101)], (0, 1))
    assert b.handle(request(3, "/0/1", sec, 112), codec_for, 0).code == 0x44
    srv = senml_cbor([((1, 0, 0), 1, 101), ((1, 0, 1), 1, 300), ((1, 0, 7), 0, "U")], (1, 0))
    assert b.handle(request(3, "/1/0", srv, 112), codec_for, 0).code == 0x44
    disc = b.handle(request(1, "/", accept=40), codec_for, 0)
    # objects carry ver= as in Register (Security 1.2; Server and Device 1.1, implied)
    assert disc.payload == (b'</>;lwm2m=1.1,</0>;ver=1.2,</0/0>;uri="coap://127.0.0.1:5783",'
                            b'</0/1>;ssid=101;uri="coap://127.0.0.1:5683",</1>,</1/0>;ssid=101,</3>,</3/0>')
    assert b.handle(request(2, "/bs"), codec_for, 0).code == 0x44
    assert b.state == B.DONE


def test_int_9_finish_with_a_security_instance_without_its_server_is_4_06():
    m = factory_model()
    b = B.Bootstrap(m, "dev1")
    b.start(0)
    sec = senml_cbor([((0, 1, 0), 0, "coap://127.0.0.1:5683"), ((0, 1, 1), 4, False), ((0, 1, 2), 1, 3),
                      ((0, 1, 10), 1, 101)], (0, 1))
    b.handle(request(3, "/0/1", sec, 112), codec_for, 0)
    e = raises(CoapError, b.handle, request(2, "/bs"), codec_for, 0)
    assert e.code == 0x86 and "no server instance" in e.message
    assert b.state != B.DONE


def test_finish_without_any_lwm2m_server_account_is_4_06():
    e = raises(CoapError, B.Bootstrap(factory_model(), "d").handle, request(2, "/bs"), codec_for, 0)
    assert e.code == 0x86 and e.message == "no LwM2M server account"


def test_bootstrap_read_only_on_server_and_access_control_objects():
    m = factory_model()
    m.add(1, 0, {0: 101, 1: 300, 7: "U"})
    b = B.Bootstrap(m, "dev1")
    r = b.handle(request(1, "/1/0", accept=11542), codec_for, 0)
    assert r.code == 0x45 and r.ct == 11542
    assert raises(CoapError, b.handle, request(1, "/0/0"), codec_for, 0).code == 0x81
    assert raises(CoapError, b.handle, request(1, "/3/0"), codec_for, 0).code == 0x81


def test_rejected_bootstrap_write_changes_nothing():
    m = factory_model()
    b = B.Bootstrap(m, "dev1")
    bad = senml_cbor([((1, 0, 0), 1, 101), ((1, 0, 1), 0, "not a number")], (1, 0))
    raises(CoapError, b.handle, request(3, "/1/0", bad, 112), codec_for, 0)
    assert m.instances(1) == []
