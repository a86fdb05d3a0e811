# Write-Attributes (LwM2M 1.1.1 5.1.2, 5.4.4): parsing the Uri-Query and
# validating it before lwm2m.client.attrs stores it. A module of its own,
# loaded by the first Write-Attributes: a device whose servers never write
# attributes does not keep this code on its heap.
from lwm2m.error import CoapError
from lwm2m.compat import const
from lwm2m.client.attrs import NAMES

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_BOOLEAN = const(4)
_FLOAT = const(3)
_INTEGER = const(1)
_TIME = const(6)
_UNSIGNED = const(2)

# The kind of each attribute in NAMES (a byte per name; a dict would stay on
# the heap): 0 = unsigned integer (seconds, counts), 1 = number, 2 = 0/1 flag.
_KIND = b"\x00\x00\x01\x01\x01\x00\x00\x02\x02\x00"
# Attributes meaningful only on a Resource or Resource Instance (5.1.2 table:
# gt/lt/st on numeric resources, edge on boolean ones).
_RESOURCE_ONLY = ("gt", "lt", "st", "edge")
_NUMERIC = (_INTEGER, _UNSIGNED, _FLOAT, _TIME)
_REMOVE = None  # marks "remove this attribute" in a parsed query


def _bad(msg):
    return CoapError(_BAD_REQUEST, msg)


def _number(name, text):
    kind = _KIND[NAMES.index(name)]
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
        if name not in NAMES:
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


def write(by_path, path, query, type_of):
    """Apply a Write-Attributes query to path in by_path (lwm2m.client.attrs'
    store: path -> {name: value}), all or nothing."""
    path = tuple(path)
    if not path:
        raise _bad("no attributes on the root path")
    new = parse_query(query)
    for name in _RESOURCE_ONLY:
        if name in new and new[name] is not None:
            if len(path) < 3:
                raise _bad(name + " only on a resource")
            t = type_of(path) if type_of else None
            want = (_BOOLEAN,) if name == "edge" else _NUMERIC
            if t is not None and t not in want:
                raise _bad(name + " not allowed on this resource type")
    merged = dict(by_path.get(path, ()))
    for name in new:
        if new[name] is None:
            merged.pop(name, None)
        else:
            merged[name] = new[name]
    check(merged)
    if merged:
        by_path[path] = merged
    else:
        by_path.pop(path, None)


def restore(by_path, path, attrs):
    """Put attrs (what AttributeStore.attached gave) back at path in by_path;
    4.00 for what no Write-Attributes could have stored."""
    for name in attrs:
        if name not in NAMES:
            raise _bad("unknown attribute " + name)
    check(attrs)
    if attrs:
        by_path[tuple(path)] = dict(attrs)
