# The single-value formats: text/plain (0), opaque (42), CBOR (60).
from lwm2m import codec, datatype as T
from lwm2m.codec import common
from lwm2m.error import CodecError, BAD_REQUEST, NOT_ACCEPTABLE, UNSUPPORTED_FORMAT
from support import unhex, raises

P = (3303, 0, 5700)


def _text(t, v):
    return codec.get(codec.TEXT).encode([(P, t, v)], P)


def _untext(t, s):
    return codec.get(codec.TEXT).decode(s, P, lambda p: t)[0][1]


def test_text_values_of_every_type():
    assert _text(T.STRING, "h\u00e9") == b"h\xc3\xa9"
    assert _text(T.INTEGER, -42) == b"-42"
    assert _text(T.UNSIGNED, 18446744073709551615) == b"18446744073709551615"
    assert _text(T.TIME, 1700000000) == b"1700000000"
    assert _text(T.BOOLEAN, True) == b"1"
    assert _text(T.BOOLEAN, False) == b"0"
    assert _text(T.OBJLNK, (3, 0)) == b"3:0"
    assert _text(T.CORELNK, "</3/0>") == b"</3/0>"


def test_text_float_is_shortest_and_same_on_both_runtimes():
    # CPython repr layout; MicroPython's own repr can give 17 digits here
    for x, s in (
        (22.5, "22.5"),
        (-585.945, "-585.945"),
        (100.0, "100.0"),
        (0.1, "0.1"),
        (1e16, "1e+16"),
        (1e-05, "1e-05"),
        (0.0001, "0.0001"),
        (-0.0, "-0.0"),
        (123456789012345.6, "123456789012345.6"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.00048027000000000003, "0.00048027000000000003"),
        (1.6710516008457391e179, "1.6710516008457391e+179"),
    ):
        assert common.float_text(x) == s, (x, s)
        assert _text(T.FLOAT, x) == s.encode()
        assert _untext(T.FLOAT, s.encode()) == x


def test_text_decode_every_type():
    assert _untext(T.STRING, b"h\xc3\xa9") == "h\u00e9"
    assert _untext(T.INTEGER, b"-42") == -42
    assert _untext(T.UNSIGNED, b"7") == 7
    assert _untext(T.BOOLEAN, b"1") is True
    assert _untext(T.OBJLNK, b"3:0") == (3, 0)
    assert _untext(T.FLOAT, b"5") == 5.0


def test_text_refuses_malformed_values():
    for t, s in (
        (T.INTEGER, b"1_000"),
        (T.INTEGER, b" 1"),
        (T.INTEGER, b"+1"),
        (T.INTEGER, b"1.0"),
        (T.INTEGER, b"9223372036854775808"),
        (T.UNSIGNED, b"-1"),
        (T.BOOLEAN, b"true"),
        (T.FLOAT, b"nan"),
        (T.FLOAT, b"1e400"),
        (T.FLOAT, b""),
        (T.OBJLNK, b"3"),
        (T.OBJLNK, b"3:70000"),
        (T.STRING, b"\xff"),
        (T.OPAQUE, b"AA=="),
    ):
        e = raises(CodecError, _untext, t, s)
        assert e.code == BAD_REQUEST, (t, s)


def test_opaque_in_text_is_not_acceptable():
    assert raises(CodecError, _text, T.OPAQUE, b"\x01").code == NOT_ACCEPTABLE


def test_text_needs_a_resource_path():
    m = codec.get(codec.TEXT)
    assert raises(CodecError, m.encode, [((3, 0, 0), T.STRING, "x")], (3, 0)).code == NOT_ACCEPTABLE
    raises(CodecError, m.decode, b"x", (3, 0), lambda p: T.STRING)


def test_opaque_carries_bytes_of_opaque_resources_only():
    m = codec.get(codec.OPAQUE)
    assert m.encode([((5, 0, 0), T.OPAQUE, b"\x00\xff")], (5, 0, 0)) == b"\x00\xff"
    assert m.decode(b"\x00\xff", (5, 0, 0), lambda p: T.OPAQUE) == [((5, 0, 0), b"\x00\xff")]
    raises(CodecError, m.decode, b"1", (3, 0, 9), lambda p: T.INTEGER)


def test_cbor_single_values():
    m = codec.get(codec.CBOR)
    for t, v, h in (
        (T.INTEGER, -1, "20"),
        (T.UNSIGNED, 500, "1901f4"),
        (T.FLOAT, 1.5, "f93e00"),
        (T.FLOAT, 0.1, "fb3fb999999999999a"),
        (T.FLOAT, 100000.0, "fa47c35000"),
        (T.STRING, "IETF", "6449455446"),
        (T.OPAQUE, b"\x01", "4101"),
        (T.BOOLEAN, True, "f5"),
        (T.OBJLNK, (3, 0), "63333a30"),
        (T.TIME, 1363896240, "c11a514b67b0"),  # tag 1: epoch seconds
    ):
        assert m.encode([(P, t, v)], P) == unhex(h), (t, v)
        assert m.decode(unhex(h), P, lambda p: t) == [(P, v)]


def test_cbor_single_accepts_untagged_time_and_int_for_float():
    m = codec.get(codec.CBOR)
    assert m.decode(unhex("1a514b67b0"), P, lambda p: T.TIME) == [(P, 1363896240)]
    assert m.decode(unhex("0a"), P, lambda p: T.FLOAT) == [(P, 10.0)]


def test_cbor_single_refuses_wrong_type_and_structures():
    m = codec.get(codec.CBOR)
    raises(CodecError, m.decode, unhex("6161"), P, lambda p: T.INTEGER)
    raises(CodecError, m.decode, unhex("f5"), P, lambda p: T.INTEGER)
    raises(CodecError, m.decode, unhex("8101"), P, lambda p: T.INTEGER)
    raises(CodecError, m.decode, unhex("1bffffffffffffffff"), P, lambda p: T.INTEGER)


def test_unknown_content_format_is_4_15():
    assert raises(CodecError, codec.get, 1234).code == UNSUPPORTED_FORMAT


def test_codec_modules_load_lazily():
    import sys

    m = codec.get(codec.OPAQUE)
    assert sys.modules["lwm2m.codec.opaque"] is m
    assert codec.get(codec.OPAQUE) is m
