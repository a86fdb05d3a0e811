# Lookups in the generated object tables (lwm2m/objects/tables.py, written by
# tools/gen_tables.py). The tables are two bytes objects, sorted by id, so they
# can stay in flash (ROMFS / frozen) and cost no heap; lookups are binary
# searches that allocate nothing.
#   OBJECTS, 8 bytes per object: id u16, version u8 (major << 4 | minor),
#     version the enabler implies u8, flags u8, resource count u8, first u16.
#   RESOURCES, 4 bytes per resource: id u16, info u16.
# info packs a resource definition into one small int:
#   info & TYPE_MASK -> datatype code; info & R / W / E -> operations;
#   info & MULTIPLE, info & MANDATORY.
from lwm2m.compat import const

# The bits by name: lwm2m.model.flags (TYPE_MASK, R, W, E, MULTIPLE, MANDATORY, OBJ_*).

_OBJ = const(8)
_RES = const(4)


def _u16(b, i):
    return b[i] << 8 | b[i + 1]


def _search(table, size, lo, hi, key):
    # Index of the entry whose u16 id is key in entries lo..hi-1, or -1.
    while lo < hi:
        mid = (lo + hi) >> 1
        k = _u16(table, mid * size)
        if k < key:
            lo = mid + 1
        elif k > key:
            hi = mid
        else:
            return mid
    return -1


def version_str(v):
    """'1.2' from a version byte."""
    return "%d.%d" % (v >> 4, v & 15)


class Tables:
    """Object and resource definitions of one generated tables module (or any
    object with OBJECTS and RESOURCES bytes)."""

    def __init__(self, module=None):
        if module is None:
            from lwm2m.objects import tables as module
        self.objects = module.OBJECTS
        self.resources = module.RESOURCES
        self.enabler = module.ENABLER

    def _obj(self, oid):
        return _search(self.objects, _OBJ, 0, len(self.objects) // _OBJ, oid)

    def has_object(self, oid):
        return self._obj(oid) >= 0

    def object_flags(self, oid):
        """OBJ_* flags of the object, or -1 if the tables do not define it."""
        i = self._obj(oid)
        return -1 if i < 0 else self.objects[i * _OBJ + 4]

    def version(self, oid):
        """The object's version byte (major << 4 | minor), or -1 if unknown."""
        i = self._obj(oid)
        return -1 if i < 0 else self.objects[i * _OBJ + 2]

    def ver_attr(self, oid):
        """The `ver=` value the registration must carry for this object: its
        version as text when it differs from what the enabler implies, else None."""
        i = self._obj(oid)
        if i < 0:
            return None
        v = self.objects[i * _OBJ + 2]
        return None if v == self.objects[i * _OBJ + 3] else version_str(v)

    def info(self, oid, rid):
        """The packed definition of resource rid of object oid, or -1."""
        i = self._obj(oid)
        if i < 0:
            return -1
        o = self.objects
        first = _u16(o, i * _OBJ + 6)
        j = _search(self.resources, _RES, first, first + o[i * _OBJ + 5], rid)
        return -1 if j < 0 else _u16(self.resources, j * _RES + 2)

    def resource_ids(self, oid):
        """The resource ids of the object, ascending (a list; [] if unknown)."""
        i = self._obj(oid)
        if i < 0:
            return []
        o = self.objects
        first = _u16(o, i * _OBJ + 6)
        r = self.resources
        return [_u16(r, j * _RES) for j in range(first, first + o[i * _OBJ + 5])]

    def object_ids(self):
        o = self.objects
        return [_u16(o, i) for i in range(0, len(o), _OBJ)]


def __getattr__(name):
    # The public names of the bits (TYPE_MASK, R, MULTIPLE, OBJ_MULTIPLE, ...)
    # come from lwm2m.model.flags, loaded on first use (tests, tools); the
    # firmware uses private copies and never loads it.
    from lwm2m.model import flags  # feature: names

    return getattr(flags, name)
