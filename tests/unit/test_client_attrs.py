# Write-Attributes (LwM2M 1.1.1 5.1.2 / 5.4.4, 1.2 edge/con/hqmax).
from support import raises
from lwm2m.client import attrs, attrs_write
from lwm2m.client.attrs import AttributeStore
from lwm2m.error import CoapError
from lwm2m import datatype


def _types(path):
    return {(3303, 0, 5700): datatype.FLOAT, (3, 0, 7): datatype.INTEGER,
            (3342, 0, 5500): datatype.BOOLEAN, (3, 0, 0): datatype.STRING}.get(tuple(path[:3]))


def test_write_attributes_parses_every_1_2_attribute():
    a = attrs_write.parse_query(["pmin=10", "pmax=60", "gt=50.5", "lt=-3", "st=2", "epmin=1",
                           "epmax=30", "edge=1", "con=0", "hqmax=8"])
    assert a == {"pmin": 10, "pmax": 60, "gt": 50.5, "lt": -3.0, "st": 2.0, "epmin": 1,
                 "epmax": 30, "edge": 1, "con": 0, "hqmax": 8}


def test_write_attributes_bare_name_or_empty_value_removes():
    a = attrs_write.parse_query(["pmin", "gt="])
    assert a == {"pmin": None, "gt": None}
    s = AttributeStore()
    s.write((3303, 0, 5700), ["pmin=5", "gt=20", "pmax=9"], _types)
    s.write((3303, 0, 5700), ["pmin", "gt="], _types)
    assert s.attached((3303, 0, 5700)) == {"pmax": 9}
    s.write((3303, 0, 5700), ["pmax"], _types)
    assert s.attached((3303, 0, 5700)) == {}
    assert s.paths() == []


def test_write_attributes_rejects_malformed_and_unknown_with_4_00():
    for q in (["pmin=-1"], ["pmin=1.5"], ["pmin=x"], ["gt=abc"], ["edge=2"], ["con=yes"],
              ["foo=1"], ["cancel"], ["pmin=1", "pmin=2"], [], ["gt=nan"]):
        e = raises(CoapError, attrs_write.parse_query, q)
        assert e.code == 0x80, q


def test_write_attributes_pmin_greater_than_pmax_is_4_00_and_changes_nothing():
    s = AttributeStore()
    s.write((3, 0), ["pmax=60"])
    e = raises(CoapError, s.write, (3, 0), ["pmin=61"])
    assert e.code == 0x80
    assert s.attached((3, 0)) == {"pmax": 60}
    e = raises(CoapError, s.write, (3, 0), ["epmin=10", "epmax=5"])
    assert e.code == 0x80


def test_write_attributes_lt_plus_two_steps_must_stay_below_gt():
    s = AttributeStore()
    s.write((3303, 0, 5700), ["gt=50", "lt=10", "st=19.5"], _types)
    assert raises(CoapError, s.write, (3303, 0, 5700), ["st=20"], _types).code == 0x80
    assert raises(CoapError, s.write, (3303, 0, 5700), ["lt=50"], _types).code == 0x80
    assert raises(CoapError, s.write, (3303, 0, 5700), ["st=-1"], _types).code == 0x80
    assert s.attached((3303, 0, 5700)) == {"gt": 50.0, "lt": 10.0, "st": 19.5}


def test_write_attributes_gt_lt_st_only_on_numeric_resources():
    s = AttributeStore()
    assert raises(CoapError, s.write, (3303, 0), ["gt=1"], _types).code == 0x80
    assert raises(CoapError, s.write, (3303,), ["st=1"], _types).code == 0x80
    assert raises(CoapError, s.write, (3, 0, 0), ["gt=1"], _types).code == 0x80
    assert raises(CoapError, s.write, (3303, 0, 5700), ["edge=1"], _types).code == 0x80
    s.write((3342, 0, 5500), ["edge=1"], _types)
    assert s.attached((3342, 0, 5500)) == {"edge": 1}
    # removing a resource-only attribute is fine anywhere
    s.write((3303, 0), ["gt"], _types)


def test_write_attributes_on_root_path_is_4_00():
    assert raises(CoapError, AttributeStore().write, (), ["pmin=1"]).code == 0x80


def test_write_attributes_on_multiple_resource_instance_int_261():
    s = AttributeStore()
    s.write((3, 0, 7), ["pmin=5"], _types)
    s.write((3, 0, 7, 1), ["gt=4000", "lt=3000"], _types)
    assert s.effective((3, 0, 7, 1)) == {"pmin": 5, "gt": 4000.0, "lt": 3000.0}
    assert s.effective((3, 0, 7, 0)) == {"pmin": 5}


def test_attribute_inheritance_object_instance_resource_over_server_defaults():
    defaults = [1, 300]
    s = AttributeStore(lambda: (defaults[0], defaults[1]))
    assert s.effective((3, 0, 9)) == {"pmin": 1, "pmax": 300}
    s.write((3,), ["pmax=120", "con=1"])
    s.write((3, 0), ["pmin=10"])
    s.write((3, 0, 9), ["pmax=60"], _types)
    assert s.effective((3, 0, 9)) == {"pmin": 10, "pmax": 60, "con": 1}
    assert s.effective((3, 0, 1)) == {"pmin": 10, "pmax": 120, "con": 1}
    assert s.effective((3, 1)) == {"pmin": 1, "pmax": 120, "con": 1}
    defaults[0] = 2  # Server object /1/x/2 rewritten: applies at once
    assert s.effective((3, 1))["pmin"] == 2
    s2 = AttributeStore(lambda: (None, None))
    assert s2.effective((3, 0)) == {}


def test_attributes_dropped_with_deleted_instance():
    s = AttributeStore()
    s.write((3303, 0), ["pmin=1"])
    s.write((3303, 0, 5700), ["gt=3"], _types)
    s.write((3303, 1), ["pmin=2"])
    s.drop((3303, 0))
    assert s.paths() == [(3303, 1)]


def test_discover_prints_attributes_in_fixed_order():
    got = attrs.link_attrs({"hqmax": 3, "lt": 42.2, "pmin": 10, "gt": 50.0, "edge": 0})
    assert got == [("pmin", 10), ("gt", 50.0), ("lt", 42.2), ("edge", 0), ("hqmax", 3)]
