from lwm2m import compat


def test_ticks_diff_wraps_like_micropython():
    a = compat.ticks_add(compat.ticks_ms(), 1000)
    assert compat.ticks_diff(a, compat.ticks_ms()) <= 1000
    near_wrap = compat.ticks_add(0, -5)
    assert compat.ticks_diff(compat.ticks_add(near_wrap, 10), near_wrap) == 10


def test_getrandbits_stays_in_range():
    for _ in range(50):
        assert 0 <= compat.getrandbits(16) < 65536


def test_time_is_whole_seconds():
    assert isinstance(compat.time(), int)


def test_hexstr_lower_by_default_upper_for_at_modems():
    assert compat.hexstr(b"\x00\xab\x7f") == "00ab7f"
    assert compat.hexstr(b"\x00\xab\x7f", True) == "00AB7F"
    assert compat.hexstr(b"") == ""


def test_say_ignores_a_missing_or_failing_trace_hook():
    seen = []
    compat.say(seen.append, "one")
    compat.say(None, "two")

    def broken(text):
        raise RuntimeError("hook")

    compat.say(broken, "three")  # returns: a broken trace never takes a loop down
    assert seen == ["one"]
