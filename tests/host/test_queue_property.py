"""Queue-mode sleep scheduling over 30 simulated days on a fake clock (hypothesis): no
deadline missed (the registration never lapses), pmin and pmax honoured to the second at the
server, and no wasted wake (every wake from sleep does work); with and without deep sleep
(the client rebuilt from the store at every wake)."""
from hypothesis import given, settings, strategies as st

from client_support import device, FakeClock, FakeServer, wire, pump, req, GET, PUT
from store_fakes import CutFs
from lwm2m.client.client import Client
from lwm2m.client.queue import Queue
from lwm2m.client import persist
from lwm2m.coap.message import decode
from lwm2m.store import Store

DAY = 86400


def _build(clock, lc, lifetime, state=None):
    m = device()
    m.set((1, 0, 1), lifetime)
    c = Client(m, lc, clock, {"ep": "dev1", "resolve": lambda uri: "server", "default_format": 110,
                              "queue": True})
    q = Queue(c, {"awake_ms": 10000, "gather": 900})
    if state is None:
        c.start()
    else:
        assert persist.restore(c, state, q)
    return m, c, q


def _month(pmin, pmax, lifetime, sample, deep, days=30):
    clock = FakeClock(t=1000)
    lc, ls, log = wire()
    srv = FakeServer(ls, clock)
    m, c, q = _build(clock, lc, lifetime)
    pump(c, srv.ep, lc, ls)
    srv.ep.request(req(PUT, "/3303/0/5700", query=("pmin=%d" % pmin, "pmax=%d" % pmax)), "client")
    pump(c, srv.ep, lc, ls)
    srv.ep.request(req(GET, "/3303/0/5700", observe=0), "client")
    pump(c, srv.ep, lc, ls)
    value = [20.0]

    def sampler(model):
        def fn(now):
            value[0] += 0.5
            model.set((3303, 0, 5700), value[0])
        return fn

    if sample:
        q.every("sample", sample, sampler(m), slack=0)
    store = Store("st", CutFs())
    seen = len(lc.wire)
    notes, regs = [], [clock.time()]
    wakes = idle = 0
    end = clock.time() + days * DAY
    while clock.time() < end:
        if q.busy():
            t = q.next_timeout_ms()
            clock.advance(max(1, t if t is not None else 1000))
            c.endpoint.tick()
            if q.due_now():
                q.wake()
            else:
                c.step()
            pump(c, srv.ep, lc, ls)
        else:
            ms = q.sleep_ms()
            assert ms is not None and ms > 0
            if deep:
                store.save(persist.snapshot(c, q))
            clock.advance(ms)
            if deep:
                m, c, q = _build(clock, lc, lifetime, store.load())
                if sample:
                    q.every("sample", sample, sampler(m), slack=0)
            wakes += 1
            if not q.wake():
                idle += 1
            pump(c, srv.ep, lc, ls)
        for who, data in lc.wire[seen:]:
            if who == "client":
                msg = decode(data)
                if msg.code == 0x45:
                    notes.append(clock.time())
                elif msg.code == 2 and msg.uri_path()[:1] == ["rd"]:
                    regs.append(clock.time())
        seen = len(lc.wire)
    return notes, regs, wakes, idle, srv


@settings(max_examples=6, deadline=None, derandomize=True)
@given(pmin=st.integers(300, 1800), extra=st.integers(0, 3600), lifetime=st.integers(3600, 2 * DAY),
       sample=st.sampled_from([0, 300, 1000]), deep=st.booleans())
def test_thirty_days_no_deadline_missed_pmin_pmax_to_the_second_no_wasted_wake(pmin, extra, lifetime, sample, deep):
    pmax = pmin + extra
    notes, regs, wakes, idle, srv = _month(pmin, pmax, lifetime, sample, deep)
    assert idle == 0
    gaps = [b - a for a, b in zip(notes, notes[1:])]
    assert gaps and min(gaps) >= pmin and max(gaps) <= pmax
    assert [r for r in regs[1:] if r is None] == []
    reg_gaps = [b - a for a, b in zip(regs, regs[1:])]
    assert max(reg_gaps) <= lifetime  # the registration never lapsed
    assert [g for g in srv.got if g[1] == ["rd"]] == [srv.got[0]]  # registered once
