# CBOR against the examples of RFC 8949 Appendix A (encode gives the
# preferred serialization, decode takes every listed form).
from lwm2m.codec import cbor
from lwm2m.error import CodecError
from support import unhex, raises

# (value, preferred encoding) from RFC 8949 Appendix A
VECTORS = (
    (0, "00"),
    (1, "01"),
    (10, "0a"),
    (23, "17"),
    (24, "1818"),
    (25, "1819"),
    (100, "1864"),
    (1000, "1903e8"),
    (1000000, "1a000f4240"),
    (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"),
    (18446744073709551616, "c249010000000000000000"),
    (-18446744073709551616, "3bffffffffffffffff"),
    (-18446744073709551617, "c349010000000000000000"),
    (-1, "20"),
    (-10, "29"),
    (-100, "3863"),
    (-1000, "3903e7"),
    (0.0, "f90000"),
    (-0.0, "f98000"),
    (1.0, "f93c00"),
    (1.1, "fb3ff199999999999a"),
    (1.5, "f93e00"),
    (65504.0, "f97bff"),
    (100000.0, "fa47c35000"),
    (3.4028234663852886e38, "fa7f7fffff"),
    (1.0e300, "fb7e37e43c8800759c"),
    (5.960464477539063e-8, "f90001"),
    (0.00006103515625, "f90400"),
    (-4.0, "f9c400"),
    (-4.1, "fbc010666666666666"),
    (float("inf"), "f97c00"),
    (float("-inf"), "f9fc00"),
    (False, "f4"),
    (True, "f5"),
    (None, "f6"),
    (b"", "40"),
    (b"\x01\x02\x03\x04", "4401020304"),
    ("", "60"),
    ("a", "6161"),
    ("IETF", "6449455446"),
    ('"\\', "62225c"),
    ("\u00fc", "62c3bc"),
    ("\u6c34", "63e6b0b4"),
    ([], "80"),
    ([1, 2, 3], "83010203"),
    ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"),
    ({1: 2, 3: 4}, "a201020304"),
    ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (["a", {"b": "c"}], "826161a161626163"),
    ({"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}, "a56161614161626142616361436164614461656145"),
)


def test_rfc8949_appendix_a_encode():
    for v, h in VECTORS:
        assert cbor.dumps(v) == unhex(h), (v, h)


def test_rfc8949_appendix_a_decode():
    for v, h in VECTORS:
        assert cbor.loads(unhex(h)) == v, (v, h)


def test_nan_is_half_quiet_nan():
    assert cbor.dumps(float("nan")) == unhex("f97e00")
    x = cbor.loads(unhex("fb7ff8000000000000"))
    assert x != x


def test_rfc8949_non_preferred_forms_decode():
    assert cbor.loads(unhex("fa47c35000")) == 100000.0
    assert cbor.loads(unhex("fb3ff8000000000000")) == 1.5
    assert cbor.loads(unhex("1b0000000000000001")) == 1


def test_rfc8949_indefinite_lengths_decode():
    assert cbor.loads(unhex("5f42010243030405ff")) == b"\x01\x02\x03\x04\x05"
    assert cbor.loads(unhex("7f657374726561646d696e67ff")) == "streaming"
    assert cbor.loads(unhex("9fff")) == []
    assert cbor.loads(unhex("9f018202039f0405ffff")) == [1, [2, 3], [4, 5]]
    assert cbor.loads(unhex("83018202039f0405ff")) == [1, [2, 3], [4, 5]]
    assert cbor.loads(unhex("bf61610161629f0203ffff")) == {"a": 1, "b": [2, 3]}
    assert cbor.loads(unhex("bf6346756ef563416d7421ff")) == {"Fun": True, "Amt": -2}


def test_tags_are_dropped_to_their_value():
    # tag 1 (epoch time) as LwM2M CBOR may send a Time resource
    assert cbor.loads(unhex("c11a514b67b0")) == 1363896240
    assert cbor.loads(unhex("c1fb41d452d9ec200000")) == 1363896240.5
    assert cbor.dumps(cbor.Tag(1, 1363896240)) == unhex("c11a514b67b0")


def test_array_keys_decode_as_tuples():
    assert cbor.loads(unhex("a18203001864")) == {(3, 0): 100}


def test_map_keys_in_deterministic_order():
    # RFC 8949 4.2.1: bytewise order of the encoded keys: 0, 6, -2, "vlo"
    assert cbor.dumps({"vlo": 1, -2: 2, 6: 3, 0: 4}) == unhex("a4 0004 0603 2102 63766c6f01")


def test_malformed_inputs_raise_codec_error():
    for h in (
        "",  # nothing
        "18",  # argument missing
        "1c",  # reserved additional information
        "62 61",  # text shorter than its length
        "83 01 02",  # array missing an item
        "a1 01",  # map missing a value
        "01 02",  # trailing bytes
        "ff",  # break outside an indefinite item
        "5f 61 61 ff",  # text chunk inside a byte string
        "62 c3 28",  # invalid UTF-8
        "f8 20",  # simple value in a following byte
        "a2 01 02 01 03",  # duplicate key
        "a1 a0 01",  # map as a key
        "9b ffffffffffffffff 00",  # huge claimed length
        "81" * 40 + "00",  # nested too deep
        "1f",  # indefinite integer
        "c2 01",  # bignum not bytes
    ):
        raises(CodecError, cbor.loads, unhex(h))


def test_every_half_float_pattern_round_trips():
    # all 65536 IEEE 754 half patterns: decoded by hand, chosen back as half,
    # encoded in 3 bytes (NaNs aside, which all become the one quiet NaN)
    for h in range(0x10000):
        if h & 0x7C00 == 0x7C00 and h & 0x3FF:
            continue
        x = cbor.loads(bytes((0xF9, h >> 8, h & 0xFF)))
        assert cbor.half_bits(x) == h, h
        assert cbor.dumps(x) == bytes((0xF9, h >> 8, h & 0xFF)), h


def test_floats_just_outside_half_take_single_or_double():
    assert cbor.dumps(65520.0) == unhex("fa477ff000")  # needs a 12th significant bit
    assert cbor.dumps(65536.0) == unhex("fa47800000")  # beyond the largest half exponent
    assert cbor.dumps(2.0**-25) == unhex("fa33000000")  # below the smallest half subnormal
    assert cbor.dumps(1.0 + 2.0**-11) == unhex("fa3f801000")
    assert cbor.dumps(1.0 + 2.0**-24) == unhex("fb3ff0000010000000")
