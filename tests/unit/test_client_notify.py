# Notification timing as pure functions (LwM2M 1.1.1 5.1.2; 1.2 edge, epmin/epmax, con).
from lwm2m.client.notify import (next_notify, significant, next_sample, may_sample,
                                 sample_after, earliest, confirmable)


def test_observe_without_attributes_notifies_on_every_change_only():
    assert next_notify({}, 20, 100, 20, 150) is None
    assert next_notify({}, 20, 100, 21, 150) == 150


def test_pmin_holds_a_change_back_until_last_report_plus_pmin():
    a = {"pmin": 10}
    assert next_notify(a, 1, 100, 2, 103) == 110
    assert next_notify(a, 1, 100, 2, 110) == 110
    assert next_notify(a, 1, 100, 2, 125) == 125
    assert next_notify(a, 1, 100, 1, 125) is None


def test_pmax_forces_a_notification_without_change():
    a = {"pmin": 5, "pmax": 60}
    assert next_notify(a, 1, 100, 1, 101) == 160
    assert next_notify(a, 1, 100, 2, 101) == 105


def test_pmax_below_pmin_or_zero_is_ignored():
    assert next_notify({"pmin": 30, "pmax": 10}, 1, 100, 1, 101) is None
    assert next_notify({"pmax": 0}, 1, 100, 1, 101) is None


def test_gt_notifies_when_the_value_crosses_it_either_way():
    a = {"gt": 50.0}
    assert not significant(a, 40, 45)
    assert significant(a, 40, 51)
    assert significant(a, 51, 49.5)
    assert not significant(a, 51, 60)
    assert next_notify(a, 40, 0, 45, 10) is None


def test_lt_notifies_when_the_value_crosses_it():
    a = {"lt": 10}
    assert significant(a, 12, 9)
    assert significant(a, 9, 12)
    assert not significant(a, 12, 11)


def test_st_notifies_when_change_since_last_report_reaches_step():
    a = {"st": 2}
    assert not significant(a, 20.0, 21.5)
    assert significant(a, 20.0, 22.0)
    assert significant(a, 20.0, 17.5)


def test_gt_lt_st_together_any_condition_notifies():
    a = {"gt": 50, "lt": 10, "st": 5}
    assert significant(a, 30, 36)
    assert significant(a, 49, 51)
    assert significant(a, 11, 9)
    assert not significant(a, 30, 33)


def test_edge_1_rising_only_edge_0_falling_only():
    assert significant({"edge": 1}, False, True)
    assert not significant({"edge": 1}, True, False)
    assert significant({"edge": 0}, True, False)
    assert not significant({"edge": 0}, False, True)
    assert significant({}, True, False)


def test_non_numeric_values_with_step_still_report_changes():
    assert significant({"st": 1}, "a", "b")
    assert not significant({"st": 1}, "a", "a")
    assert significant({}, None, 0)


def test_epmax_forces_a_sample_epmin_holds_it_back():
    a = {"epmin": 5, "epmax": 30}
    assert next_sample(a, 100) == 130
    assert next_sample({}, 100) is None
    assert next_sample({"epmin": 40, "epmax": 30}, 100) is None
    assert not may_sample(a, 100, 104)
    assert may_sample(a, 100, 105)
    assert sample_after(a, 100) == 105
    assert may_sample({}, 100, 100)


def test_sleep_scheduler_takes_the_earliest_deadline():
    assert earliest(None, 30, 10, None) == 10
    assert earliest(None, None) is None


def test_con_attribute_overrides_default_notification_mode():
    assert confirmable({}, False) is False
    assert confirmable({}, 1) is True
    assert confirmable({"con": 1}, False) is True
    assert confirmable({"con": 0}, True) is False
