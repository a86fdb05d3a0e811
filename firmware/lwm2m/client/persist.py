# The client's state across a reset (deep sleep resets an ESP32), as one
# CBOR-encodable value for lwm2m.store: the registration (location, deadline,
# what the server was last told), the attributes each server wrote, the
# observations (peer, token, the registering request, last reported value and
# time), the Observe sequence number and MID counter, stored notifications,
# and (with a Queue) pending Sends and application timers. After
# `restore(client, snapshot(client))` the server sees the same observations
# go on: same token, rising Observe numbers, no new Register.
#
# Layout (lists, not maps, for size; integers are CBOR's shortest form):
#   {"v": 1, "e": [mid, seq, tok],
#    "c": [[ssid, state, location, at, sent, attrs, stored, dropped], ...],
#    "o": [[ssid, peer, token, request, paths, composite, fmt,
#           last_value, last_time, last_eval, last_con, at], ...],
#    "s": [[paths, at], ...], "t": [[name, at], ...]}
from lwm2m.coap.message import decode
from lwm2m.coap.exchange import Observation as EngineObservation
from lwm2m.coap.block import request_key
from lwm2m.client.reporter import Observation

VERSION = 1


def _plain(v):
    # sockaddr tuples and composite values: CBOR lists on the way back
    return list(v) if isinstance(v, tuple) else v


def _tup(v):
    if isinstance(v, list):
        return tuple([_tup(x) for x in v])
    return v


def snapshot(client, queue=None):
    obs = []
    index = {}
    for o in client.reporter.observations:
        e = o.key
        index[id(o)] = len(obs)
        obs.append([o.server.ssid, _plain(e.peer), e.token, e.request.encode(),
                    [list(p) for p in o.paths], o.composite, o.fmt,
                    _plain(o.last_value) if o.composite else o.last_value,
                    o.last_time, o.last_eval, o.last_con, o.at])
    conns = []
    for c in client.connections:
        attrs = [[list(p), c.server.attrs.attached(p)] for p in c.server.attrs.paths()]
        stored = []
        for key, item in c.store.items():
            i = index.get(id(item[0]))
            if i is not None:
                stored.append([i, item[1], item[2], item[3]])
        st, location, at, sent = c.reg.snapshot()
        conns.append([c.ssid, st, location, at, sent, attrs, stored, c.store.dropped])
    out = {"v": VERSION, "e": client.endpoint.counters(), "c": conns, "o": obs}
    if queue is not None:
        out["s"] = queue.sends
        out["t"] = [[t.name, t.at] for t in queue.timers]
    return out


def _fits(state):
    # the layout above, or a record to ignore (another version, damaged)
    try:
        if state.get("v") != VERSION or len(state["e"]) != 3:
            return False
        for c in state["c"]:
            if len(c) != 8 or [a for a in c[5] if len(a) != 2] or [x for x in c[6] if len(x) != 4]:
                return False
        for o in state["o"]:
            if len(o) != 12:
                return False
        for key in ("s", "t"):
            for x in state.get(key, ()):
                if len(x) != 2:
                    return False
        return True
    except Exception:
        return False


def restore(client, state, queue=None):
    """Start the client from a snapshot instead of registering afresh.
    Returns False (and starts normally) when there is none or it does not
    fit; a part that does not fit (an attribute, an observation) is left out."""
    client.start()
    if not isinstance(state, dict) or not _fits(state):
        return False
    now = client.clock.time()
    ep = client.endpoint
    try:
        ep.set_counters(state["e"])
    except Exception:
        pass  # the random start the endpoint picked
    by_ssid = {}
    for c in client.connections:
        by_ssid[c.ssid] = c
    resumed = False
    for ssid, st, location, at, sent, attrs, stored, dropped in state["c"]:
        c = by_ssid.get(ssid)
        if c is None:
            continue
        for p, a in attrs:
            try:
                c.server.attrs.restore(p, a)
            except Exception:
                pass
        if isinstance(dropped, int):
            c.store.dropped = dropped
        if c.reg.resume(now, st, location, at, sent):
            resumed = True
    made = []
    for ssid, peer, token, req, paths, comp, fmt, lv, lt, le, lc, at in state["o"]:
        c = by_ssid.get(ssid)
        o = None
        if c is not None and c.reg.registered():
            try:
                e = EngineObservation(_tup(peer), token)
                e.request = decode(req).detach()
                e.key = request_key(e.request)
                o = Observation(e, c.server, [tuple(p) for p in paths], comp, fmt)
                o.last_value = _tup(lv) if comp else lv
                o.last_time, o.last_eval, o.last_con, o.at = lt, le, lc, at
                ep.observations.append(e)
                client.reporter.observations.append(o)
            except Exception:
                o = None
        made.append(o)
    for ssid, st, location, at, sent, attrs, stored, dropped in state["c"]:
        c = by_ssid.get(ssid)
        if c is None:
            continue
        for i, code, payload, con in stored:
            o = made[i] if isinstance(i, int) and 0 <= i < len(made) else None
            if o is not None:
                c.store.push(o.key, (o, code, payload, con))
    if queue is not None:
        queue.sends = state.get("s", [])
        for name, at in state.get("t", []):
            for t in queue.timers:
                if t.name == name:
                    t.at = at
                    break
            else:
                from lwm2m.client.queue import Timer

                queue.timers.append(Timer(name, 0, None, 0, at))
    return resumed
