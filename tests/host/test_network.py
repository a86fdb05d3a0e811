# The simulated datagram network and the event scheduler that drives it.
from host_sim.network import Nat, Network
from host_sim.scheduler import Simulator


def make(seed=0, **defaults):
    sim = Simulator()
    net = Network(sim, seed=seed, **defaults)
    a = net.node("device").port()
    b = net.node("server").port(5683)
    return sim, net, a, b


class Recorder:
    """An actor that records (arrival time, data, peer) of what it receives."""

    def __init__(self, clock):
        self.clock = clock
        self.got = []

    def receive(self, data, peer):
        self.got.append((self.clock.now_ms, data, peer))

    def tick(self):
        pass

    def next_timeout_ms(self):
        return None


class Ticker:
    """An actor with a periodic timer, like an endpoint's retransmission timer."""

    def __init__(self, clock, period_ms):
        self.clock = clock
        self.period = period_ms
        self.due = period_ms
        self.ticks = []

    def receive(self, data, peer):
        pass

    def tick(self):
        self.ticks.append(self.clock.now_ms)
        self.due = self.clock.now_ms + self.period

    def next_timeout_ms(self):
        return self.due - self.clock.now_ms


def test_fixed_delay_is_honoured():
    sim, net, a, b = make(delay_ms=50)
    rec = b.attach(Recorder(sim.clock))
    a.send(b"x", b.address)
    sim.run_for(49)
    assert rec.got == []
    sim.run_for(1)
    assert rec.got == [(50, b"x", a.address)]


def test_jitter_stays_within_bounds():
    sim, net, a, b = make()
    net.path("device", "server", delay_ms=100, jitter_ms=40)
    rec = b.attach(Recorder(sim.clock))
    for i in range(200):
        sim.call_at(i * 1000, a.send, b"%d" % i, b.address)
    sim.run_for(300 * 1000)
    delays = [t - int(data) * 1000 for t, data, _ in rec.got]
    assert len(delays) == 200
    assert min(delays) >= 100 and max(delays) <= 140
    assert len(set(delays)) > 10


def test_loss_rate_is_roughly_as_configured():
    sim, net, a, b = make()
    net.path("device", "server", loss=0.3)
    for _ in range(5000):
        a.send(b"x", b.address)
    sim.run_for(1000)
    delivered = net.nodes["server"].counters.down_datagrams
    assert 0.27 < 1 - delivered / 5000 < 0.33
    assert net.nodes["device"].counters.lost == 5000 - delivered


def test_loss_is_per_direction():
    sim, net, a, b = make()
    net.path("device", "server", loss=1.0)
    a.send(b"up", b.address)
    b.send(b"down", a.address)
    sim.run_for(100)
    assert b.recv(0) is None
    assert a.recv(0) == (b"down", b.address)


def test_duplication_delivers_two_copies():
    sim, net, a, b = make()
    net.path("device", "server", duplicate=0.5)
    for _ in range(2000):
        a.send(b"x", b.address)
    sim.run_for(1000)
    extra = net.nodes["server"].counters.down_datagrams - 2000
    assert 800 < extra < 1200


def test_reordering_lets_later_datagrams_overtake():
    sim, net, a, b = make()
    net.path("device", "server", delay_ms=10, reorder=0.3, reorder_ms=500)
    rec = b.attach(Recorder(sim.clock))
    for i in range(100):
        sim.call_at(i * 20, a.send, bytes([i]), b.address)
    sim.run_for(10000)
    order = [data[0] for _, data, _ in rec.got]
    assert sorted(order) == list(range(100))
    assert order != list(range(100))


def run_traffic(seed):
    sim, net, a, b = make(seed=seed, delay_ms=30, jitter_ms=20, loss=0.2, duplicate=0.1, reorder=0.1)
    for i in range(300):
        sim.call_at(i * 7, a.send, b"\x40\x01" + i.to_bytes(2, "big"), b.address)
        sim.call_at(i * 11, b.send, b"\x60\x45" + i.to_bytes(2, "big"), a.address)
    sim.run_for(10000)
    return net.trace.text(), [a.recv(0) for _ in range(300)]


def test_same_seed_gives_identical_traces():
    assert run_traffic(7) == run_traffic(7)
    assert run_traffic(7)[0] != run_traffic(8)[0]


def test_counters_count_datagrams_and_bytes_both_ways():
    sim, net, a, b = make()
    a.send(b"12345", b.address)
    b.send(b"123", a.address)
    b.send(b"1", a.address)
    sim.run_for(100)
    dev, srv = net.nodes["device"].counters, net.nodes["server"].counters
    assert (dev.up_datagrams, dev.up_bytes, dev.down_datagrams, dev.down_bytes) == (1, 5, 2, 4)
    assert (srv.up_datagrams, srv.up_bytes, srv.down_datagrams, srv.down_bytes) == (2, 4, 1, 5)


def test_recv_runs_the_simulation_until_a_datagram_arrives():
    sim, net, a, b = make(delay_ms=300)
    a.send(b"x", b.address)
    assert b.recv(5000) == (b"x", a.address)
    assert sim.now_ms == 300


def test_recv_timeout_returns_none_after_virtual_time():
    sim, net, a, b = make()
    assert b.recv(2000) is None
    assert sim.now_ms == 2000


def test_datagram_over_mtu_is_dropped_and_traced():
    sim, net, a, b = make()
    a.send(bytes(a.mtu + 1), b.address)
    sim.run_for(100)
    assert b.recv(0) is None
    assert "OVER MTU" in net.trace.text()


def test_unknown_peer_is_dropped_not_raised():
    sim, net, a, b = make()
    a.send(b"x", ("10.9.9.9", 1))
    assert net.nodes["device"].counters.lost == 1


def test_closed_port_refuses_to_send():
    sim, net, a, b = make()
    a.close()
    try:
        a.send(b"x", b.address)
    except OSError:
        return
    raise AssertionError("send on a closed port")


def test_nat_rebinds_after_idle_period():
    sim = Simulator()
    net = Network(sim)
    dev = net.node("device", nat=Nat(public_host="100.64.0.1", idle_ms=60000)).port()
    srv = net.node("server").port(5683)
    dev.send(b"1", srv.address)
    first = srv.recv(1000)[1]
    assert first[0] == "100.64.0.1" and first != dev.address
    srv.send(b"ack", first)
    assert dev.recv(1000) == (b"ack", srv.address)
    sim.run_for(30000)
    dev.send(b"2", srv.address)
    assert srv.recv(1000)[1] == first  # still mapped: not idle long enough
    sim.run_for(61000)
    dev.send(b"3", srv.address)
    second = srv.recv(1000)[1]
    assert second != first  # the server sees a new source address
    srv.send(b"to old", first)  # the old mapping is gone
    srv.send(b"to new", second)
    assert dev.recv(1000) == (b"to new", srv.address)
    assert dev.recv(1000) is None
    assert "nat: device" in net.trace.text()


def test_nat_inbound_traffic_keeps_the_mapping():
    sim = Simulator()
    net = Network(sim)
    dev = net.node("device", nat=Nat(idle_ms=10000)).port()
    srv = net.node("server").port(5683)
    dev.send(b"hello", srv.address)
    public = srv.recv(100)[1]
    for _ in range(5):
        sim.run_for(8000)
        srv.send(b"keepalive", public)
        assert dev.recv(100) is not None


def test_nat_rebind_now():
    sim = Simulator()
    net = Network(sim)
    nat = Nat(idle_ms=10 ** 9)
    dev = net.node("device", nat=nat).port()
    srv = net.node("server").port(5683)
    dev.send(b"1", srv.address)
    nat.rebind()
    dev.send(b"2", srv.address)
    assert srv.recv(100)[1] != srv.recv(100)[1]


def test_actor_timers_fire_on_time():
    sim = Simulator()
    ticker = sim.add_actor(Ticker(sim.clock, 1000))
    sim.run_for(5500)
    assert ticker.ticks == [1000, 2000, 3000, 4000, 5000]
    assert sim.now_ms == 5500


def test_simulated_hours_pass_without_waiting():
    sim = Simulator()
    ticker = sim.add_actor(Ticker(sim.clock, 60000))
    sim.run_for(24 * 3600 * 1000)
    assert len(ticker.ticks) == 24 * 60


def test_run_until_stops_when_the_predicate_holds():
    sim = Simulator()
    ticker = sim.add_actor(Ticker(sim.clock, 100))
    assert sim.run_until(lambda: len(ticker.ticks) == 3, 10000)
    assert sim.now_ms == 300
    assert not sim.run_until(lambda: False, 1000)
    assert sim.now_ms == 1300


def test_events_at_the_same_time_run_in_schedule_order():
    sim = Simulator()
    seen = []
    for i in range(10):
        sim.call_at(5, seen.append, i)
    sim.run_for(10)
    assert seen == list(range(10))


def test_an_actor_that_stays_due_is_reported_not_spun_forever():
    class Stuck:
        def tick(self):
            pass

        def next_timeout_ms(self):
            return 0

    sim = Simulator()
    sim.add_actor(Stuck())
    try:
        sim.run_for(10)
    except RuntimeError as e:
        assert "stuck" in str(e)
        return
    raise AssertionError("livelock not detected")


def test_sleep_outside_the_simulator_lets_the_network_run():
    sim, net, a, b = make(delay_ms=100)
    rec = b.attach(Recorder(sim.clock))
    a.send(b"x", b.address)
    sim.clock.sleep_ms(500)
    assert rec.got == [(100, b"x", a.address)]
    assert sim.now_ms == 500


def test_nat_mapping_forgotten_while_a_datagram_is_in_flight_drops_it():
    sim = Simulator()
    net = Network(sim, delay_ms=1000)
    nat = Nat(idle_ms=10 ** 9)
    dev = net.node("device", nat=nat).port()
    srv = net.node("server").port(5683)
    dev.send(b"1", srv.address)
    public = srv.recv(2000)[1]
    srv.send(b"reply", public)
    sim.run_for(500)
    nat.rebind()
    assert dev.recv(2000) is None
    assert net.nodes["server"].counters.lost == 1
    assert "no mapping" in net.trace.text()


def test_watchers_see_each_datagram_with_its_time_and_direction():
    sim, net, a, b = make(delay_ms=70)
    seen = []
    net.nodes["device"].watch(lambda t, d, n: seen.append((t, d, n)))
    a.send(b"abc", b.address)
    sim.run_for(100)
    b.send(b"12345", a.address)
    sim.run_for(100)
    assert seen == [(0, "up", 3), (170, "down", 5)]


def test_rate_limit_queues_datagrams_one_after_another():
    sim, net, a, b = make(delay_ms=10)
    net.path("device", "server", rate_bps=8000)  # one byte per ms
    rec = b.attach(Recorder(sim.clock))
    a.send(bytes(100), b.address)
    a.send(bytes(100), b.address)
    sim.run_for(1000)
    a.send(bytes(50), b.address)
    sim.run_for(1000)
    assert [t for t, _, _ in rec.got] == [110, 210, 1060]


def test_recv_without_timeout_waits_until_something_arrives():
    sim, net, a, b = make(delay_ms=700)
    sim.call_at(5000, a.send, b"late", b.address)
    assert b.recv(None) == (b"late", a.address)
    assert sim.now_ms == 5700
    assert b.recv(None) is None  # nothing pending: returns instead of waiting forever
