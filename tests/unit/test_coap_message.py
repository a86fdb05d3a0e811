from support import unhex, raises
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message, decode, ParseError


def test_rfc7252_get_golden_bytes():
    m = Message(cm.GET, cm.CON, 0x7D34)
    m.set_uri_path("/temperature")
    assert m.encode() == unhex("40 01 7d 34 bb 74656d7065726174757265")


def test_rfc7252_piggybacked_content_golden_bytes():
    m = Message(cm.CONTENT, cm.ACK, 0x7D34, b"\x20", b"22.3 C")
    assert m.encode() == unhex("61 45 7d 34 20 ff 32322e332043")


def test_decode_golden_roundtrip():
    d = unhex("44 02 12 34 de ad be ef b2 72 64 45 65 70 3d 6e 31 ff 3c 2f 3e")
    m = decode(d)
    assert (m.type, m.code, m.mid, m.token) == (cm.CON, cm.POST, 0x1234, b"\xde\xad\xbe\xef")
    assert m.uri_path() == ["rd"]
    assert m.uri_query() == ["ep=n1"]
    assert bytes(m.payload) == b"</>"
    assert m.encode() == d


def test_payload_decodes_as_memoryview_without_copy():
    d = bytearray(unhex("50 45 00 01 ff 41 42"))
    m = decode(d)
    assert isinstance(m.payload, memoryview)
    d[6] = 0x43
    assert bytes(m.payload) == b"AC"


def test_extended_option_delta_and_length_13_and_14():
    m = Message(cm.GET, cm.CON, 1)
    m.add_option(cm.SIZE1, 5)  # delta 60: nibble 13 + 47
    m.add_option(2100, b"x" * 300)  # delta 2040: nibble 14; length 300: nibble 14
    raw = m.encode()
    assert raw[4:7] == unhex("d1 2f 05")
    assert raw[7:12] == unhex("ee 06 eb 00 1f")
    assert decode(raw) == m


def test_repeated_options_keep_wire_order_when_added_out_of_order():
    m = Message(cm.GET)
    m.add_option(cm.URI_QUERY, "b=2")
    m.add_option(cm.URI_PATH, "x")
    m.add_option(cm.URI_QUERY, "a=1")
    m.add_option(cm.URI_PATH, "y")
    m.add_option(cm.CONTENT_FORMAT, 0)
    assert m.opts == [11, b"x", 11, b"y", 12, b"", 15, b"b=2", 15, b"a=1"]
    m2 = decode(m.encode())
    assert m2.uri_path() == ["x", "y"]
    assert m2.uri_query() == ["b=2", "a=1"]
    assert m2.content_format() == 0


def test_uint_options_and_helpers():
    m = Message(cm.CONTENT)
    m.set_option(cm.CONTENT_FORMAT, 11542)
    m.set_option(cm.ACCEPT, 112)
    m.set_option(cm.OBSERVE, 0x123456)
    m.set_block2(5, 1, 6)
    m.set_block1(0, 0, 2)
    m.set_option(cm.SIZE2, 10240)
    m.set_option(cm.SIZE1, 70000)
    m = decode(m.encode())
    assert m.content_format() == 11542 and m.option(cm.CONTENT_FORMAT) == b"\x2d\x16"
    assert m.accept() == 112
    assert m.observe() == 0x123456
    assert m.block2() == (5, 1, 6)
    assert m.block1() == (0, 0, 2)
    assert m.uint(cm.SIZE2) == 10240 and m.uint(cm.SIZE1) == 70000
    assert m.uint(cm.MAX_AGE, 60) == 60
    assert m.block1() is not None and Message().block2() is None


def test_zero_uint_is_empty_option():
    m = Message(cm.GET).add_option(cm.OBSERVE, 0)
    assert m.encode() == unhex("40 01 00 00 60")


def test_set_option_replaces_all_instances():
    m = Message(cm.GET).add_option(cm.URI_PATH, "a").add_option(cm.URI_PATH, "b")
    m.set_option(cm.URI_PATH, "c")
    assert m.uri_path() == ["c"]


def test_token_lengths_0_to_8():
    for n in range(9):
        m = Message(cm.GET, cm.NON, 7, bytes(range(n)))
        assert decode(m.encode()) == m
    raises(ValueError, Message(cm.GET, cm.CON, 1, b"123456789").encode)


def test_all_types_and_codes_roundtrip():
    for t in range(4):
        for code in (1, 2, 3, 4, 5, 6, 7, 0x41, 0x45, 0x5F, 0x84, 0xA0, 0xA5, 0xFF):
            m = Message(code, t, 0xFFFF, b"t", b"p")
            assert decode(m.encode()) == m


def test_empty_message_is_four_bytes():
    m = Message(cm.EMPTY, cm.RST, 0xBEEF)
    assert m.encode() == unhex("70 00 be ef")
    assert decode(m.encode()) == m


def test_format_errors_raise_parse_error():
    bad = [
        b"", b"\x40\x01\x00", unhex("80 01 00 01"),  # short, version 2
        unhex("49 01 00 01 0102030405060708 09"),  # TKL 9
        unhex("44 01 00 01 0102"),  # truncated token
        unhex("40 01 00 01 ff"),  # marker without payload
        unhex("40 01 00 01 f0"),  # delta nibble 15
        unhex("40 01 00 01 1f"),  # length nibble 15
        unhex("40 01 00 01 d0"),  # missing extended delta
        unhex("40 01 00 01 e0 01"),  # short extended delta
        unhex("40 01 00 01 b5 61"),  # truncated value
        unhex("40 00 00 01 ff 00"),  # empty message with payload
        unhex("41 00 00 01 aa"),  # empty message with token
        unhex("40 01 00 01 e0 ff ff e0 ff ff"),  # option number over 65535
    ]
    for d in bad:
        raises(ParseError, decode, d)


def test_decode_into_existing_message_reuses_it():
    m = Message()
    m.add_option(cm.URI_PATH, "old")
    out = decode(unhex("50 45 00 02"), m)
    assert out is m and m.opts == [] and m.code == cm.CONTENT and m.type == cm.NON


def test_equality_compares_payload_bytes():
    a = Message(cm.PUT, payload=b"ab")
    b = Message(cm.PUT, payload=memoryview(b"ab"))
    assert a == b and not (a != b)
    assert a != Message(cm.PUT, payload=b"ac")


def test_negative_uint_option_is_refused():
    raises(ValueError, Message(cm.GET).add_option, cm.OBSERVE, -1)


def test_option_values_read_lazily_from_a_decoded_message():
    m = decode(unhex("40 01 00 01 b3 61 62 63 03 64 65 66 61 07"))
    assert m.opts[0] == 11 and m.options(cm.URI_PATH) == [b"abc", b"def"]
    assert m.uint(cm.ACCEPT) == 7 and m.option(cm.ACCEPT) == b"\x07"
    c = m.copy(b"body")
    c.add_option(cm.URI_QUERY, "q")
    assert decode(c.encode()).uri_path() == ["abc", "def"] and decode(c.encode()).uri_query() == ["q"]


def test_detach_copies_out_of_a_reused_buffer():
    buf = bytearray(unhex("40 01 00 01 b1 61 ff 78"))
    m = decode(buf).detach()
    buf[5] = 0x62
    buf[7] = 0x79
    assert m.uri_path() == ["a"] and bytes(m.payload) == b"x" and m.raw is None
