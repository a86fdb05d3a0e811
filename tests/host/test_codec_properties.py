# Property tests of the codecs on CPython (hypothesis, cbor2):
# decode(encode(x)) == x in every format, our CBOR against cbor2 both ways,
# SenML JSON and SenML CBOR carrying the same records, and arbitrary or
# mutated bytes raising nothing but CodecError.
import json
import math
import struct

import cbor2
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from lwm2m import codec, datatype as T
from lwm2m.codec import cbor, linkformat, senml_cbor, senml_json
from lwm2m.error import CodecError

ID = st.integers(0, 65535)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
VALUES = {
    T.STRING: st.text(max_size=40),
    T.INTEGER: st.integers(-(2**63), 2**63 - 1),
    T.UNSIGNED: st.integers(0, 2**64 - 1),
    T.FLOAT: FINITE,
    T.BOOLEAN: st.booleans(),
    T.OPAQUE: st.binary(max_size=40),
    T.TIME: st.integers(-(2**63), 2**63 - 1),
    T.OBJLNK: st.tuples(ID, ID),
    T.CORELNK: st.text(max_size=40),
}


@st.composite
def resources(draw, obj, inst, types=tuple(VALUES)):
    """Records of one object instance: single and multiple resources."""
    out = []
    for res in sorted(draw(st.sets(ID, min_size=1, max_size=5))):
        t = draw(st.sampled_from(types))
        if draw(st.booleans()):
            out.append(((obj, inst, res), t, draw(VALUES[t])))
        else:
            for ri in sorted(draw(st.sets(ID, min_size=1, max_size=3))):
                out.append(((obj, inst, res, ri), t, draw(VALUES[t])))
    return out


@st.composite
def trees(draw, types=tuple(VALUES)):
    """(records in path order, base): an object, an instance, or several objects."""
    objs = sorted(draw(st.sets(ID, min_size=1, max_size=3)))
    recs = []
    for obj in objs:
        for inst in sorted(draw(st.sets(ID, min_size=1, max_size=2))):
            recs += draw(resources(obj, inst, types))
    return recs


def _typer(records):
    types = dict((r[0], r[1]) for r in records)
    return types.get


def _same(got, records):
    want = [(r[0], r[2]) for r in records]
    assert [(p, type(v), v) for p, v in got] == [(p, type(v), v) for p, v in want]


@settings(max_examples=300, deadline=None)
@given(trees())
def test_tlv_round_trip_object_and_instance(records):
    tlv = codec.get(codec.TLV)
    obj = records[0][0][0]
    one_obj = [r for r in records if r[0][0] == obj]
    _same(tlv.decode(tlv.encode(one_obj, (obj,)), (obj,), _typer(records)), one_obj)
    inst = one_obj[0][0][:2]
    one_inst = [r for r in one_obj if r[0][:2] == inst]
    _same(tlv.decode(tlv.encode(one_inst, inst), inst, _typer(records)), one_inst)


@settings(max_examples=300, deadline=None)
@given(trees())
def test_senml_lwm2m_cbor_and_json_round_trip(records):
    for cf in (codec.SENML_JSON, codec.SENML_CBOR, codec.LWM2M_CBOR):
        m = codec.get(cf)
        _same(m.decode(m.encode(records, ()), (), _typer(records)), records)
    lj = codec.get(codec.LWM2M_JSON)
    obj = (records[0][0][0],)
    one = [r for r in records if r[0][:1] == obj]
    _same(lj.decode(lj.encode(one, obj), obj, _typer(records)), one)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(tuple(VALUES)).flatmap(lambda t: st.tuples(st.just(t), VALUES[t])))
def test_single_value_formats_round_trip(tv):
    t, v = tv
    path = (1, 2, 3)
    recs = [(path, t, v)]
    formats = [codec.CBOR]
    if t != T.OPAQUE:
        formats.append(codec.TEXT)
    else:
        formats.append(codec.OPAQUE)
    for cf in formats:
        m = codec.get(cf)
        _same(m.decode(m.encode(recs, path), path, lambda p: t), recs)


TIMES = st.one_of(st.none(), st.integers(2**28, 2**32), FINITE.filter(lambda x: abs(x) < 1e15))


@settings(max_examples=300, deadline=None)
@given(trees(), st.data())
def test_senml_json_and_cbor_carry_the_same_records(records, data):
    # Resolved records (name, value, time) agree; the base name may differ, as
    # each serialization picks the one that is shortest for itself.
    timed = [r + (data.draw(TIMES),) for r in records]
    packs = []
    for m in (senml_json, senml_cbor):
        wire = m.encode(timed, ())
        got = m.decode_timed(wire, (), _typer(records))
        packs.append(got)
        for (p, v, t), r in zip(got, timed):
            assert p == r[0] and v == r[2]
            if r[3] is None:
                assert t is None
            else:
                assert t == pytest.approx(r[3], rel=1e-12, abs=1e-6)
    assert packs[0] == packs[1]


PATHS = st.lists(st.lists(ID, max_size=4).map(tuple), min_size=1, max_size=6, unique=True)


@settings(max_examples=300, deadline=None)
@given(PATHS)
def test_composite_path_lists_round_trip(paths):
    for cf in (codec.SENML_JSON, codec.SENML_CBOR):
        m = codec.get(cf)
        assert m.decode_paths(m.encode_paths(paths)) == paths
    m = codec.get(codec.LWM2M_CBOR)
    assert m.decode_paths(m.encode_paths(paths)) == sorted(paths)


ATTR = st.tuples(st.sampled_from(["pmin", "pmax", "rt", "ct", "ver", "title", "obs", "x-y"]), st.one_of(st.none(), st.text(max_size=12)))
LINKS = st.lists(st.tuples(st.lists(ID, max_size=4).map(tuple), st.lists(ATTR, max_size=4)), max_size=5)


@settings(max_examples=300, deadline=None)
@given(LINKS)
def test_link_format_round_trip(links):
    links = [(p, [(n, v) for n, v in a if v is None or v]) for p, a in links]  # '' has no bare form
    assert linkformat.decode(linkformat.encode(links)) == links


# --- CBOR against cbor2 ------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False),
    st.floats(width=16, allow_nan=False),
    st.floats(width=32, allow_nan=False),
    st.text(),
    st.binary(),
)
ITEMS = st.recursive(
    SCALARS,
    lambda kids: st.one_of(st.lists(kids, max_size=5), st.dictionaries(st.one_of(st.integers(), st.text(max_size=5)), kids, max_size=5)),
    max_leaves=20,
)


def _cross_check(v):
    ours = cbor.dumps(v)
    assert cbor2.loads(ours) == v
    assert cbor.loads(cbor2.dumps(v)) == v
    assert cbor.loads(cbor2.dumps(v, canonical=True)) == v
    if not isinstance(v, (dict, list)):
        # preferred serialization: same bytes as cbor2's canonical form
        assert ours == cbor2.dumps(v, canonical=True)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ITEMS)
def test_cbor_against_cbor2_both_ways(v):
    _cross_check(v)


def _random_item(rnd, depth):
    v = _random_any(rnd, depth)
    return 0.25 if v != v else v  # NaN is never equal to itself; tested apart


def _random_any(rnd, depth):
    k = rnd.randrange(12 if depth < 3 else 9)
    if k == 0:
        return rnd.choice((None, True, False))
    if k == 1:
        return rnd.randrange(-(2**64) - 5, 2**64 + 5) if rnd.random() < 0.3 else rnd.randrange(-70000, 70000)
    if k == 2:
        return rnd.randrange(-(2**100), 2**100)
    if k == 3:
        return struct.unpack(">d", rnd.getrandbits(64).to_bytes(8, "big"))[0]
    if k == 4:
        return struct.unpack(">e", rnd.getrandbits(16).to_bytes(2, "big"))[0]
    if k == 5:
        return struct.unpack(">f", rnd.getrandbits(32).to_bytes(4, "big"))[0]
    if k == 6:
        return "".join(chr(rnd.choice((rnd.randrange(32, 127), rnd.randrange(160, 0xD800), rnd.randrange(0x10000, 0x10FFFF)))) for _ in range(rnd.randrange(0, 30)))
    if k == 7:
        return rnd.randbytes(rnd.choice((0, 1, 23, 24, 255, 256, 70000)) if rnd.random() < 0.1 else rnd.randrange(0, 40))
    if k == 8:
        return rnd.randrange(-30, 30) / 4
    if k in (9, 10):
        return [_random_item(rnd, depth + 1) for _ in range(rnd.choice((0, 1, 3, 24, 30)))]
    return dict((rnd.choice((rnd.randrange(-1000, 1000), str(rnd.random()))), _random_item(rnd, depth + 1)) for _ in range(rnd.randrange(0, 6)))


def test_cbor_ten_thousand_random_values_against_cbor2():
    import random

    rnd = random.Random(8949)
    done = 0
    while done < 10000:
        _cross_check(_random_item(rnd, 0))
        done += 1


@settings(max_examples=2000, deadline=None)
@given(st.floats())
def test_cbor_floats_shortest_exact_form(x):
    b = cbor.dumps(x)
    if math.isnan(x):
        assert b == b"\xf9\x7e\x00"
        return
    assert struct.unpack(">" + {3: "e", 5: "f", 9: "d"}[len(b)], b[1:])[0] == x
    if len(b) > 3:
        assert struct.unpack(">e", struct.pack(">e", x))[0] != x if abs(x) < 65520 else True
    if len(b) > 5:
        assert struct.unpack(">f", struct.pack(">f", x))[0] != x if abs(x) < 3.4e38 else True


# --- malformed input ---------------------------------------------------------

GOLDEN = {}


def _golden():
    if not GOLDEN:
        import test_codec_golden as g

        for cf in (codec.TLV, codec.SENML_JSON, codec.SENML_CBOR, codec.LWM2M_CBOR, codec.LWM2M_JSON):
            GOLDEN[cf] = codec.get(cf).encode(g.DEV, g.DEV_PATH)
        GOLDEN[codec.TEXT] = b"22.5"
        GOLDEN[codec.CBOR] = b"\xf9\x4d\xa0"
        GOLDEN[codec.LINK] = b'</>;rt="oma.lwm2m";ct=11543,</1>;ver=1.1,</1/0>,</3/0>'
    return GOLDEN


def _any_type(path):
    return (sum(path) * 7 + len(path)) % 10 if path and None not in path else None


def _decoders(cf):
    if cf == codec.LINK:
        return [linkformat.decode]
    m = codec.get(cf)
    out = [lambda b: m.decode(b, (), _any_type), lambda b: m.decode(b, (3,), _any_type), lambda b: m.decode(b, (3, 0), _any_type), lambda b: m.decode(b, (3, 0, 6), _any_type)]
    if hasattr(m, "decode_paths"):
        out.append(m.decode_paths)
    return out


def _only_codec_error(cf, data):
    for fn in _decoders(cf):
        try:
            fn(data)
        except CodecError:
            pass


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(codec.formats()), st.binary(max_size=64))
def test_random_bytes_raise_only_codec_error(cf, data):
    _only_codec_error(cf, data)


@settings(max_examples=5000, deadline=None)
@given(st.sampled_from([codec.TLV, codec.SENML_JSON, codec.SENML_CBOR, codec.LWM2M_CBOR, codec.LWM2M_JSON, codec.TEXT, codec.CBOR, codec.LINK]), st.data())
def test_mutated_messages_raise_only_codec_error(cf, data):
    wire = bytearray(_golden()[cf])
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        i = data.draw(st.integers(0, max(0, len(wire) - 1)))
        if op == "flip" and wire:
            wire[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "cut":
            del wire[i:]
        elif op == "insert":
            wire[i:i] = bytes([data.draw(st.integers(0, 255))])
        elif wire:
            del wire[i]
    _only_codec_error(cf, bytes(wire))


def test_cbor_loads_of_random_bytes_never_half_decodes():
    # a truncated item never yields a value: every proper prefix fails
    wire = cbor.dumps({"a": [1, 2.5, b"x", {"b": None}], 3: "z" * 30})
    for i in range(len(wire)):
        with pytest.raises(CodecError):
            cbor.loads(wire[:i])


JSON_ITEMS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), FINITE, st.text()),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=1000, deadline=None)
@given(JSON_ITEMS, st.booleans(), st.sampled_from([None, 0, 2]))
def test_our_json_parser_reads_what_json_dumps_writes(v, ascii_only, indent):
    from lwm2m.codec import jsonw

    assume(_depth(v) <= 16)
    text = json.dumps(v, ensure_ascii=ascii_only, indent=indent)
    assert jsonw.loads(text.encode("utf-8")) == v
    # and our string writer reads back through CPython's json
    if isinstance(v, str):
        assert json.loads(jsonw.string(v)) == v


def _depth(v):
    if isinstance(v, list):
        return 1 + max([_depth(x) for x in v] or [0])
    if isinstance(v, dict):
        return 1 + max([_depth(x) for x in v.values()] or [0])
    return 0
