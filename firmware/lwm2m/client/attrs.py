# Write-Attributes (LwM2M 1.1.1 5.1.2, 5.4.4; 1.2 adds edge, con, hqmax):
# parsing the Uri-Query, validating it, storing the attributes per path and
# per server, and resolving what applies to a path by inheritance
# (Server defaults -> Object -> Object Instance -> Resource -> Resource Instance).
from lwm2m.error import CoapError, BAD_REQUEST
from lwm2m import datatype

# Every attribute a server may write, in the order Discover prints them.
# Kinds: 0 = unsigned integer (seconds, counts), 1 = number, 2 = 0/1 flag.
NAMES = ("pmin", "pmax", "gt", "lt", "st", "epmin", "epmax", "edge", "con", "hqmax")
_KIND = {"pmin": 0, "pmax": 0, "gt": 1, "lt": 1, "st": 1, "epmin": 0, "epmax": 0,
         "edge": 2, "con": 2, "hqmax": 0}
# Attributes meaningful only on a Resource or Resource Instance (5.1.2 table:
# gt/lt/st on numeric resources, edge on boolean ones).
_RESOURCE_ONLY = ("gt", "lt", "st", "edge")
_NUMERIC = (datatype.INTEGER, datatype.UNSIGNED, datatype.FLOAT, datatype.TIME)
_REMOVE = None  # marks "remove this attribute" in a parsed query


def _bad(msg):
    return CoapError(BAD_REQUEST, msg)


def _number(name, text):
    kind = _KIND[name]
    try:
        if kind == 1:
            v = float(text)
            if v != v or v in (float("inf"), float("-inf")):
                raise ValueError
            return v
        if not text or [c for c in text if c not in "0123456789"]:
            raise ValueError  # ASCII digits only ("²".isdigit() is true)
        v = int(text)
    except ValueError:
        raise _bad("bad value for " + name)
    if kind == 2 and v > 1:
        raise _bad(name + " must be 0 or 1")
    return v


def parse_query(query):
    """Uri-Query strings -> dict name -> value (int/float) or None (remove).
    'pmin' bare or 'pmin=' empty removes the attribute. Unknown or repeated
    names, and malformed values, raise CoapError 4.00."""
    out = {}
    for item in query:
        if isinstance(item, (bytes, bytearray)):
            item = bytes(item).decode()
        eq = item.find("=")
        name, text = (item, "") if eq < 0 else (item[:eq], item[eq + 1:])
        if name not in _KIND:
            raise _bad("unknown attribute " + name)
        if name in out:
            raise _bad("repeated attribute " + name)
        out[name] = _REMOVE if text == "" else _number(name, text)
    if not out:
        raise _bad("no attributes")
    return out


def check(attrs):
    """Raise 4.00 for a combination the spec forbids (5.1.2):
    pmax < pmin, epmax < epmin, st < 0, lt >= gt, and lt + 2*st >= gt."""
    g = attrs.get
    if g("pmin") is not None and g("pmax") is not None and g("pmax") < g("pmin"):
        raise _bad("pmax < pmin")
    if g("epmin") is not None and g("epmax") is not None and g("epmax") < g("epmin"):
        raise _bad("epmax < epmin")
    st = g("st")
    if st is not None and st < 0:
        raise _bad("st < 0")
    gt, lt = g("gt"), g("lt")
    if gt is not None and lt is not None:
        if lt >= gt or lt + 2 * (st or 0) >= gt:
            raise _bad("lt + 2*st must be < gt")


class AttributeStore:
    """The attributes one server attached, keyed by path tuple
    (obj,), (obj, inst), (obj, inst, res) or (obj, inst, res, res_inst).
    `defaults` returns the Server object's (pmin, pmax) (/1/x/2, /1/x/3),
    either may be None; it is called at lookup time so changes apply at once."""

    def __init__(self, defaults=None):
        self._by_path = {}
        self._defaults = defaults

    def write(self, path, query, type_of=None):
        """Apply a Write-Attributes query to path, all or nothing.
        type_of(path) gives the resource datatype (or None if unknown);
        gt/lt/st need a numeric resource, edge a boolean one."""
        path = tuple(path)
        if not path:
            raise _bad("no attributes on the root path")
        new = parse_query(query)
        for name in _RESOURCE_ONLY:
            if name in new and new[name] is not None:
                if len(path) < 3:
                    raise _bad(name + " only on a resource")
                t = type_of(path) if type_of else None
                want = (datatype.BOOLEAN,) if name == "edge" else _NUMERIC
                if t is not None and t not in want:
                    raise _bad(name + " not allowed on this resource type")
        merged = dict(self._by_path.get(path, ()))
        for name in new:
            if new[name] is None:
                merged.pop(name, None)
            else:
                merged[name] = new[name]
        check(merged)
        if merged:
            self._by_path[path] = merged
        else:
            self._by_path.pop(path, None)

    def attached(self, path):
        """The attributes written at exactly this path (a new dict)."""
        return dict(self._by_path.get(tuple(path), ()))

    def effective(self, path, defaults=True):
        """What applies to path: Server defaults, then each level from the
        object down overriding the one above it."""
        out = {}
        if defaults and self._defaults:
            pmin, pmax = self._defaults()
            if pmin is not None:
                out["pmin"] = pmin
            if pmax is not None:
                out["pmax"] = pmax
        path = tuple(path)
        for n in range(1, len(path) + 1):
            level = self._by_path.get(path[:n])
            if level:
                out.update(level)
        return out

    def link_list(self, path, inherited=False):
        """Discover's (name, value) list for path: attached there, or (for
        Discover on a resource) merged down from the object level."""
        a = self.effective(path, False) if inherited else self._by_path.get(tuple(path), {})
        return link_attrs(a)

    def drop(self, path):
        """Forget the attributes at path and below it (instance deleted)."""
        path = tuple(path)
        n = len(path)
        for p in [p for p in self._by_path if p[:n] == path]:
            del self._by_path[p]

    def paths(self):
        """Every path that carries attributes, in path order."""
        return sorted(self._by_path)

    def restore(self, path, attrs):
        """Put back what attached(path) gave before a reset; 4.00 for what no
        Write-Attributes could have stored."""
        for name in attrs:
            if name not in _KIND:
                raise _bad("unknown attribute " + name)
        check(attrs)
        if attrs:
            self._by_path[tuple(path)] = dict(attrs)


def link_attrs(attrs):
    """attrs dict -> ordered list of (name, value) for link-format (Discover)."""
    out = []
    for name in NAMES:
        v = attrs.get(name)
        if v is not None:
            out.append((name, v))
    return out
