# Decoding SenML records (RFC 8428) into LwM2M values: what the decode
# functions of lwm2m.codec.senml.decoders run, in a module of its own so that
# only a device that receives SenML (a write, an Observe-Composite's paths)
# loads it.
from lwm2m.compat import const
from lwm2m.error import CodecError
from lwm2m.codec import common as C

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BOOLEAN = const(4)
_CORELNK = const(8)
_OBJLNK = const(7)
_OPAQUE = const(5)
_STRING = const(0)

_KEYS = ("v", "vs", "vb", "vd", "vlo")
_KIND = ((int, float), str, bool, bytes, str)


def _expected(t):
    if t == _STRING or t == _CORELNK:
        return "vs"
    if t == _BOOLEAN:
        return "vb"
    if t == _OPAQUE:
        return "vd"
    if t == _OBJLNK:
        return "vlo"
    return "v"


def _names(entries):
    # yields (resolved name, resolved time or None, record) with base fields
    # carried forward as RFC 8428 section 4.6 says
    if not isinstance(entries, list):
        raise CodecError("SenML pack must be an array")
    bn = ""
    bt = None
    out = []
    for e in entries:
        if not isinstance(e, dict):
            raise CodecError("SenML record must be a map")
        for k in e:
            if not isinstance(k, str) or k[-1:] == "_" or k == "bv" or k == "bs":
                raise CodecError("SenML field %r not supported" % (k,))
        if "bn" in e:
            bn = e["bn"]
            if not isinstance(bn, str):
                raise CodecError("SenML bn must be text")
        if "bt" in e:
            bt = _number(e["bt"])
        n = e.get("n", "")
        if not isinstance(n, str):
            raise CodecError("SenML n must be text")
        t = None
        if "t" in e or bt is not None:
            t = (bt or 0) + _number(e.get("t", 0))
        out.append((bn + n, t, e))
    return out


def _number(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise CodecError("SenML time must be a number")
    return x


def unpack(entries, base, type_of):
    """SenML record dicts -> [(path, value, time or None)], paths under base."""
    out = []
    for name, t, e in _names(entries):
        path, key = C.leaf(name, base, e, _KEYS)
        ty = type_of(path)
        if ty is not None and key != _expected(ty):
            raise CodecError("SenML %s does not fit the type of %s" % (key, name))
        v = e[key]
        if not isinstance(v, _KIND[_KEYS.index(key)]) or (key == "v" and isinstance(v, bool)):
            raise CodecError("SenML %s of the wrong kind" % key)
        if key == "vlo" and ty is None:
            v = C.parse_objlnk(v)
        out.append((path, C.check(ty, v), t))
    return out


def unpack_paths(entries):
    return [C.parse_path(name) for name, t, e in _names(entries)]
