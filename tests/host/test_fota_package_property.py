"""Property: whatever happens to a package's bytes (flips, cuts, garbage
appended), checking and unpacking it either fails with an Update Result
(PackageError) or yields exactly the original files; never anything else,
never another exception."""
import os
import sys

from hypothesis import given, settings, strategies as st

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit"))

from fota_fakes import Flash  # noqa: E402
from lwm2m.fota import package as P  # noqa: E402
from lwm2m.fota.build import build  # noqa: E402

FILES = [("lwm2m/a.mpy", bytes(range(200))), ("lwm2m/sub/b.mpy", b"b" * 77), ("c.mpy", b"")]
PKG = build(FILES, "board", "n", "1")


def _outcome(data):
    s = Flash().reboot()
    f = s.open("p", "wb")
    f.write(data)
    f.close()
    try:
        hd = P.check(s, "p", "board")
        P.unpack(s, "p", hd, "a")
    except P.PackageError as e:
        assert e.result in (2, 5, 6)
        return None
    got = {}
    for path, body in FILES:
        g = s.open("a/" + path, "rb")
        got[path] = g.read()
        g.close()
    return got


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(PKG) - 1), st.integers(1, 255)), min_size=1, max_size=4))
def test_flipped_bytes_never_install_other_content(flips):
    data = bytearray(PKG)
    for i, x in flips:
        data[i] ^= x
    got = _outcome(bytes(data))
    assert got is None or got == dict(FILES)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(PKG) - 1), st.binary(max_size=20))
def test_cut_or_extended_packages_are_refused(cut, tail):
    assert _outcome(PKG[:cut]) is None
    if tail:
        assert _outcome(PKG + tail) is None
