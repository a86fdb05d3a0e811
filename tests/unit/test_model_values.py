# Value validation at every type and width boundary (LwM2M integers are signed
# 64-bit, unsigned 64-bit; object links have 16-bit parts).
from support import raises
from lwm2m import datatype as dt
from lwm2m.error import CoapError, BAD_REQUEST
from lwm2m.model.check import check

P = (3, 0, 1)


def ok(t, v):
    return check(P, t, v)


def bad(t, v):
    e = raises(CoapError, check, P, t, v)
    assert e.code == BAD_REQUEST and "/3/0/1" in e.message
    return e


def test_integer_signed_64_bit_bounds():
    assert ok(dt.INTEGER, (1 << 63) - 1) == (1 << 63) - 1
    assert ok(dt.INTEGER, -(1 << 63)) == -(1 << 63)
    assert ok(dt.INTEGER, 0) == 0
    bad(dt.INTEGER, 1 << 63)
    bad(dt.INTEGER, -(1 << 63) - 1)
    bad(dt.INTEGER, True)
    bad(dt.INTEGER, 1.0)
    bad(dt.INTEGER, "1")


def test_time_is_signed_64_bit():
    assert ok(dt.TIME, -1) == -1 and ok(dt.TIME, (1 << 63) - 1) == (1 << 63) - 1
    bad(dt.TIME, 1 << 63)
    bad(dt.TIME, 1.5)


def test_unsigned_64_bit_bounds():
    assert ok(dt.UNSIGNED, 0) == 0
    assert ok(dt.UNSIGNED, (1 << 64) - 1) == (1 << 64) - 1
    bad(dt.UNSIGNED, -1)
    bad(dt.UNSIGNED, 1 << 64)
    bad(dt.UNSIGNED, False)


def test_float_accepts_ints_as_floats():
    assert ok(dt.FLOAT, 1.5) == 1.5
    v = ok(dt.FLOAT, 3)
    assert v == 3.0 and isinstance(v, float)
    bad(dt.FLOAT, "1.5")
    bad(dt.FLOAT, True)


def test_boolean_only_bool():
    assert ok(dt.BOOLEAN, True) is True and ok(dt.BOOLEAN, False) is False
    bad(dt.BOOLEAN, 1)
    bad(dt.BOOLEAN, "true")


def test_string_versus_opaque():
    assert ok(dt.STRING, "abc") == "abc" and ok(dt.CORELNK, "</3/0>") == "</3/0>"
    bad(dt.STRING, b"abc")
    assert ok(dt.OPAQUE, b"\x00\xff") == b"\x00\xff"
    assert ok(dt.OPAQUE, bytearray(b"ab")) == b"ab" and isinstance(ok(dt.OPAQUE, bytearray(b"ab")), bytes)
    bad(dt.OPAQUE, "abc")


def test_objlnk_16_bit_parts():
    assert ok(dt.OBJLNK, (0, 0)) == (0, 0)
    assert ok(dt.OBJLNK, [65535, 65535]) == (65535, 65535)
    bad(dt.OBJLNK, (65536, 0))
    bad(dt.OBJLNK, (0, -1))
    bad(dt.OBJLNK, (1, 2, 3))
    bad(dt.OBJLNK, "3:0")


def test_none_type_takes_no_value():
    bad(dt.NONE, None)
    bad(dt.NONE, 1)
