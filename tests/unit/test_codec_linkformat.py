# CoRE link format (RFC 6690) as LwM2M registration and Discover use it.
from lwm2m import codec
from lwm2m.codec import linkformat
from lwm2m.error import CodecError
from support import raises


def test_registration_payload():
    links = [((), [("rt", "oma.lwm2m"), ("ct", 11543)]), ((1,), [("ver", "1.1")]), ((1, 0), []), ((3, 0), []), ((3303,), [("ver", "1.1")]), ((3303, 0), [])]
    wire = b'</>;rt="oma.lwm2m";ct=11543,</1>;ver=1.1,</1/0>,</3/0>,</3303>;ver=1.1,</3303/0>'
    assert linkformat.encode(links) == wire
    assert codec.get(codec.LINK) is linkformat
    back = linkformat.decode(wire)
    assert back[0] == ((), [("rt", "oma.lwm2m"), ("ct", "11543")])
    assert [l[0] for l in back] == [l[0] for l in links]


def test_discover_attributes():
    links = [((3, 0), [("pmin", 10), ("pmax", 60)]), ((3, 0, 6), [("dim", 2), ("gt", 50.5)]), ((3, 0, 1), [("obs", None)])]
    wire = b"</3/0>;pmin=10;pmax=60,</3/0/6>;dim=2;gt=50.5,</3/0/1>;obs"
    assert linkformat.encode(links) == wire
    assert linkformat.decode(wire) == [((3, 0), [("pmin", "10"), ("pmax", "60")]), ((3, 0, 6), [("dim", "2"), ("gt", "50.5")]), ((3, 0, 1), [("obs", None)])]


def test_values_outside_ptoken_are_quoted():
    wire = linkformat.encode([((), [("ct", "60 110"), ("title", 'a "b"')])])
    assert wire == b'</>;ct="60 110";title="a \\"b\\""'
    assert linkformat.decode(wire) == [((), [("ct", "60 110"), ("title", 'a "b"')])]


def test_alternate_path_and_empty_payload():
    assert linkformat.decode(b'</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>') == [(("lwm2m",), [("rt", "oma.lwm2m")]), (("lwm2m", 1, 0), [])]
    assert linkformat.decode(b"") == []


def test_malformed_link_format():
    for wire in (b"</3/0", b"3/0", b"</3/0>;", b'</3/0>;rt="x', b"</3/0>x", b"</3//0>", b"</3/0>,", b"</3/0>;a=b c", b"</99999>", b"\xff"):
        raises(CodecError, linkformat.decode, wire)
