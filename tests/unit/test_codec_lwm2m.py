# LwM2M CBOR (11544, 1.2) and LwM2M JSON (11543, 1.0).
from lwm2m import codec, datatype as T
from lwm2m.error import CodecError, NOT_ACCEPTABLE
from support import unhex, raises

lc = codec.get(codec.LWM2M_CBOR)
lj = codec.get(codec.LWM2M_JSON)


def test_lwm2m_cbor_folds_chains_of_three_or_more_ids():
    # /1/0/1 and /1/0/7 share /1/0 (2 ids: kept nested); /3303/0/5700 alone folds
    recs = [((1, 0, 1), T.INTEGER, 300), ((1, 0, 7), T.STRING, "U"), ((3303, 0, 5700), T.FLOAT, 22.5)]
    wire = unhex("a2 01 a1 00 a2 01 19012c 07 6155" "83 190ce7 00 191644 f94da0")
    assert lc.encode(recs, ()) == wire
    types = dict((r[0], r[1]) for r in recs)
    assert lc.decode(wire, (), types.get) == [(r[0], r[2]) for r in recs]


def test_lwm2m_cbor_decodes_any_key_split():
    ty = lambda p: T.INTEGER
    want = [((3, 0, 6, 0), 1), ((3, 0, 6, 1), 5)]
    assert lc.decode(unhex("a1 03 a1 00 a1 06 a2 0001 0105"), (3, 0), ty) == want
    assert lc.decode(unhex("a2 84 03000600 01 84 03000601 05"), (3, 0), ty) == want
    assert lc.decode(unhex("a1 82 0300 a2 82 0600 01 82 0601 05"), (3,), ty) == want


def test_lwm2m_cbor_composite_paths():
    paths = [(3, 0, 0), (3303,), (5, 0)]
    wire = lc.encode_paths(paths)
    assert wire == unhex("a3 05 a1 00 f6 19 0ce7 f6 83 030000 f6")  # keys in bytewise order
    assert lc.decode_paths(wire) == sorted(paths)
    # /3 and /3/0 together cannot nest: flat array keys
    assert lc.decode_paths(lc.encode_paths([(3,), (3, 0)])) == [(3,), (3, 0)]
    assert lc.decode_paths(lc.encode_paths([()])) == [()]


def test_lwm2m_cbor_refusals():
    ty = lambda p: T.INTEGER
    for h in (
        "a1 83 010001 f5",  # boolean for an integer
        "a1 03 01",  # value at object level
        "a1 85 0300060000 01",  # path too deep
        "a2 83 030001 01 03 a1 00 a1 01 02",  # same path twice
        "a1 83 03 00 61 01",  # id that is text
        "a1 83 030001 82 0102",  # array as a value
        "81 01",  # not a map
        "a1 83 040001 01",  # outside the request path
    ):
        raises(CodecError, lc.decode, unhex(h), (3,), ty)
    assert raises(CodecError, lc.encode, [((1, 0, 1), T.INTEGER, 1, 5)], ()).code == NOT_ACCEPTABLE


def test_lwm2m_json_every_value_kind():
    recs = [
        ((1, 0, 1), T.INTEGER, 300),
        ((1, 0, 2), T.OPAQUE, b"\xfb\xff"),
        ((1, 0, 3), T.OBJLNK, (3, 0)),
        ((1, 0, 4), T.BOOLEAN, True),
        ((1, 0, 5), T.FLOAT, 0.5),
    ]
    wire = b'{"bn":"/1/0/","e":[{"n":"1","v":300},{"n":"2","sv":"+/8="},{"n":"3","ov":"3:0"},{"n":"4","bv":true},{"n":"5","v":0.5}]}'
    assert lj.encode(recs, (1, 0)) == wire
    types = dict((r[0], r[1]) for r in recs)
    assert lj.decode(wire, (1, 0), types.get) == [(r[0], r[2]) for r in recs]


def test_lwm2m_json_timestamps():
    recs = [((1, 0, 1), T.INTEGER, 1, 1000), ((1, 0, 1), T.INTEGER, 2, 1010)]
    assert lj.encode(recs, (1, 0, 1)) == b'{"bn":"/1/0/1","bt":1000,"e":[{"v":1},{"v":2,"t":10}]}'


def test_lwm2m_json_refusals():
    ty = lambda p: T.INTEGER
    for wire in (
        b'[{"n":"1","v":1}]',
        b'{"bn":"/1/0/"}',
        b'{"bn":"/1/0/","e":[{"n":"1"}]}',
        b'{"bn":"/1/0/","e":[{"n":"1","sv":"1"}]}',
        b'{"bn":"/1/0/","e":[{"n":"1","v":1,"bv":true}]}',
        b'{"bn":"/2/0/","e":[{"n":"1","v":1}]}',
        b'{"bn":"/1/0/","e":[{"n":"x","v":1}]}',
        b'{"bn":"/1/0/","e":[',
    ):
        raises(CodecError, lj.decode, wire, (1, 0), ty)


def test_lwm2m_cbor_indefinite_maps_as_anjay_writes_them():
    wire = unhex("bf 03 bf 00 bf 00 6141 06 bf 00 01 01 05 ff ff ff ff")
    want = [((3, 0, 0), "A"), ((3, 0, 6, 0), 1), ((3, 0, 6, 1), 5)]
    types = {(3, 0, 0): T.STRING, (3, 0, 6, 0): T.INTEGER, (3, 0, 6, 1): T.INTEGER}
    assert lc.decode(wire, (3, 0), types.get) == want
