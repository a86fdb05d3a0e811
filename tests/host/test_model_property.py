"""Property: a write either applies every record or changes nothing."""
from hypothesis import given, settings, strategies as st

from lwm2m.error import CoapError
from lwm2m.model import Model

# Server object resources with their types' valid values, plus a pool of
# values of every other type to make some records invalid.
VALUES = st.one_of(
    st.integers(min_value=-(1 << 64), max_value=1 << 64),
    st.booleans(),
    st.text(max_size=4),
    st.binary(max_size=4),
    st.floats(allow_nan=False),
)
RIDS = st.sampled_from([0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 4, 99])


def fresh():
    m = Model()
    m.add(1, 0, {0: 1, 1: 300, 6: False, 7: "U"})
    m.add(1, 1, {0: 2, 1: 600, 6: True, 7: "UQ"})
    return m


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 2]), RIDS, VALUES), max_size=6), st.booleans(), st.booleans())
def test_write_is_all_or_nothing(records, replace, composite):
    m = fresh()
    before = m.read((1,))
    recs = [((1, iid, rid), v) for iid, rid, v in records]
    try:
        if composite:
            m.write_composite(recs)
        else:
            m.write((1, 0), recs, replace)
    except CoapError as e:
        assert e.code in (0x80, 0x84, 0x85)
        assert m.read((1,)) == before
        return
    last = dict(recs)  # a later record for the same path wins
    for path in last:
        assert m.get(path) == last[path]
