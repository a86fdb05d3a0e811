# OMA LwM2M TLV (11542): header forms, value widths, nesting and the
# wrappers servers put around a request path's own level.
from lwm2m import codec, datatype as T
from lwm2m.error import CodecError, NOT_ACCEPTABLE
from support import unhex, raises

tlv = codec.get(codec.TLV)


def _one(t, v):
    return tlv.encode([((1, 0, 1), t, v)], (1, 0, 1))


def test_integers_take_the_shortest_of_1_2_4_8_bytes():
    assert _one(T.INTEGER, 0) == unhex("c1 01 00")
    assert _one(T.INTEGER, -128) == unhex("c1 01 80")
    assert _one(T.INTEGER, 128) == unhex("c2 01 0080")
    assert _one(T.INTEGER, 86400) == unhex("c4 01 00015180")
    assert _one(T.INTEGER, -2147483649) == unhex("c8 01 08 ffffffff7fffffff")
    assert _one(T.UNSIGNED, 255) == unhex("c1 01 ff")
    assert _one(T.UNSIGNED, 18446744073709551615) == unhex("c8 01 08 ffffffffffffffff")
    assert raises(CodecError, _one, T.INTEGER, 1 << 63).code == NOT_ACCEPTABLE


def test_floats_take_4_bytes_when_exact_else_8():
    assert _one(T.FLOAT, 1.5) == unhex("c4 01 3fc00000")
    assert _one(T.FLOAT, 0.1) == unhex("c8 01 08 3fb999999999999a")


def test_other_value_types():
    assert _one(T.BOOLEAN, True) == unhex("c1 01 01")
    assert _one(T.OBJLNK, (3, 65535)) == unhex("c4 01 0003ffff")
    assert _one(T.OPAQUE, b"") == unhex("c0 01")
    assert _one(T.STRING, "abc") == unhex("c3 01 616263")


def test_lengths_8_16_24_bits_and_16_bit_ids():
    assert tlv.encode([((1, 0, 300), T.OPAQUE, b"x" * 8)], (1, 0, 300))[:4] == unhex("e8 012c 08")
    assert tlv.encode([((1, 0, 1), T.OPAQUE, b"x" * 300)], (1, 0, 1))[:4] == unhex("d0 01 012c")
    big = tlv.encode([((1, 0, 1), T.OPAQUE, b"x" * 70000)], (1, 0, 1))
    assert big[:5] == unhex("d8 01 011170")
    assert tlv.decode(big, (1, 0, 1), lambda p: T.OPAQUE) == [((1, 0, 1), b"x" * 70000)]


def test_object_read_wraps_instances():
    recs = [((1, 0, 0), T.INTEGER, 1), ((1, 0, 1), T.INTEGER, 300), ((1, 2, 0), T.INTEGER, 2)]
    wire = unhex("07 00 c1 00 01 c2 01 012c" "03 02 c1 00 02")  # 7 bytes fit in the type byte
    assert tlv.encode(recs, (1,)) == wire
    assert tlv.decode(wire, (1,), lambda p: T.INTEGER) == [(r[0], r[2]) for r in recs]


def test_resource_instance_read():
    assert tlv.encode([((3, 0, 6, 1), T.INTEGER, 5)], (3, 0, 6, 1)) == unhex("41 01 05")
    assert tlv.decode(unhex("41 01 05"), (3, 0, 6, 1), lambda p: T.INTEGER) == [((3, 0, 6, 1), 5)]


def test_decode_accepts_the_request_level_wrapper():
    ty = lambda p: T.INTEGER
    # instance TLV around resources on /1/0
    assert tlv.decode(unhex("03 00 c1 01 05"), (1, 0), ty) == [((1, 0, 1), 5)]
    # resource TLV on /1/0/1, bare resource instances on a multiple resource
    assert tlv.decode(unhex("c1 01 05"), (1, 0, 1), ty) == [((1, 0, 1), 5)]
    assert tlv.decode(unhex("41 00 01 41 01 05"), (3, 0, 6), ty) == [((3, 0, 6, 0), 1), ((3, 0, 6, 1), 5)]


def test_create_without_instance_tlv_leaves_the_id_to_the_client():
    assert tlv.decode(unhex("c1 01 05"), (1,), lambda p: T.INTEGER) == [((1, None, 1), 5)]


def test_malformed_tlv_raises_codec_error():
    ty = lambda p: T.INTEGER
    for h, base in (
        ("c1 01", (1, 0)),  # value missing
        ("c8 01", (1, 0)),  # length byte missing
        ("e1 01", (1, 0)),  # 16-bit id cut short
        ("c3 01 000000", (1, 0)),  # 3-byte integer
        ("c1 01 05 00", (1, 0)),  # trailing byte
        ("41 01 05", (1, 0)),  # resource instance at resource level
        ("03 01 c1 01 05", (1, 0)),  # instance 1 sent to /1/0
        ("86 06 c1 00 01", (3, 0)),  # resource inside a multiple resource
        ("08 00 05 c1 01 05 00", (1,)),  # inner TLV overruns its instance
        ("c1 01 05", ()),  # no object in the path
    ):
        raises(CodecError, tlv.decode, unhex(h), base, ty)
    raises(CodecError, tlv.decode, unhex("c1 01 02"), (1, 0), lambda p: T.BOOLEAN)
    raises(CodecError, tlv.decode, unhex("c2 01 0000"), (1, 0), lambda p: T.OBJLNK)


def test_unknown_resources_decode_as_raw_bytes():
    assert tlv.decode(unhex("c2 09 0102"), (1, 0), lambda p: None) == [((1, 0, 9), b"\x01\x02")]
