# RFC 8323 framing: the length nibble and its extensions, token, code.
from support import raises, unhex
from lwm2m.link.tcp import frame, parse_frame


def test_rfc8323_frame_of_a_get_with_short_options():
    # GET, token 0x7d34, Uri-Path "temp": Len=5 (options), TKL=2
    f = frame(0x01, b"\x7d\x34", unhex("b4 74656d70"))
    assert f == unhex("52 01 7d34 b4 74656d70")
    assert parse_frame(f) == (0x01, b"\x7d\x34", unhex("b474656d70"), len(f))


def test_extended_lengths_at_each_boundary():
    for n in (0, 12, 13, 268, 269, 1000, 65804, 65805, 70000):
        rest = bytes(i & 255 for i in range(n))
        f = frame(0x45, b"\x01", rest)
        assert parse_frame(f) == (0x45, b"\x01", rest, len(f))
    assert frame(0x45, b"", b"x" * 13)[:2] == b"\xd0\x00"
    assert frame(0x45, b"", b"x" * 269)[:3] == b"\xe0\x00\x00"
    assert frame(0x45, b"", b"x" * 65805)[:5] == b"\xf0\x00\x00\x00\x00"


def test_partial_frames_need_more_bytes():
    f = frame(0x02, b"\xaa\xbb", b"\xff" + b"p" * 300)
    for cut in range(len(f)):
        assert parse_frame(f[:cut]) is None
    assert parse_frame(f + b"\x00")[3] == len(f)


def test_token_length_over_8_is_refused():
    raises(ValueError, parse_frame, b"\x09\x01" + b"t" * 9)
