# Standard objects' behaviour: Device (3), Connectivity Monitoring (4),
# Location (6), Connectivity Statistics (7), on the real model.
from support import raises
from client_support import FakeClock
from lwm2m.model import Model
from lwm2m.error import CoapError
from lwm2m.objects.std_device import Device, LOW_BATTERY, LOW_SIGNAL
from lwm2m.objects.std_values import ConnectivityMonitoring, Location
from lwm2m.objects.std_connstats import ConnectivityStatistics


def _device(**kw):
    m = Model()
    hooks = []
    clock = FakeClock(1700000000)
    d = Device({"manufacturer": "ACME", "model": "N1", "serial": "42", "firmware": "0.1"},
               reboot=lambda: hooks.append("reboot"), factory_reset=lambda: hooks.append("reset"),
               clock=clock, **kw).install(m)
    return m, d, hooks, clock


def test_device_identity_and_binding():
    m, d, hooks, clock = _device()
    got = dict((r[0], r[2]) for r in m.read((3, 0)))
    assert got[(3, 0, 0)] == "ACME" and got[(3, 0, 3)] == "0.1" and got[(3, 0, 16)] == "U"
    assert got[(3, 0, 11, 0)] == 0 and isinstance(got[(3, 0, 10)], int)


def test_device_reboot_and_factory_reset_run_through_the_schedule():
    m, d, hooks, clock = _device()
    later = []
    d.schedule = later.append
    m.execute((3, 0, 4), b"")
    m.execute((3, 0, 5), b"")
    assert hooks == []  # not before the response went out
    for fn in later:
        fn()
    assert hooks == ["reboot", "reset"]


def test_device_error_codes_listed_until_reset():
    m, d, hooks, clock = _device()
    seen = []
    m.listen(lambda path, ev: seen.append(path))
    d.add_error(LOW_BATTERY)
    d.add_error(LOW_SIGNAL)
    assert m.get((3, 0, 11)) == {0: 1, 1: 4}
    m.execute((3, 0, 12), b"")
    assert m.get((3, 0, 11)) == {0: 0}
    assert seen.count((3, 0, 11)) == 3


def test_device_current_time_follows_the_rtc_and_can_be_set():
    m, d, hooks, clock = _device()
    assert m.get((3, 0, 13)) == 1700000000
    m.write((3, 0, 13), [((3, 0, 13), 1800000000)])
    clock.advance(5000)
    assert m.get((3, 0, 13)) == 1800000005


def test_connectivity_monitoring_and_location_values():
    m = Model()
    c = ConnectivityMonitoring(bearer=6, available_bearers={0: 6}, signal=-90, ip={0: "10.0.0.2"}).install(m)
    c.update(signal=-70, link_quality=40)
    assert m.get((4, 0, 2)) == -70 and m.get((4, 0, 3)) == 40
    loc = Location(latitude=52.5, longitude=13.4, timestamp=0).install(m)
    loc.update(latitude=48.1, timestamp=1700000000)
    assert m.get((6, 0, 0)) == 48.1 and m.get((6, 0, 5)) == 1700000000
    assert raises(KeyError, lambda: loc.update(colour=1))
    assert raises(CoapError, lambda: c.update(signal="loud")).code == 0x80


class _Link:
    mtu = 100

    def __init__(self):
        self.q = []

    def send(self, data, peer):
        self.q.append((bytes(data), peer))

    def recv(self, t):
        return self.q.pop(0) if self.q else None

    def close(self):
        pass


def test_connectivity_statistics_count_between_start_and_stop():
    m = Model()
    s = ConnectivityStatistics().install(m)
    link = s.wrap(_Link())
    link.send(b"x" * 100, "p")
    assert m.get((7, 0, 4)) == 0  # not collecting yet
    link.recv(0)
    m.execute((7, 0, 6), b"")
    link.send(b"x" * 2000, "p")
    link.recv(0)
    link.send(b"x" * 48, "p")
    m.execute((7, 0, 7), b"")
    link.send(b"x" * 5000, "p")
    assert m.get((7, 0, 2)) == 2 and m.get((7, 0, 3)) == 1
    assert m.get((7, 0, 4)) == 2000 and m.get((7, 0, 5)) == (2048 + 2000) // 3
