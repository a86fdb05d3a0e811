# Validation of one resource value against its LwM2M data type. Returns the
# value in its canonical Python form (lwm2m/datatype.py) or raises
# CoapError 4.00 naming what is wrong, so a write can check every record
# before it changes anything.
from lwm2m.error import CoapError
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_BOOLEAN = const(4)
_CORELNK = const(8)
_FLOAT = const(3)
_INTEGER = const(1)
_OBJLNK = const(7)
_OPAQUE = const(5)
_STRING = const(0)
_TIME = const(6)
_UNSIGNED = const(2)

# LwM2M integers are signed 64-bit, unsigned integers 64-bit, object link
# parts 16-bit (65535 = no object / no instance).
_I64_MIN = const(-(1 << 63))
_I64_MAX = const((1 << 63) - 1)
_U64_MAX = const((1 << 64) - 1)

_NAMES = ("string", "integer", "unsigned integer", "float", "boolean", "opaque", "time", "objlnk", "corelnk", "none")


def _bad(path, rtype, value, why=""):
    return CoapError(
        _BAD_REQUEST,
        "%s: %r is not a valid %s%s" % ("/" + "/".join(str(p) for p in path), value, _NAMES[rtype], why),
    )


def _is_int(v):
    # bool is an int subclass on both runtimes; True is not an integer value here.
    return isinstance(v, int) and not isinstance(v, bool)


def check(path, rtype, value):
    """value checked against rtype -> canonical value; CoapError(4.00) if invalid."""
    if rtype == _STRING or rtype == _CORELNK:
        if isinstance(value, str):
            return value
    elif rtype == _INTEGER or rtype == _TIME:
        if _is_int(value):
            if _I64_MIN <= value <= _I64_MAX:
                return value
            raise _bad(path, rtype, value, " (signed 64-bit)")
    elif rtype == _UNSIGNED:
        if _is_int(value):
            if 0 <= value <= _U64_MAX:
                return value
            raise _bad(path, rtype, value, " (unsigned 64-bit)")
    elif rtype == _FLOAT:
        if isinstance(value, float):
            return value
        if _is_int(value):
            return float(value)
    elif rtype == _BOOLEAN:
        if isinstance(value, bool):
            return value
    elif rtype == _OPAQUE:
        if isinstance(value, bytes):
            return value
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
    elif rtype == _OBJLNK:
        if isinstance(value, (tuple, list)) and len(value) == 2 and _is_int(value[0]) and _is_int(value[1]):
            if 0 <= value[0] <= 0xFFFF and 0 <= value[1] <= 0xFFFF:
                return (value[0], value[1])
            raise _bad(path, rtype, value, " (16-bit parts)")
    raise _bad(path, rtype, value)
