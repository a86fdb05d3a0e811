# lwm2m.client.schedule: the pure sleep scheduler.
from lwm2m.client import schedule as S


def test_wakes_at_the_smallest_deadline_and_does_everything_open():
    ws = [S.window(1900, 0, "notify"), S.update_window(2000, 86400, 900), S.window(5000, 100, "timer")]
    assert S.next_wake(ws) == 1900
    assert sorted(S.due(ws, 1900)) == ["notify", "update"]  # the Update rides along
    assert S.due(ws, 1000) == []


def test_update_window_never_opens_before_half_the_lifetime():
    assert S.update_window(1000, 600, 900) == (700, 1000, "update")


def test_sleep_ms_counts_from_now_and_none_without_work():
    assert S.sleep_ms([S.window(10, 0, "x")], 4) == 6000
    assert S.sleep_ms([S.window(10, 0, "x")], 12) == 0
    assert S.sleep_ms([], 12) is None
    assert S.next_wake([None]) is None
