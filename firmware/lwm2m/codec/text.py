# text/plain (0): one resource (instance) value as UTF-8 text. Opaque has no
# text form in LwM2M 1.1, so it is refused with 4.06 (Not Acceptable).
from lwm2m.error import CodecError
from lwm2m.codec import common as C
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BOOLEAN = const(4)
_CORELNK = const(8)
_FLOAT = const(3)
_INTEGER = const(1)
_NOT_ACCEPTABLE = const(0x86)  # 4.06
_OBJLNK = const(7)
_STRING = const(0)
_TIME = const(6)
_UINT_MAX = const(0xFFFFFFFFFFFFFFFF)
_UNSIGNED = const(2)


def value_text(t, v):
    if t == _STRING or t == _CORELNK:
        return v
    if t == _INTEGER or t == _UNSIGNED or t == _TIME:
        return str(int(v))
    if t == _FLOAT:
        return C.float_text(float(v))
    if t == _BOOLEAN:
        return "1" if v else "0"
    if t == _OBJLNK:
        return C.objlnk_text(v)
    raise CodecError("type %d has no text form" % t, _NOT_ACCEPTABLE)


def encode(records, base):
    r = C.single(records, base)
    return value_text(r[1], r[2]).encode("utf-8")


def text_value(t, s):
    if t is None or t == _STRING or t == _CORELNK:
        return s
    if t == _INTEGER or t == _TIME:
        return C.check(_INTEGER, C.parse_int(s))
    if t == _UNSIGNED:
        return C.parse_uint(s, _UINT_MAX)
    if t == _FLOAT:
        for c in s:
            if c not in "0123456789+-.eE":
                raise CodecError("not a float: %r" % s)
        x = float(s)
        if x - x != 0:  # inf from an overflowing literal
            raise CodecError("float out of range")
        return x
    if t == _BOOLEAN:
        if s == "1":
            return True
        if s == "0":
            return False
        raise CodecError("boolean must be 0 or 1")
    if t == _OBJLNK:
        return C.parse_objlnk(s)
    raise CodecError("type %d has no text form" % t)


def _decode(payload, base, type_of):
    path = C.single_path(base)
    return [(path, text_value(type_of(path), str(bytes(payload), "utf-8")))]


def decode(payload, base, type_of):
    return C.guarded(_decode, payload, base, type_of)
