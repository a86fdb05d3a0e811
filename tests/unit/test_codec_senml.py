# SenML JSON (110) and SenML CBOR (112): base name and base time choice,
# value fields per type, composite path lists, refusals.
from lwm2m import codec, datatype as T
from lwm2m.error import CodecError
from support import unhex, raises

sj = codec.get(codec.SENML_JSON)
sc = codec.get(codec.SENML_CBOR)
T0 = 1700000000


def test_value_fields_per_type():
    recs = [
        ((1, 0, 1), T.INTEGER, -3),
        ((1, 0, 2), T.OPAQUE, b"\xfb\xff"),
        ((1, 0, 3), T.OBJLNK, (3, 0)),
        ((1, 0, 4), T.BOOLEAN, False),
        ((1, 0, 5), T.TIME, T0),
    ]
    wire = b'[{"bn":"/1/0/","n":"1","v":-3},{"n":"2","vd":"-_8"},{"n":"3","vlo":"3:0"},{"n":"4","vb":false},{"n":"5","v":1700000000}]'
    assert sj.encode(recs, (1, 0)) == wire
    types = dict((r[0], r[1]) for r in recs)
    assert sj.decode(wire, (1, 0), types.get) == [(r[0], r[2]) for r in recs]
    assert sc.decode(sc.encode(recs, (1, 0)), (1, 0), types.get) == [(r[0], r[2]) for r in recs]


def test_string_escapes_are_the_same_on_both_runtimes():
    wire = sj.encode([((1, 0, 1), T.STRING, 'a"\\\n\x01\u00e9')], (1, 0, 1))
    assert wire == b'[{"n":"/1/0/1","vs":"a\\"\\\\\\n\\u0001\xc3\xa9"}]'


def test_json_escapes_decode():
    wire = b'[{"n":"/1/0/1","vs":"\\u00e9\\ud83d\\ude00\\n\\/"},{"n":"/1/0/2","v":-1.5e2}]'
    assert sj.decode(wire, (1,), lambda p: None) == [((1, 0, 1), "\u00e9\U0001f600\n/"), ((1, 0, 2), -150.0)]


def test_one_timestamp_goes_in_t():
    recs = [((3303, 0, 5700), T.FLOAT, 22.5, T0)]
    assert sj.encode(recs, ()) == b'[{"n":"/3303/0/5700","v":22.5,"t":1700000000}]'


def test_series_of_one_resource_uses_bn_and_bt():
    # Send of three samples: the whole path as bn, the common time as bt
    recs = [((3303, 0, 5700), T.FLOAT, 20.0, T0), ((3303, 0, 5700), T.FLOAT, 21.0, T0 + 60), ((3303, 0, 5700), T.FLOAT, 22.0, T0 + 120)]
    wire = sj.encode(recs, ())
    assert wire == b'[{"bn":"/3303/0/5700","bt":1700000000,"v":20.0},{"v":21.0,"t":60},{"v":22.0,"t":120}]'
    assert sj.decode_timed(wire, (), lambda p: T.FLOAT) == [(r[0], r[2], r[3]) for r in recs]
    cb = sc.encode(recs, ())
    assert cb == unhex("83 a3 02f94d00 216c2f333330332f302f35373030 221a6553f100 a2 02f94d40 06183c a2 02f94d80 061878")
    assert sc.decode_timed(cb, (), lambda p: T.FLOAT) == [(r[0], r[2], r[3]) for r in recs]


def test_records_without_time_get_no_bt():
    recs = [((1, 0, 1), T.INTEGER, 1, T0), ((1, 0, 2), T.INTEGER, 2)]
    assert sj.encode(recs, (1, 0)) == b'[{"n":"/1/0/1","v":1,"t":1700000000},{"n":"/1/0/2","v":2}]'


def test_composite_paths():
    paths = [(3, 0, 0), (3, 0, 1), (3303,), ()]
    assert sj.encode_paths(paths) == b'[{"n":"/3/0/0"},{"n":"/3/0/1"},{"n":"/3303"},{"n":"/"}]'
    assert sj.decode_paths(b'[{"n":"/3/0/0"},{"n":"/3/0/1"},{"n":"/3303"},{"n":"/"}]') == paths
    assert sc.decode_paths(sc.encode_paths(paths)) == paths
    assert sj.decode_paths(b'[{"bn":"/3/0/","n":"0"},{"n":"1"}]') == [(3, 0, 0), (3, 0, 1)]


def test_base_fields_carry_forward():
    wire = b'[{"bn":"/1/0/","bt":100,"n":"1","v":1},{"n":"2","v":2,"t":-10},{"bn":"/2/0/","n":"1","v":3}]'
    assert sj.decode_timed(wire, (), lambda p: T.INTEGER) == [((1, 0, 1), 1, 100), ((1, 0, 2), 2, 90), ((2, 0, 1), 3, 100)]


def test_refusals():
    ty = lambda p: T.INTEGER
    for wire in (
        b'{"n":"/1/0/1","v":1}',  # not an array
        b'[{"n":"/1/0/1"}]',  # no value
        b'[{"n":"/1/0/1","v":1,"vs":"1"}]',  # two values
        b'[{"n":"/1/0/1","vs":"1"}]',  # wrong field for the type
        b'[{"n":"/1/0/1","v":1.5}]',  # float for an integer
        b'[{"n":"/1/0","v":1}]',  # not a resource
        b'[{"n":"/2/0/1","v":1}]',  # outside the request path
        b'[{"n":"1/0/1","v":1}]',  # relative name
        b'[{"n":"/1/0/1","v":1,"x_":1}]',  # must-understand field
        b'[{"bn":"/1/0/","bv":5,"n":"1","v":1}]',  # base value changes values
        b'[{"n":"/1/0/1","v":1e999}]',  # not finite
        b'[{"n":"/1/0/1","v":1}',  # truncated
        b'[{"n":"/1/0/1","v":true}]',
        b'\xff',
        b'[{"n":"/1/0/1","v":1,}]',  # JSON MicroPython's json module would take
        b'[{"n":"/1/0/1" "v":1}]',
        b'[{"n":"/1/0/1","v":01}]',
        b'[{"n":"/1/0/1","v":1,"v":2}]',
        b'[{n:"/1/0/1","v":1}]',
        b'[{"n":"/1/0/1","v":1}] x',
        b'[{"n":"/1/0/1","v":.5}]',
        b'[{"n":"/1/0/\\ud800","v":1}]',
    ):
        raises(CodecError, sj.decode, wire, (1,), ty)
    raises(CodecError, sj.decode, b'[{"n":"/1/0/1","vd":"a+b"}]', (1,), lambda p: T.OPAQUE)
    raises(CodecError, sc.decode, unhex("81 a2 00 66 2f312f302f31 03 6131"), (1,), ty)
    raises(CodecError, sc.decode, unhex("a1 00 00"), (1,), ty)
