# The virtual clock: the firmware clock interface on virtual time.
from lwm2m import compat

from host_sim.clock import VirtualClock


def test_ticks_wrap_at_2_pow_30_like_micropython():
    clock = VirtualClock(ticks_start=(1 << 30) - 500)
    before = clock.ticks_ms()
    clock.advance(1000)
    after = clock.ticks_ms()
    assert after == 500  # wrapped
    assert compat.ticks_diff(after, before) == 1000
    assert clock.now_ms == 1000  # the simulator's time does not wrap


def test_ticks_stay_in_range_over_weeks():
    clock = VirtualClock()
    for _ in range(30):
        clock.advance(24 * 3600 * 1000)
        assert 0 <= clock.ticks_ms() < (1 << 30)
    assert clock.now_ms == 30 * 24 * 3600 * 1000


def test_time_is_whole_seconds_from_the_epoch():
    clock = VirtualClock(epoch=1000)
    assert clock.time() == 1000
    clock.advance(1999)
    assert clock.time() == 1001 and isinstance(clock.time(), int)


def test_set_time_moves_the_rtc_not_the_ticks():
    clock = VirtualClock()
    clock.advance(1500)
    ticks = clock.ticks_ms()
    clock.set_time(2000000000)
    assert clock.time() == 2000000000
    assert clock.ticks_ms() == ticks
    clock.advance(1000)
    assert clock.time() == 2000000001


def test_sleep_ms_advances_virtual_time():
    clock = VirtualClock()
    clock.sleep_ms(250)
    assert clock.now_ms == 250 and clock.ticks_ms() == 250


def test_time_cannot_go_back():
    clock = VirtualClock()
    try:
        clock.advance(-1)
    except ValueError:
        return
    raise AssertionError("advance(-1) accepted")
