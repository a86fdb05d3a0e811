"""Property: whatever objects the XML defines, the packed tables answer every
lookup exactly as the definitions say (packing + binary search round trip)."""
import types

from hypothesis import given, settings, strategies as st

from tools import gen_tables as gen
from lwm2m.model.table import Tables, TYPE_MASK, MULTIPLE, MANDATORY

TYPE_NAMES = ["String", "Integer", "Unsigned Integer", "Float", "Boolean", "Opaque", "Time", "Objlnk", "Corelnk"]
OPS = ["R", "W", "RW", ""]

resource = st.tuples(st.sampled_from(range(len(TYPE_NAMES) + 1)), st.sampled_from(OPS), st.booleans(), st.booleans())
obj = st.dictionaries(st.integers(0, 65535), resource, min_size=1, max_size=40)
objects = st.dictionaries(st.integers(0, 65535), obj, min_size=1, max_size=8)


def xml(oid, resources):
    items = []
    for rid, (t, ops, multi, mand) in resources.items():
        typ, op = ("", "E") if t == len(TYPE_NAMES) else (TYPE_NAMES[t], ops)
        items.append(
            '<Item ID="%d"><Name>r%d</Name><Operations>%s</Operations><MultipleInstances>%s</MultipleInstances>'
            "<Mandatory>%s</Mandatory><Type>%s</Type></Item>"
            % (rid, rid, op, "Multiple" if multi else "Single", "Mandatory" if mand else "Optional", typ)
        )
    return (
        "<LWM2M><Object><Name>o</Name><ObjectID>%d</ObjectID><ObjectVersion>1.1</ObjectVersion>"
        "<MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>"
        "<Resources>%s</Resources></Object></LWM2M>" % (oid, "".join(items))
    )


@settings(max_examples=60, deadline=None)
@given(objects, st.integers(0, 65535))
def test_every_lookup_matches_the_definition(tmp_path_factory, defs, probe):
    d = tmp_path_factory.mktemp("xml")
    paths = []
    for oid, res in defs.items():
        p = d / ("%d.xml" % oid)
        p.write_text(xml(oid, res))
        paths.append(str(p))
    text, _ = gen.generate(paths)
    mod = types.ModuleType("t")
    exec(text, mod.__dict__)
    t = Tables(mod)
    assert t.object_ids() == sorted(defs)
    for oid, res in defs.items():
        assert t.resource_ids(oid) == sorted(res)
        for rid, (typ, ops, multi, mand) in res.items():
            info = t.info(oid, rid)
            assert info & TYPE_MASK == (9 if typ == len(TYPE_NAMES) else typ)
            assert bool(info & MULTIPLE) == multi and bool(info & MANDATORY) == mand
        if probe not in res:
            assert t.info(oid, probe) == -1
    if probe not in defs:
        assert t.info(probe, 0) == -1 and t.object_flags(probe) == -1
