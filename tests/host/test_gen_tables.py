"""tools/gen_tables.py: OMA registry XML -> the firmware's bytes tables."""
import os
import types

import pytest

from tools import gen_tables as gen
from lwm2m import datatype as dt
from lwm2m.model.table import Tables, R, W, E, MULTIPLE, MANDATORY, TYPE_MASK
from lwm2m.model.table import OBJ_MULTIPLE, OBJ_MANDATORY

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
ROOT = os.path.dirname(os.path.dirname(HERE))


def load(text):
    mod = types.ModuleType("generated")
    exec(text, mod.__dict__)
    return mod


def fixture_tables(enabler="1.1"):
    text, names = gen.generate([os.path.join(FIX, "sensor.xml"), os.path.join(FIX, "single.xml")], enabler)
    return Tables(load(text)), load(names).NAMES


def test_fixture_tables_carry_every_field():
    t, names = fixture_tables()
    assert t.object_ids() == [3, 32000]
    assert t.object_flags(32000) == OBJ_MULTIPLE and t.object_flags(3) == OBJ_MANDATORY
    assert t.info(32000, 5700) == dt.FLOAT | R | MANDATORY
    assert t.info(32000, 1) == dt.STRING | R | W
    assert t.info(32000, 2) == dt.UNSIGNED | R | MULTIPLE
    assert t.info(32000, 3) == dt.NONE | E
    assert t.info(32000, 4) == dt.OPAQUE | W
    types_ = [t.info(32000, r) & TYPE_MASK for r in (5, 6, 7, 8, 9)]
    assert types_ == [dt.OBJLNK, dt.TIME, dt.BOOLEAN, dt.CORELNK, dt.INTEGER]
    assert t.resource_ids(32000) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 5700]
    assert names[32000][0] == "Test Sensor" and names[32000][1][5700] == "Sensor Value"


def test_missing_object_version_is_1_0_and_implied_versions_follow_the_enabler():
    t, _ = fixture_tables("1.1")
    assert t.ver_attr(3) == "1.0"  # LwM2M 1.1 implies Device 1.1: an old 1.0 Device must say so
    assert t.ver_attr(32000) == "1.1"
    t, _ = fixture_tables("1.0")
    assert t.ver_attr(3) is None
    with pytest.raises(gen.GenError, match="enabler"):
        gen.generate([os.path.join(FIX, "single.xml")], "3.0")


def write(tmp_path, body, name="bad.xml"):
    p = tmp_path / name
    p.write_text('<?xml version="1.0"?>\n<LWM2M>' + body + "</LWM2M>")
    return str(p)


def obj(resources, oid="32001", extra=""):
    return (
        "<Object><Name>X</Name><ObjectID>%s</ObjectID>%s<MultipleInstances>Single</MultipleInstances>"
        "<Mandatory>Optional</Mandatory><Resources>%s</Resources></Object>" % (oid, extra, resources)
    )


def item(rid, ops="R", typ="Integer", multi="Single", mand="Optional"):
    return (
        '<Item ID="%s"><Name>r</Name><Operations>%s</Operations><MultipleInstances>%s</MultipleInstances>'
        "<Mandatory>%s</Mandatory><Type>%s</Type></Item>" % (rid, ops, multi, mand, typ)
    )


@pytest.mark.parametrize(
    "body, message",
    [
        (obj(item(1, typ="Flot")), "bad.xml: object 32001: resource 1: field Type has unknown value 'Flot'"),
        (obj(item(1) + item(1)), "bad.xml: object 32001: resource 1: duplicate resource ID"),
        (obj(item(1, ops="X")), "bad.xml: object 32001: resource 1: field Operations has unknown value 'X'"),
        (obj(item(1, multi="Many")), "bad.xml: object 32001: resource 1: field MultipleInstances"),
        (obj(item(1, ops="E")), "bad.xml: object 32001: resource 1: field Type 'Integer' does not fit Operations 'E'"),
        (obj(item("x")), "bad.xml: object 32001: resource: field ID is not an integer"),
        (obj(item(70000)), "bad.xml: object 32001: resource: field ID out of range"),
        (obj(item(1), oid="abc"), "bad.xml: field ObjectID is not an integer"),
        (obj(item(1), extra="<ObjectVersion>1.x</ObjectVersion>"), "bad.xml: object 32001: field ObjectVersion"),
        ("<Object><ObjectID>5</ObjectID></Object>", "bad.xml: object 5: missing field MultipleInstances"),
        ("", "bad.xml: no Object element"),
        ("<Object><ObjectID>5</Object>", "bad.xml: malformed XML"),
    ],
)
def test_defects_name_file_object_and_field(tmp_path, body, message):
    with pytest.raises(gen.GenError) as e:
        gen.generate([write(tmp_path, body)])
    assert message in str(e.value)


def test_duplicate_object_ids_across_files(tmp_path):
    a = write(tmp_path, obj(item(1)), "a.xml")
    b = write(tmp_path, obj(item(2)), "b.xml")
    with pytest.raises(gen.GenError, match=r"b.xml: object 32001: duplicate ObjectID \(also in a.xml\)"):
        gen.generate([a, b])


def test_main_reports_errors_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "t.py"
    rc = gen.main(["gen", "--out", str(out), "--names", str(tmp_path / "n.py"), write(tmp_path, obj(item(1, typ="?")))])
    assert rc == 1 and not out.exists() and "unknown value '?'" in capsys.readouterr().out


def test_committed_tables_match_the_generator():
    registry = gen.find_registry()
    if registry is None:
        pytest.skip("no shared/lwm2m-registry next to the repository")
    tables, names = gen.generate(gen.standard_files(registry))
    with open(gen.DEFAULT_OUT) as f:
        assert f.read() == tables, "firmware/lwm2m/objects/tables.py is stale: run `make tables`"
    with open(gen.DEFAULT_NAMES) as f:
        assert f.read() == names, "host_sim/names.py is stale: run `make tables`"


def test_every_registry_file_parses():
    registry = gen.find_registry()
    if registry is None:
        pytest.skip("no shared/lwm2m-registry next to the repository")
    files = []
    for sub in ("", "version_history"):
        d = os.path.join(registry, sub)
        files += [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(".xml") and "senml" not in n]
    for path in files:
        gen.parse_file(path)


def test_names_module_serves_the_server():
    """The generated names module carries the server's format and path helpers
    next to NAMES, so a regenerated set keeps them."""
    _, text = gen.generate([os.path.join(FIX, "sensor.xml")])
    mod = load(text)
    assert mod.content_format("tlv") == 11542 and mod.content_format("60") == 60 and mod.content_format(None) is None
    assert mod.format_name(11543) in ("json", "lwm2m-json") and mod.format_name(None) == "none"
    assert mod.parse_path("/3/0/1") == (3, 0, 1) and mod.parse_path("/") == () and mod.path_str((3, 0)) == "/3/0"
    assert mod.code_str(0x84) == "4.04" and mod.LINK_FORMAT == 40 and mod.SENML_CBOR == 112
    with pytest.raises(ValueError):
        mod.parse_path("/3/x")
    with pytest.raises(ValueError):
        mod.content_format("nope")
    assert mod.NAMES[32000][1][5700] == "Sensor Value"
