# Observe / Notify timing through the reporter (1.1.1 6.4; int-301, 304, 308-310).
from client_support import device, SENML_JSON as J
from lwm2m.client.dispatch import Dispatcher, Server
from lwm2m.client.attrs import AttributeStore
from lwm2m.client.reporter import Reporter

T = (3, 0, 9)


def _r(defaults=(None, None)):
    m = device()
    d = Dispatcher(m, default_format=J)
    s = Server(101, AttributeStore(lambda: defaults))
    return m, s, Reporter(d), d


def _obs(m, s, r, path=T, at=100):
    return r.add("k", s, [path], False, J, m.read(path), at)


def test_int_301_observe_notifies_on_change_only():
    m, s, r, d = _r()
    o = _obs(m, s, r)
    assert r.deadline() is None and r.due(200) == []
    m.set(T, 80)
    r.changed(T, 200)
    assert r.deadline() == 200
    assert r.due(200) == [(o, 0x45, b'[{"n":"/3/0/9","v":80}]', False)]
    assert r.deadline() is None


def test_change_elsewhere_does_not_wake_the_observation():
    m, s, r, d = _r()
    _obs(m, s, r)
    r.changed((3303, 0, 5700), 150)
    r.changed((3, 0, 0), 150)
    assert r.deadline() is None
    r.changed((3, 0), 150)  # a whole-instance event touches it
    assert r.deadline() == 150
    assert r.due(150) == []  # value unchanged: nothing to say


def test_server_default_pmax_forces_periodic_notifications():
    m, s, r, d = _r((None, 60))
    _obs(m, s, r)
    assert r.deadline() == 160
    assert len(r.due(160)) == 1 and r.deadline() == 220


def test_pmin_holds_a_change_back_and_reports_the_latest_value():
    m, s, r, d = _r()
    s.attrs.write(T, ["pmin=30"])
    _obs(m, s, r)
    m.set(T, 70)
    r.changed(T, 110)
    assert r.due(110) == [] and r.deadline() == 130
    m.set(T, 60)
    assert r.due(130)[0][2] == b'[{"n":"/3/0/9","v":60}]'


def test_step_attribute_filters_small_changes():
    m, s, r, d = _r()
    P = (3303, 0, 5700)
    s.attrs.write(P, ["st=2"])
    _obs(m, s, r, P, 0)
    m.set(P, 22.5)
    r.changed(P, 5)
    assert r.due(5) == []
    m.set(P, 24.0)
    r.changed(P, 6)
    assert len(r.due(6)) == 1


def test_epmin_delays_evaluation_after_a_change():
    m, s, r, d = _r()
    s.attrs.write(T, ["epmin=10"])
    _obs(m, s, r)
    m.set(T, 1)
    r.changed(T, 103)
    assert r.deadline() == 110


def test_observed_instance_deleted_sends_4_04_and_ends():
    m, s, r, d = _r()
    o = _obs(m, s, r, (3303, 1, 5700), 0)
    m.delete((3303, 1))
    r.changed((3303, 1), 1)
    assert r.due(1) == [(o, 0x84, b"", False)]
    assert r.observations == []


def test_int_304_308_309_observe_composite_follows_created_and_deleted_instances():
    m, s, r, d = _r()
    paths = [(3303,), T]
    r.add("c", s, paths, True, J, d.read_records(paths, s), 0)
    m.add(3303, 2, {5700: 1.0})
    r.changed((3303, 2), 1)
    got = r.due(1)
    assert len(got) == 1 and b'"n":"/3303/2/5700"' in got[0][2]
    m.delete((3303, 2))
    r.changed((3303, 2), 2)
    got = r.due(2)
    assert len(got) == 1 and b"/3303/2/5700" not in got[0][2]


def test_con_attribute_makes_notifications_confirmable():
    m, s, r, d = _r()
    s.attrs.write((3,), ["con=1"])
    _obs(m, s, r, T, 0)
    m.set(T, 5)
    r.changed(T, 1)
    assert r.due(1)[0][3] is True


def test_cancel_forgets_the_observation():
    m, s, r, d = _r((None, 10))
    _obs(m, s, r, T, 0)
    r.cancel("k")
    assert r.deadline() is None and r.due(100) == []


def test_a_notification_a_day_is_confirmable():
    m, s, r, d = _r((None, 43200))
    _obs(m, s, r, T, 0)
    assert r.due(43200)[0][3] is False
    assert r.due(86400)[0][3] is True
    assert r.due(129600)[0][3] is False


def test_object_level_notification_carries_only_the_instances_the_server_may_read():
    # 1.1.1 E.3: an Observe is a Read; each notification is one, so it obeys
    # the access rights as the Read does (int-231-like object-level observe)
    from lwm2m.client import acl

    acos = [(3303, 0, {}, 102), (3303, 1, {101: acl.READ}, 102)]
    m = device()
    d = Dispatcher(m, default_format=J, acos=lambda: acos)
    s = Server(101, AttributeStore())
    r = Reporter(d)
    o = r.add("k", s, [(3303,)], False, J, m.read((3303,)), 100)
    m.set((3303, 0, 5700), 30.0)
    m.set((3303, 1, 5700), 20.0)
    r.changed((3303, 1, 5700), 200)
    assert r.due(200) == [(o, 0x45, b'[{"n":"/3303/1/5700","v":20.0}]', False)]
    acos[1] = (3303, 1, {}, 102)  # the owner takes the read right away
    m.set((3303, 1, 5700), 21.0)
    r.changed((3303, 1, 5700), 300)
    assert r.due(300) == [(o, 0x81, b"", False)] and r.observations == []
