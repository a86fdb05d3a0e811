# Observe / Notify timing through the reporter (1.1.1 6.4; int-301, 304, 308-310).
from client_fakes import FakeModel, fake_codecs
from lwm2m.client.dispatch import Dispatcher, Server
from lwm2m.client.attrs import AttributeStore
from lwm2m.client.reporter import Reporter


def _r(defaults=(None, None)):
    m = FakeModel()
    d = Dispatcher(m, default_format=9999, codecs=fake_codecs)
    s = Server(101, AttributeStore(lambda: defaults))
    return m, s, Reporter(d)


def test_int_301_observe_notifies_on_change_only():
    m, s, r = _r()
    o = r.add("k", s, [(3, 0, 9)], False, 9999, m.read((3, 0, 9)), 100)
    assert r.deadline() is None and r.due(200) == []
    m.data[3][0][9] = 80
    r.changed((3, 0, 9), 200)
    assert r.deadline() == 200
    got = r.due(200)
    assert got == [(o, 0x45, b"((3, 0, 9), [((3, 0, 9), 1, 80)])", False)]
    assert r.deadline() is None


def test_change_elsewhere_does_not_wake_the_observation():
    m, s, r = _r()
    r.add("k", s, [(3, 0, 9)], False, 9999, m.read((3, 0, 9)), 100)
    r.changed((3303, 0, 5700), 150)
    r.changed((3, 0, 0), 150)
    assert r.deadline() is None
    r.changed((3, 0), 150)  # a whole-instance write touches it
    assert r.deadline() == 150
    assert r.due(150) == []  # value unchanged: nothing to say


def test_server_default_pmax_forces_periodic_notifications():
    m, s, r = _r((None, 60))
    o = r.add("k", s, [(3, 0, 9)], False, 9999, m.read((3, 0, 9)), 100)
    assert r.deadline() == 160
    assert len(r.due(160)) == 1 and r.deadline() == 220


def test_pmin_holds_a_change_back_and_reports_the_latest_value():
    m, s, r = _r()
    s.attrs.write((3, 0, 9), ["pmin=30"])
    r.add("k", s, [(3, 0, 9)], False, 9999, m.read((3, 0, 9)), 100)
    m.data[3][0][9] = 70
    r.changed((3, 0, 9), 110)
    assert r.due(110) == [] and r.deadline() == 130
    m.data[3][0][9] = 60
    got = r.due(130)
    assert got[0][2] == b"((3, 0, 9), [((3, 0, 9), 1, 60)])"


def test_step_attribute_filters_small_changes():
    m, s, r = _r()
    s.attrs.write((3303, 0, 5700), ["st=2"])
    r.add("k", s, [(3303, 0, 5700)], False, 9999, m.read((3303, 0, 5700)), 0)
    m.data[3303][0][5700] = 22.5
    r.changed((3303, 0, 5700), 5)
    assert r.due(5) == []
    m.data[3303][0][5700] = 24.0
    r.changed((3303, 0, 5700), 6)
    assert len(r.due(6)) == 1


def test_epmin_delays_evaluation_after_a_change():
    m, s, r = _r()
    s.attrs.write((3, 0, 9), ["epmin=10"])
    r.add("k", s, [(3, 0, 9)], False, 9999, m.read((3, 0, 9)), 100)
    m.data[3][0][9] = 1
    r.changed((3, 0, 9), 103)
    assert r.deadline() == 110


def test_observed_instance_deleted_sends_4_04_and_ends():
    m, s, r = _r()
    o = r.add("k", s, [(3303, 1, 5700)], False, 9999, m.read((3303, 1, 5700)), 0)
    del m.data[3303][1]
    r.changed((3303, 1), 1)
    assert r.due(1) == [(o, 0x84, b"", False)]
    assert r.observations == []


def test_int_304_308_309_observe_composite_follows_created_and_deleted_instances():
    m, s, r = _r()
    paths = [(3303,), (3, 0, 9)]
    recs = Dispatcher(m, codecs=fake_codecs).read_records(paths, s)
    r.add("c", s, paths, True, 9999, recs, 0)
    m.data[3303][2] = {5700: 1.0}
    r.changed((3303, 2), 1)
    got = r.due(1)
    assert len(got) == 1 and b"(3303, 2, 5700)" in got[0][2]
    del m.data[3303][2]
    r.changed((3303, 2), 2)
    got = r.due(2)
    assert len(got) == 1 and b"(3303, 2, 5700)" not in got[0][2]


def test_con_attribute_makes_notifications_confirmable():
    m, s, r = _r()
    s.attrs.write((3,), ["con=1"])
    r.add("k", s, [(3, 0, 9)], False, 9999, m.read((3, 0, 9)), 0)
    m.data[3][0][9] = 5
    r.changed((3, 0, 9), 1)
    assert r.due(1)[0][3] is True


def test_cancel_forgets_the_observation():
    m, s, r = _r((None, 10))
    r.add("k", s, [(3, 0, 9)], False, 9999, m.read((3, 0, 9)), 0)
    r.cancel("k")
    assert r.deadline() is None and r.due(100) == []
