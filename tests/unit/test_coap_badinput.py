# RFC 7252: what a recipient does with bad input. Nothing may raise.
from support import unhex
from coap_fakes import endpoint, req
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message, decode


def ok(r, p):
    return Message(cm.CONTENT, payload=b"x")


def test_unknown_critical_option_in_con_request_is_4_02():
    ep, link, clock = endpoint(ok)
    ep.receive(req(cm.GET, "x", mid=5).add_option(9, b"z").encode(), "S")
    r = link.take()[0]
    assert r.type == cm.ACK and r.code == 0x82 and r.mid == 5


def test_unknown_elective_option_is_ignored():
    ep, link, clock = endpoint(ok)
    ep.receive(req(cm.GET, "x").add_option(2048, b"z").encode(), "S")
    assert link.take()[0].code == cm.CONTENT


def test_unknown_critical_option_in_non_request_is_dropped():
    ep, link, clock = endpoint(ok)
    ep.receive(req(cm.GET, "x", type=cm.NON).add_option(2049, b"z").encode(), "S")
    assert link.raw() == []


def test_proxy_uri_answered_5_05():
    ep, link, clock = endpoint(ok)
    ep.receive(req(cm.GET).add_option(cm.PROXY_URI, "coap://a/b").encode(), "S")
    assert link.take()[0].code == 0xA5


def test_malformed_con_gets_rst():
    ep, link, clock = endpoint(ok)
    ep.receive(unhex("40 01 ab cd f0"), "S")
    ep.receive(unhex("4f 01 ab ce"), "S")
    assert link.raw() == [unhex("70 00 ab cd"), unhex("70 00 ab ce")]


def test_malformed_non_ack_and_other_versions_dropped():
    ep, link, clock = endpoint(ok)
    for d in (unhex("50 01 ab cd f0"), unhex("60 45 00 01 ff"), unhex("80 01 00 01"), b"", b"\x40"):
        ep.receive(d, "S")
    assert link.raw() == []


def test_reserved_code_class_con_gets_rst():
    ep, link, clock = endpoint(ok)
    ep.receive(unhex("40 e1 00 07"), "S")
    assert link.raw() == [unhex("70 00 00 07")]


def test_request_in_ack_or_rst_and_empty_non_ignored():
    ep, link, clock = endpoint(ok)
    for d in (unhex("60 01 00 01"), unhex("70 01 00 02"), unhex("50 00 00 03")):
        ep.receive(d, "S")
    assert link.raw() == []


def test_unexpected_ack_and_rst_ignored():
    ep, link, clock = endpoint(ok)
    ep.receive(unhex("60 00 00 09"), "S")
    ep.receive(unhex("70 00 00 09"), "S")
    ep.receive(unhex("60 45 00 09 ff 41"), "S")
    assert link.raw() == []


def test_every_truncation_of_a_valid_message_is_handled():
    good = req(cm.PUT, "3/0/1", token=b"\x01\x02").add_option(cm.CONTENT_FORMAT, 0)
    good.payload = b"hello"
    raw = good.encode()
    ep, link, clock = endpoint(ok)
    for n in range(len(raw)):
        ep.receive(raw[:n], "S")
    for d, _ in link.sent:
        assert decode(d).type in (cm.ACK, cm.RST)


def test_bad_block_option_length_is_4_02():
    ep, link, clock = endpoint(ok)
    ep.receive(req(cm.GET, "x").add_option(cm.BLOCK2, b"\x01\x02\x03\x04").encode(), "S")
    assert link.take()[0].code == 0x82


def test_response_with_unknown_critical_option_is_rejected():

    ep, link, clock = endpoint()
    ex = ep.request(req(cm.GET, "x", token=b"\x01"), "S")
    m = link.take()[0]
    ep.receive(Message(cm.CONTENT, cm.ACK, m.mid, b"\x01").add_option(9, b"z").encode(), "S")
    assert ex.error == "bad option" and link.raw() == []
    ex = ep.request(req(cm.GET, "y", token=b"\x02"), "S")
    link.take()
    ep.receive(Message(cm.CONTENT, cm.CON, 0x55, b"\x02").add_option(2049, b"z").encode(), "S")
    assert ex.error == "bad option" and link.raw() == [unhex("70 00 00 55")]


def test_conditional_request_is_4_02_unless_the_handler_knows_if_match():
    ep, link, clock = endpoint(ok)
    ep.receive(req(cm.PUT, "x", mid=1).add_option(cm.IF_MATCH, b"\x01").encode(), "S")
    assert link.take()[0].code == 0x82
    ep.known_critical = ep.known_critical + b"\x01\x05"
    ep.receive(req(cm.PUT, "x", mid=2).add_option(cm.IF_MATCH, b"\x01").encode(), "S")
    assert link.take()[0].code == cm.CONTENT
