# The object / instance / resource tree. Storage is one dict per object
# (iid -> instance) and one small dict per instance (rid -> value), where a
# value is the plain Python value, a dict (resource instance id -> value) for a
# multiple resource, a Bound (application read/write callables) or, for an
# executable resource, the callable itself. The definitions (types,
# operations) come from the generated tables, never from per-resource objects.
# Knows nothing of CoAP beyond the error codes it raises.
from lwm2m.error import CoapError
from lwm2m.model.table import Tables
from lwm2m.model.check import check
from lwm2m.model.stage import Stage, Bound, ABSENT, call, current, err
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_CHANGED = const(0)
_CREATED = const(1)
_DELETED = const(2)
_E = const(0x40)
_INTERNAL = const(0xA0)  # 5.00
_METHOD_NOT_ALLOWED = const(0x85)  # 4.05
_MULTIPLE = const(0x80)
_NOT_FOUND = const(0x84)  # 4.04
_OBJ_BOOTSTRAP_ONLY = const(4)  # Security (0), OSCORE (21): no LwM2M server access
_OBJ_MANDATORY = const(2)
_OBJ_MULTIPLE = const(1)
_R = const(0x10)
_TYPE_MASK = const(0x0F)
_UNAUTHORIZED = const(0x81)  # 4.01
_W = const(0x20)


class Model:
    def __init__(self, tables=None):
        self.tables = tables or Tables()
        self._objs = {}  # oid -> {iid -> {rid -> value}}
        self._listeners = []

    # ---- the application's side -------------------------------------------------

    def add(self, oid, iid=None, values=None):
        """Declare object oid present; with iid, also add that instance with
        values {rid: value} (a dict for a multiple resource, a callable for an
        executable one, a Bound for one backed by callables)."""
        if self.tables.object_flags(oid) < 0:
            raise err(_NOT_FOUND, (oid,), "object not in the tables")
        insts = self._objs.get(oid)
        if insts is None:
            insts = self._objs[oid] = {}
        if iid is None:
            return
        if iid in insts:
            raise err(_BAD_REQUEST, (oid, iid), "instance exists")
        inst = {}
        values = values or {}
        for rid in values:
            inst[rid] = self._own_value((oid, iid, rid), values[rid])
        insts[iid] = inst
        self._notify((oid, iid), _CREATED)

    def _own_value(self, path, value):
        info = self._info(path, 0, True)
        if info & _E:
            if not callable(value):
                raise err(_BAD_REQUEST, path, "executable needs a callable")
            return value
        if isinstance(value, Bound):
            return value
        t = info & _TYPE_MASK
        if info & _MULTIPLE:
            if not isinstance(value, dict):
                raise err(_BAD_REQUEST, path, "multiple resource needs a dict")
            out = {}
            for ri in value:
                out[ri] = check(path + (ri,), t, value[ri])
            return out
        return check(path, t, value)

    def bind(self, path, read=None, write=None, execute=None):
        """Back resource path (oid, iid, rid) by callables: read() -> value,
        write(value); or execute(args) for an executable resource."""
        self._instance(path)[path[2]] = self._own_value(tuple(path), execute or Bound(read, write))

    def get(self, path, default=ABSENT):
        """The value of a resource or resource instance; default (if given)
        or CoapError 4.04 when it is absent."""
        v = current(self._instance(path).get(path[2], ABSENT))
        if len(path) == 4 and v is not ABSENT:
            v = v.get(path[3], ABSENT)
        if v is ABSENT:
            if default is ABSENT:
                raise err(_NOT_FOUND, path, "no value")
            return default
        return v

    def set(self, path, value):
        """Store a plain value (replacing any binding) and, if it differs from
        the old one, tell the change listeners."""
        path = tuple(path)
        inst = self._instance(path)
        rid = path[2]
        if len(path) == 4:
            cur = current(inst.get(rid, ABSENT))
            multi = {} if cur is ABSENT else dict(cur)
            multi[path[3]] = value
            value = multi
        value = self._own_value(path[:3], value)
        old = inst.get(rid, ABSENT)
        inst[rid] = value
        if old != value:
            self._notify(path, _CHANGED)

    def remove(self, path):
        """Remove an instance (oid, iid) or a resource value (oid, iid, rid)."""
        if len(path) == 2:
            del self._objs[path[0]][path[1]]
            self._notify(tuple(path), _DELETED)
        else:
            del self._instance(path)[path[2]]
            self._notify(tuple(path), _CHANGED)

    def changed(self, path):
        """Say a value behind path (for example a read callable's) changed."""
        self._notify(tuple(path), _CHANGED)

    def listen(self, fn):
        """fn(path, event) after every change: CHANGED (a resource or resource
        instance path), CREATED or DELETED (an instance path)."""
        self._listeners.append(fn)

    def _notify(self, path, event):
        for fn in self._listeners:
            fn(path, event)

    def _instance(self, path):
        insts = self._objs.get(path[0])
        inst = None if insts is None else insts.get(path[1])
        if inst is None:
            raise err(_NOT_FOUND, path[:2], "no such instance")
        return inst

    # ---- what the client asks for (server-originated operations) ----------------

    def objects(self, bootstrap=False):
        """Present object ids, ascending; a LwM2M server's view leaves out the
        bootstrap-only objects (Security), which registration never lists."""
        tables = self.tables
        return sorted(o for o in self._objs if bootstrap or not tables.object_flags(o) & _OBJ_BOOTSTRAP_ONLY)

    def instances(self, oid):
        """Instance ids of a present object, ascending ([] if absent)."""
        return sorted(self._objs.get(oid, ()))

    def links(self):
        """The object and instance links of a Register / Update payload, as
        linkformat.encode takes them: [(path, [(name, value)])]. An object
        gets its own link when it carries `ver=` (a version other than the
        enabler's) or has no instance; Security never appears."""
        out = []
        for oid in self.objects():
            ver = self.tables.ver_attr(oid)
            iids = self.instances(oid)
            if ver is not None or not iids:
                out.append(((oid,), [("ver", ver)] if ver else []))
            out.extend(((oid, iid), []) for iid in iids)
        return out

    def type_of(self, path):
        """datatype code of a resource or resource instance path, or None
        (what codec decoders need for formats that carry no types)."""
        if len(path) < 3:
            return None
        info = self.tables.info(path[0], path[2])
        return None if info < 0 else info & _TYPE_MASK

    def dim(self, path):
        """Number of instances of the multiple resource at path (for Discover)."""
        v = current(self._instance(path).get(path[2], {}))
        return len(v) if isinstance(v, dict) else 0

    def _info(self, path, ops, bootstrap):
        # The resource definition, checked for the operation: 4.04 if the
        # object does not define it, 4.05 if the operation is not allowed.
        info = self.tables.info(path[0], path[2])
        if info < 0:
            raise err(_NOT_FOUND, path[:3], "no such resource")
        if ops == _E:
            if not info & _E:
                raise err(_METHOD_NOT_ALLOWED, path, "not executable")
        elif info & _E and ops:
            raise err(_METHOD_NOT_ALLOWED, path, "executable resource")
        elif ops and not bootstrap and not info & ops:
            raise err(_METHOD_NOT_ALLOWED, path, "operation not allowed")
        if len(path) > 3 and not info & _MULTIPLE:
            raise err(_NOT_FOUND, path, "single resource has no instances")
        return info

    def _access(self, path, bootstrap, inst=True):
        # Checks common to all operations: path shape, the Security object
        # (4.01 for any LwM2M server operation, int-221), presence (4.04).
        if len(path) > 4:
            raise err(_BAD_REQUEST, path, "path too long")
        for p in path:
            if not isinstance(p, int) or not 0 <= p <= 0xFFFF:
                raise err(_NOT_FOUND, path, "id out of range")
        if not path:
            return
        flags = self.tables.object_flags(path[0])
        if flags >= 0 and flags & _OBJ_BOOTSTRAP_ONLY and not bootstrap:
            raise err(_UNAUTHORIZED, path, "only the bootstrap server may access this object")
        if path[0] not in self._objs:
            raise err(_NOT_FOUND, path[:1], "no such object")
        if inst and len(path) > 1 and path[1] not in self._objs[path[0]]:
            raise err(_NOT_FOUND, path[:2], "no such instance")

    def read(self, path, bootstrap=False):
        """-> records (path, type, value) in path order, for the readable
        resources under path (() reads every object the caller may see)."""
        path = tuple(path)
        self._access(path, bootstrap)
        out = []
        if len(path) < 3:
            for oid in (path[:1] if path else self.objects(bootstrap)):
                insts = self._objs[oid]
                for iid in (path[1:2] if len(path) > 1 else sorted(insts)):
                    inst = insts[iid]
                    for rid in sorted(inst):
                        info = self.tables.info(oid, rid)
                        if info & _R or (bootstrap and not info & _E):
                            self._emit((oid, iid, rid), info, inst[rid], out, False)
            return out
        info = self._info(path, _R, bootstrap)
        inst = self._objs[path[0]][path[1]]
        if path[2] not in inst:
            raise err(_NOT_FOUND, path, "no value")
        self._emit(path, info, inst[path[2]], out, True)
        return out

    def _emit(self, path, info, stored, out, strict):
        if isinstance(stored, Bound):
            if stored.read is None:
                if strict:
                    raise err(_METHOD_NOT_ALLOWED, path, "not readable")
                return
            stored = call(stored.read)
            try:
                stored = self._own_value(path[:3], stored)
            except CoapError as e:
                raise CoapError(_INTERNAL, "read callable returned " + e.message)
        t = info & _TYPE_MASK
        if not info & _MULTIPLE:
            out.append((path, t, stored))
        elif len(path) == 4:
            if path[3] not in stored:
                raise err(_NOT_FOUND, path, "no such resource instance")
            out.append((path, t, stored[path[3]]))
        else:
            for ri in sorted(stored):
                out.append((path + (ri,), t, stored[ri]))

    def write(self, path, records, replace=True, bootstrap=False):
        """Write records [(path, value)] under path, all or nothing: PUT
        (replace=True) or POST partial update (replace=False). With bootstrap,
        permissions are not checked and missing instances are created."""
        path = tuple(path)
        n = len(path)
        if n == 0 or (n == 1 and not bootstrap):
            raise err(_METHOD_NOT_ALLOWED, path, "write needs an instance or resource")
        # The bootstrap server's writes create missing instances.
        self._access(path, bootstrap, not bootstrap)
        if n >= 3:
            self._info(path, _W, bootstrap)
        stage = Stage(self, _W, bootstrap, replace and n <= 3)
        for rec in records:
            rpath = tuple(rec[0])
            if not max(n, 3) <= len(rpath) <= 4 or rpath[:n] != path:
                raise err(_BAD_REQUEST, rpath, "record outside the target %s" % (path,))
            self._access(rpath, bootstrap, not bootstrap)
            stage.need_instance(rpath[0], rpath[1], bootstrap)
            stage.put(rpath, rec[1])
        if replace and n <= 2:
            for oid, iid in self._touched(stage, path):
                stage.clear_missing(oid, iid)
        stage.apply()

    def _touched(self, stage, path):
        if len(path) == 2:
            return [path]
        seen = []
        for key in stage.changes:
            if key[:2] not in seen:
                seen.append(key[:2])
        return seen

    def write_composite(self, records, bootstrap=False):
        """Write-Composite: records [(path, value)] on resources or resource
        instances anywhere, each a partial update; all or nothing."""
        from lwm2m.model import edit  # feature: ops

        return edit.write_composite(self, records, bootstrap)

    def execute(self, path, args=None):
        """Execute resource path with the request's argument payload."""
        path = tuple(path)
        self._access(path, False)
        if len(path) != 3:
            raise err(_METHOD_NOT_ALLOWED, path, "execute needs a resource")
        self._info(path, _E, False)
        fn = self._objs[path[0]][path[1]].get(path[2])
        if fn is None:
            raise err(_NOT_FOUND, path, "not implemented")
        call(fn, args)

    def create(self, oid, iid, records, bootstrap=False):
        """Create an instance of oid from records [(path, value)] (path[1] is
        the new id; ignored when iid is None, which picks the lowest free id).
        -> the new instance id."""
        from lwm2m.model import edit  # feature: ops

        return edit.create(self, oid, iid, records, bootstrap)

    def delete(self, path, bootstrap=False):
        """Delete an instance. The bootstrap server may also delete a whole
        object or everything (path ()); those spare the instances it may not
        delete: its own Security account and the Device instance (4.00 when
        named directly)."""
        from lwm2m.model import edit  # feature: ops

        return edit.delete(self, path, bootstrap)

    def discover(self, path, bootstrap=False):
        """-> the paths Discover lists under path (object, instances,
        resources; resource instances when path is a resource). The bootstrap
        server's Discover (on / or an object) lists objects and instances."""
        from lwm2m.model import edit  # feature: ops

        return edit.discover(self, path, bootstrap)
