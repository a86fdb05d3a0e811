# Pieces every codec shares: paths as text, numbers as text, value checks by
# datatype, and the guard that turns any parse failure into one CodecError.
from lwm2m.error import CodecError
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BOOLEAN = const(4)
_CORELNK = const(8)
_FLOAT = const(3)
_INTEGER = const(1)
_NONE = const(9)
_NOT_ACCEPTABLE = const(0x86)  # 4.06
_OBJLNK = const(7)
_OPAQUE = const(5)
_STRING = const(0)
_TIME = const(6)
_UNSIGNED = const(2)

_INT_MIN = const(-0x8000000000000000)
_INT_MAX = const(0x7FFFFFFFFFFFFFFF)
_UINT_MAX = const(0xFFFFFFFFFFFFFFFF)


def path_str(path):
    return "/" + "/".join(str(p) for p in path)


def parse_path(s):
    """'/3/0/1' -> (3, 0, 1); '/' -> (). Ids are 0..65535 in decimal digits only."""
    if not s or s[0] != "/":
        raise CodecError("path must start with /: %r" % s)
    if s == "/":
        return ()
    parts = s[1:].split("/")
    if len(parts) > 4:
        raise CodecError("path too long: %s" % s)
    return tuple(parse_uint(p, 0xFFFF) for p in parts)


def parse_uint(s, limit):
    if not s or len(s) > 20 or not _digits(s):
        raise CodecError("not a number: %r" % s)
    n = int(s)
    if n > limit:
        raise CodecError("out of range: %s" % s)
    return n


def _digits(s):
    for c in s:
        if c < "0" or c > "9":
            return False
    return True


def parse_int(s):
    """Strict decimal integer ([-]digits): int() on both runtimes also takes
    '+', spaces and '_', which no LwM2M peer sends."""
    neg = s[:1] == "-"
    n = parse_uint(s[1:] if neg else s, _UINT_MAX)
    return -n if neg else n


def check_under(path, base):
    if path[: len(base)] != base:
        raise CodecError("%s is outside %s" % (path_str(path), path_str(base)))


def float_text(x):
    """Shortest decimal that reads back as x, in CPython's repr layout, so 22.5
    is '22.5' on both runtimes (MicroPython's repr may add a 17th digit)."""
    if x != x or x == float("inf") or x == float("-inf"):
        raise CodecError("float not finite", _NOT_ACCEPTABLE)
    if x == 0:
        return "-0.0" if str(x)[0] == "-" else "0.0"
    for p in range(1, 18):
        s = ("%." + str(p - 1) + "e") % x
        if float(s) == x:
            break
    m, e = s.split("e")
    e = int(e)
    neg = m[0] == "-"
    d = m.lstrip("-").replace(".", "")
    if p == 17:
        d, e = _exact17(-x if neg else x, e)
    d = d.rstrip("0") or "0"
    if -4 <= e < 16:
        if e >= 0:
            d = d + "0" * (e + 1 - len(d))
            r = d[: e + 1] + "." + (d[e + 1 :] or "0")
        else:
            r = "0." + "0" * (-e - 1) + d
    else:
        r = d[0] + ("." + d[1:] if len(d) > 1 else "") + ("e-" if e < 0 else "e+") + ("%02d" % (-e if e < 0 else e))
    return "-" + r if neg else r


def _exact17(a, e):
    # 17 significant digits correctly rounded, with integers: MicroPython's
    # '%.16e' can be one unit off in the last digit.
    from math import frexp

    m, b = frexp(a)
    num = int(m * 9007199254740992)  # 2**53
    b -= 53
    den = 1
    if b >= 0:
        num <<= b
    else:
        den <<= -b
    s = 16 - e
    if s >= 0:
        num *= 10**s
    else:
        den *= 10**-s
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    if q >= 10**17:
        q = (q + 5) // 10
        e += 1
    return str(q), e


def float32(x):
    """The 4 big-endian bytes of x when a single-precision float holds it
    exactly, else None (CPython raises OverflowError past float32 range)."""
    import struct

    try:
        b = struct.pack(">f", x)
    except (OverflowError, ValueError):
        return None
    return b if struct.unpack(">f", b)[0] == x else None


def objlnk_text(v):
    return "%d:%d" % (v[0], v[1])


def parse_objlnk(s):
    i = s.find(":")
    if i < 0:
        raise CodecError("object link needs ':': %r" % s)
    return (parse_uint(s[:i], 0xFFFF), parse_uint(s[i + 1 :], 0xFFFF))


def check(t, v):
    """v, as read from a typed format (CBOR, JSON), made the Python value of
    datatype t (ints become floats for FLOAT); CodecError if it cannot be."""
    if t is None:
        return v
    if t == _FLOAT:
        if isinstance(v, float):
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
    elif t == _INTEGER or t == _TIME:
        if isinstance(v, float) and v == int(v) and t == _TIME:
            v = int(v)
        if isinstance(v, int) and not isinstance(v, bool) and _INT_MIN <= v <= _INT_MAX:
            return v
    elif t == _UNSIGNED:
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= _UINT_MAX:
            return v
    elif t == _BOOLEAN:
        if isinstance(v, bool):
            return v
    elif t == _STRING or t == _CORELNK:
        if isinstance(v, str):
            return v
    elif t == _OPAQUE:
        if isinstance(v, bytes):
            return v
    elif t == _OBJLNK:
        if isinstance(v, str):
            return parse_objlnk(v)
        if isinstance(v, tuple):
            return v
    elif t == _NONE:
        pass
    raise CodecError("value %r does not fit type %d" % (v, t))


def guarded(fn, *args):
    """Run a decoder; any failure of malformed input (index, value, unicode,
    recursion, memory) leaves as one CodecError (4.00)."""
    try:
        return fn(*args)
    except CodecError:
        raise
    except Exception as e:
        raise CodecError("malformed payload: %s" % (e.args[0] if e.args else type(e).__name__))


def single(records, base):
    """The one record of a single-value format (text, opaque, CBOR 60)."""
    if len(records) != 1 or len(base) < 3 or records[0][0] != base:
        raise CodecError("format carries one resource value", _NOT_ACCEPTABLE)
    return records[0]


def single_path(base):
    if len(base) < 3:
        raise CodecError("format carries one resource value")
    return base


def leaf(name, base, e, keys):
    """(path, value key) of a JSON/SenML entry named name that must hold exactly
    one value, at a resource (instance) path under base."""
    path = parse_path(name)
    if len(path) < 3:
        raise CodecError("value needs a resource path: %s" % name)
    check_under(path, base)
    key = None
    for k in keys:
        if k in e:
            if key is not None:
                raise CodecError("two values for %s" % name)
            key = k
    if key is None:
        raise CodecError("no value for %s" % name)
    return path, key
