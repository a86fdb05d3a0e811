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
