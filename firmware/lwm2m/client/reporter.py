# Information Reporting (LwM2M 1.1.1 6.4): the client's side of every
# observation a server made, deciding from lwm2m.client.notify when each
# must notify. Sans-IO: `due(now)` returns the notifications to send and
# `deadline()` when to ask again; the client sends them (engine.notify) or
# stores them while offline.
#
# A value is re-read when the model reported a change under the observed
# path (`changed`), when epmax asks for a sample, or at a pmin/pmax deadline.
# Observe-Composite uses the server's default pmin/pmax (/1/x/2, /1/x/3);
# attributes written on the individual paths are not combined.
from lwm2m.compat import const
from lwm2m.error import CoapError
from lwm2m.client import notify as N

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_NOT_FOUND = const(0x84)  # 4.04

# RFC 7641 4.5: a server that vanished is only noticed through a CON
# notification, so at least one a day is confirmable.
_CON_EVERY = const(86400)


class Observation:
    def __init__(self, key, server, paths, composite, fmt):
        self.key = key  # opaque: the engine's observation
        self.server = server
        self.paths = paths
        self.composite = composite
        self.fmt = fmt
        self.last_value = None
        self.last_time = 0
        self.last_eval = 0
        self.last_con = 0
        self.at = None  # absolute time of the next evaluation

    def attrs(self):
        if self.composite:
            return self.server.attrs.effective(())
        return self.server.attrs.effective(self.paths[0])

    def covers(self, path):
        """True if a change at path can change what this observation reports."""
        for p in self.paths:
            n = min(len(p), len(path))
            if p[:n] == path[:n]:
                return True
        return False


def value_of(obs, records):
    """What significance is measured on: the bare value for one single
    resource, else the whole list of (path, value)."""
    if not obs.composite and len(obs.paths[0]) >= 3 and len(records) == 1 \
            and records[0][0] == obs.paths[0]:
        return records[0][2]
    return tuple([(r[0], r[2]) for r in records])


class Reporter:
    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self.observations = []

    def add(self, key, server, paths, composite, fmt, records, now):
        """An observation was accepted; records is what the response carried."""
        self.cancel(key)
        o = Observation(key, server, paths, composite, fmt)
        o.last_value = value_of(o, records)
        o.last_time = o.last_eval = o.last_con = now
        a = o.attrs()
        o.at = N.earliest(N.next_notify(a, o.last_value, now, o.last_value, now),
                          N.next_sample(a, now))
        self.observations.append(o)
        return o

    def cancel(self, key):
        self.observations = [o for o in self.observations if o.key is not key]

    def cancel_server(self, server):
        self.observations = [o for o in self.observations if o.server is not server]

    def changed(self, path, now):
        """The model says path (a tuple, any depth) changed."""
        path = tuple(path)
        for o in self.observations:
            if o.covers(path):
                a = o.attrs()
                t = now if N.may_sample(a, o.last_eval, now) else N.sample_after(a, o.last_eval)
                o.at = N.earliest(o.at, t)

    def deadline(self):
        return N.earliest(*[o.at for o in self.observations])

    def due(self, now):
        """[(observation, code, payload, confirmable)] to send now. A code
        other than 2.05 (the observed instance is gone: 4.04) ends the
        observation: the caller cancels it after sending."""
        out = []
        for o in list(self.observations):
            if o.at is None or o.at > now:
                continue
            item = self._evaluate(o, now)
            if item is not None:
                out.append(item)
        return out

    def _evaluate(self, o, now):
        d = self.dispatcher
        a = o.attrs()
        o.last_eval = now
        con = N.confirmable(a, getattr(o.server, "con_default", False))
        try:
            if o.composite:
                records = d.read_records(o.paths, o.server)
            else:
                records = d.read_path(o.server, o.paths[0])  # access rights may have changed
            value = value_of(o, records)
            when = N.next_notify(a, o.last_value, o.last_time, value, now)
            item = None
            if when is not None and when <= now:
                base = () if o.composite else o.paths[0]
                payload = d.codec_for(o.fmt).encode(records, base)
                o.last_value, o.last_time = value, now
                if not con and now - o.last_con >= _CON_EVERY:
                    con = True
                if con:
                    o.last_con = now
                item = (o, 0x45, payload, con)
                when = N.next_notify(a, value, now, value, now)
            o.at = N.earliest(when, N.next_sample(a, now))
            return item
        except CoapError as e:
            o.at = None
            self.cancel(o.key)
            return (o, e.code if e.code != 0 else _NOT_FOUND, b"", con)
