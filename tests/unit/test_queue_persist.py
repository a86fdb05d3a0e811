# Queue mode and persistence end to end over the in-memory wire: the client
# sleeps between notifications, and a client rebuilt from the store after a
# reset goes on with the same observation (same token, rising Observe number)
# without registering again.
from client_support import device, FakeClock, FakeServer, wire, pump, req, GET, PUT
from store_fakes import CutFs
from lwm2m.coap.message import decode
from lwm2m.client.client import Client
from lwm2m.client.queue import Queue
from lwm2m.client import persist
from lwm2m.store import Store


def _client(m, clock, lc):
    c = Client(m, lc, clock, {"ep": "dev1", "resolve": lambda uri: "server", "default_format": 110,
                              "queue": True})
    return c, Queue(c, {"awake_ms": 5000})


def _registered(m, clock):
    """A client registered in queue mode with the FakeServer, over the in-memory wire."""
    lc, ls, log = wire()
    srv = FakeServer(ls, clock)
    c, q = _client(m, clock, lc)
    c.start()
    pump(c, srv.ep, lc, ls)
    return lc, ls, srv, c, q


def _observe(srv, c, lc, ls, path="/3303/0/5700"):
    srv.ep.request(req(PUT, path, query=("pmin=60", "pmax=60")), "client")
    pump(c, srv.ep, lc, ls)
    return srv.ep.request(req(GET, path, observe=0), "client")


def _sent(lc, mark):
    return [decode(d) for who, d in lc.wire[mark:] if who == "client"]


def test_int_108_register_with_q_then_sleep_until_pmax():
    m, clock = device(), FakeClock()
    m.set((1, 0, 1), 3600)
    lc, ls, srv, c, q = _registered(m, clock)
    assert "Q" in srv.got[0][2]
    ex = _observe(srv, c, lc, ls)
    pump(c, srv.ep, lc, ls)
    assert q.sleep_ms() == 0  # the awake window after the last message
    clock.advance(5000)
    assert q.sleep_ms() == 55000  # then until pmax
    clock.advance(55000)
    mark = len(lc.wire)
    assert q.wake() > 0
    pump(c, srv.ep, lc, ls)
    sent = _sent(lc, mark)
    assert len(sent) == 1 and sent[0].token == ex.request.token


def _saved_observing_client():
    """A registered client observing /3303/0/5700 with attributes written, its
    snapshot, and the pieces to rebuild it after a reset."""
    m, clock = device(), FakeClock()
    m.set((1, 0, 1), 3600)
    lc, ls, srv, c, q = _registered(m, clock)
    ex = _observe(srv, c, lc, ls)
    pump(c, srv.ep, lc, ls)
    state = persist.snapshot(c, q)
    # deep sleep: everything in RAM is gone; the model is built again at boot
    # on the same modem socket
    clock.advance(60000)
    m2 = device()
    m2.set((1, 0, 1), 3600)
    c2, q2 = _client(m2, clock, lc)
    return state, ex, srv, c2, q2, lc, ls


def test_restore_resumes_the_observation_without_registering():
    state, ex, srv, c2, q2, lc, ls = _saved_observing_client()
    first = ex.response.observe()
    store = Store("st", CutFs())
    store.save(state)
    assert persist.restore(c2, store.load(), q2)
    mark = len(lc.wire)
    q2.wake()
    pump(c2, srv.ep, lc, ls)
    sent = _sent(lc, mark)
    assert [s.uri_path() for s in sent if s.code == 2] == []  # no Register, no Update
    notes = [s for s in sent if s.code == 0x45]
    assert len(notes) == 1 and notes[0].token == ex.request.token
    assert notes[0].observe() > first
    assert [g for g in srv.got if g[1] == ["rd"]] == [srv.got[0]]


def test_stored_notifications_survive_the_store():
    m, clock = device(), FakeClock()
    m.set((1, 0, 6), True)
    lc, ls, srv, c, q = _registered(m, clock)
    srv.ep.request(req(GET, "/3/0/9", observe=0), "client")
    pump(c, srv.ep, lc, ls)
    c.set_online(False)
    for v in (1, 2):
        m.set((3, 0, 9), v)
        c.step()
    state = persist.snapshot(c, q)
    m2 = device()
    m2.set((1, 0, 6), True)
    c2, q2 = _client(m2, clock, lc)
    persist.restore(c2, state, q2)
    assert len(c2.connections[0].store) == 2
    c2.set_online(False)
    c2.set_online(True)
    mark = len(lc.wire)
    pump(c2, srv.ep, lc, ls)
    sent = _sent(lc, mark)
    assert [bytes(x.payload) for x in sent if x.code == 0x45] == [
        b'[{"n":"/3/0/9","v":1}]', b'[{"n":"/3/0/9","v":2}]']


class _Reset(Exception):
    pass


class _Port:
    """A board: light sleep advances the fake clock; deep sleep resets (raises)."""

    def __init__(self, clock, srv, c, lc, ls, deep=False):
        self.clock, self.srv, self.c, self.lc, self.ls = clock, srv, c, lc, ls
        self.sleeps = []
        if deep:
            self.deep_sleep = self._deep

    def light_sleep(self, ms):
        self.sleeps.append(ms)
        self.clock.advance(ms)
        if len(self.sleeps) >= 3:
            raise _Reset()

    def _deep(self, ms):
        self.sleeps.append(ms)
        raise _Reset()


def test_run_loop_sleeps_until_pmax_then_notifies_and_deep_sleep_saves_first():
    m, clock = device(), FakeClock()
    m.set((1, 0, 1), 3600)
    lc, ls, srv, c, q = _registered(m, clock)
    _observe(srv, c, lc, ls)
    pump(c, srv.ep, lc, ls)

    def poll(max_ms):  # the wire is in memory: answer at once, let time pass
        pump(c, srv.ep, lc, ls)
        clock.advance(max_ms)

    c.poll = poll
    port = _Port(clock, srv, c, lc, ls)
    mark = len(lc.wire)
    try:
        q.run(port)
    except _Reset:
        pass
    assert port.sleeps[0] > 40000  # slept to the pmax deadline after the awake window
    pump(c, srv.ep, lc, ls)
    assert [x for x in _sent(lc, mark) if x.code == 0x45]
    store = Store("st", CutFs())
    port = _Port(clock, srv, c, lc, ls, deep=True)
    try:
        q.run(port, store, lambda: persist.snapshot(c, q), deep_min_ms=1000)
    except _Reset:
        pass
    assert store.load()["v"] == 1 and store.writes == 1


def test_restore_reads_a_record_saved_before_the_queue_flag_was_kept():
    # a device's flash outlives a firmware update: the first v1 records kept
    # (lifetime, binding, sms, objects) as what the server has, without Q
    state, ex, srv, c2, q2, lc, ls = _saved_observing_client()
    assert len(state["c"][0][4]) == 5
    state["c"][0][4] = state["c"][0][4][:4]
    assert persist.restore(c2, state, q2)
    mark = len(lc.wire)
    q2.wake()
    pump(c2, srv.ep, lc, ls)
    sent = _sent(lc, mark)
    assert [s for s in sent if s.code == 2] == []  # no Register, and no Update for the flag
    assert [s.token for s in sent if s.code == 0x45] == [ex.request.token]


def test_restore_rejects_a_damaged_record_and_registers_afresh():
    for damage in ({"e": [1, 2]}, {"c": [[1, "registered"]]}, {"o": [[1]]}, {"v": 2}, {"c": 5},
                   {"t": [["minute"]]}, {"s": [5]}):
        state, ex, srv, c2, q2, lc, ls = _saved_observing_client()
        state.update(damage)
        assert not persist.restore(c2, state, q2)
        mark = len(lc.wire)
        pump(c2, srv.ep, lc, ls)
        sent = _sent(lc, mark)
        assert [s.uri_path() for s in sent if s.code == 2] == [["rd"]]  # a fresh Register
    assert not persist.restore(c2, None, q2)


def test_restore_leaves_out_an_attribute_no_write_could_have_stored():
    state, ex, srv, c2, q2, lc, ls = _saved_observing_client()
    attrs = state["c"][0][5]
    assert attrs and attrs[0][1] == {"pmin": 60, "pmax": 60}
    attrs.append([[3, 0, 9], {"bogus": 1}])
    attrs.append([[3, 0, 7], {"pmin": 9, "pmax": 3}])
    assert persist.restore(c2, state, q2)
    a = c2.connections[0].server.attrs
    assert a.paths() == [tuple(attrs[0][0])] and a.attached(attrs[0][0]) == {"pmin": 60, "pmax": 60}


def test_send_of_a_path_the_server_may_not_read_is_dropped_not_raised():
    # 1.1.1 6.4.6 Send reads like a Read: the Security object is never
    # readable, so that Send can never go; the wake goes on without it
    m, clock = device(), FakeClock()
    lc, ls, srv, c, q = _registered(m, clock)
    q.send([(0, 0, 0)])
    q.send([(3, 0, 9)])
    q.wake()
    pump(c, srv.ep, lc, ls)
    assert [g[1] for g in srv.got if g[0] == 2 and g[1] == ["dp"]] == [["dp"]]
    assert q.sends == []
