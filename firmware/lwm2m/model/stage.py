# The all-or-nothing half of every write: `put` checks one record (path,
# permission, type) and records the new value without touching the model;
# `apply` changes the model only once everything passed, and undoes its own
# steps if an application write callable fails half way.
from lwm2m.error import CoapError
from lwm2m.model.check import check
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_E = const(0x40)
_INTERNAL = const(0xA0)  # 5.00
_MANDATORY = const(0x100)
_METHOD_NOT_ALLOWED = const(0x85)  # 4.05
_MULTIPLE = const(0x80)
_NOT_FOUND = const(0x84)  # 4.04
_OBJ_MULTIPLE = const(1)
_TYPE_MASK = const(0x0F)

CHANGED = 0
CREATED = 1
DELETED = 2


class Bound:
    """A resource backed by application callables: read() -> value,
    write(value). Either may be None (not readable / not writable)."""

    def __init__(self, read=None, write=None):
        self.read = read
        self.write = write


ABSENT = object()  # sentinel: no value / remove the resource


def fmt(path):
    return "/" + "/".join(str(p) for p in path)


def err(code, path, what):
    return CoapError(code, "%s: %s" % (fmt(path), what))


def call(fn, arg=ABSENT):
    """Run an application callable; whatever it raises other than CoapError
    becomes a 5.00, so no application bug escapes the client's loop."""
    try:
        return fn() if arg is ABSENT else fn(arg)
    except CoapError:
        raise
    except Exception as e:
        raise CoapError(_INTERNAL, "application callable failed: %r" % (e,))


def current(v):
    """The value behind a stored entry (calls a read callable), or ABSENT."""
    if isinstance(v, Bound):
        return ABSENT if v.read is None else call(v.read)
    return v


class Stage:
    def __init__(self, model, ops, bootstrap, fresh):
        self.model = model
        self.ops = ops  # the permission bits a record needs (W for a write)
        self.bootstrap = bootstrap
        self.fresh = fresh  # multiple resources start empty (replace) or merge
        self.changes = {}  # (oid, iid, rid) -> new value, dict for multiple, ABSENT
        self.created = []  # (oid, iid) of instances to create

    def need_instance(self, oid, iid, create):
        insts = self.model._objs[oid]
        if iid in insts or (oid, iid) in self.created:
            return
        if not create:
            raise err(_NOT_FOUND, (oid, iid), "no such instance")
        if not 0 <= iid < 0xFFFF:
            raise err(_BAD_REQUEST, (oid, iid), "bad instance id")
        if not (self.model.tables.object_flags(oid) & _OBJ_MULTIPLE) and (insts or self.created):
            raise err(_BAD_REQUEST, (oid, iid), "single-instance object already has an instance")
        self.created.append((oid, iid))

    def _stored(self, oid, iid, rid):
        inst = self.model._objs[oid].get(iid)
        return ABSENT if inst is None else inst.get(rid, ABSENT)

    def put(self, path, value):
        oid, iid, rid = path[0], path[1], path[2]
        info = self.model._info(path[:3], self.ops, self.bootstrap)
        stored = self._stored(oid, iid, rid)
        if isinstance(stored, Bound) and stored.write is None:
            raise err(_METHOD_NOT_ALLOWED, path, "not writable")
        t = info & _TYPE_MASK
        key = (oid, iid, rid)
        if not info & _MULTIPLE:
            if len(path) != 3:
                raise err(_BAD_REQUEST, path, "single resource has no instances")
            self.changes[key] = check(path, t, value)
            return
        cur = self.changes.get(key)
        if cur is None:
            cur = {} if self.fresh else current(stored)
            cur = {} if cur is ABSENT else dict(cur)
            self.changes[key] = cur
        if len(path) == 4:
            if not 0 <= path[3] <= 0xFFFF:
                raise err(_BAD_REQUEST, path, "bad resource instance id")
            cur[path[3]] = check(path, t, value)
        elif isinstance(value, dict):
            for ri in value:
                cur[ri] = check(path + (ri,), t, value[ri])
        else:
            raise err(_BAD_REQUEST, path, "multiple resource needs instances")

    def clear_missing(self, oid, iid):
        """Replace of an instance: writable optional resources not in the
        payload go (mandatory ones and callables stay)."""
        inst = self.model._objs[oid].get(iid)
        tables = self.model.tables
        for rid in inst or ():
            info = tables.info(oid, rid)
            if (oid, iid, rid) in self.changes or info & (_E | _MANDATORY) or isinstance(inst[rid], Bound):
                continue
            if self.bootstrap or info & self.ops:
                self.changes[(oid, iid, rid)] = ABSENT

    def apply(self):
        objs = self.model._objs
        undo = []
        try:
            for oid, iid in self.created:
                objs[oid][iid] = {}
            for key in sorted(self.changes):
                oid, iid, rid = key
                inst = objs[oid][iid]
                new = self.changes[key]
                old = inst.get(rid, ABSENT)
                if isinstance(old, Bound):
                    prev = current(old)
                    call(old.write, new)
                    undo.append((inst, rid, old, prev))
                else:
                    if new is ABSENT:
                        inst.pop(rid, None)
                    else:
                        inst[rid] = new
                    undo.append((inst, rid, old, ABSENT))
        except CoapError:
            self._undo(undo)
            raise
        for path in self.created:
            self.model._notify(path, CREATED)
        for key in sorted(self.changes):
            self.model._notify(key, CHANGED)

    def _undo(self, undo):
        for inst, rid, old, prev in reversed(undo):
            try:
                if isinstance(old, Bound):
                    if prev is not ABSENT:
                        old.write(prev)
                elif old is ABSENT:
                    inst.pop(rid, None)
                else:
                    inst[rid] = old
            except Exception:
                pass  # best effort: the callable that failed may fail again
        objs = self.model._objs
        for oid, iid in self.created:
            objs[oid].pop(iid, None)
