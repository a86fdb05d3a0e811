# text/plain (0): one resource (instance) value as UTF-8 text. Opaque has no
# text form in LwM2M 1.1, so it is refused with 4.06 (Not Acceptable).
from lwm2m import datatype as T
from lwm2m.error import CodecError, NOT_ACCEPTABLE
from lwm2m.codec import common as C


def value_text(t, v):
    if t == T.STRING or t == T.CORELNK:
        return v
    if t == T.INTEGER or t == T.UNSIGNED or t == T.TIME:
        return str(int(v))
    if t == T.FLOAT:
        return C.float_text(float(v))
    if t == T.BOOLEAN:
        return "1" if v else "0"
    if t == T.OBJLNK:
        return C.objlnk_text(v)
    raise CodecError("type %d has no text form" % t, NOT_ACCEPTABLE)


def encode(records, base):
    r = C.single(records, base)
    return value_text(r[1], r[2]).encode("utf-8")


def text_value(t, s):
    if t is None or t == T.STRING or t == T.CORELNK:
        return s
    if t == T.INTEGER or t == T.TIME:
        return C.check(T.INTEGER, C.parse_int(s))
    if t == T.UNSIGNED:
        return C.parse_uint(s, C.UINT_MAX)
    if t == T.FLOAT:
        for c in s:
            if c not in "0123456789+-.eE":
                raise CodecError("not a float: %r" % s)
        x = float(s)
        if x - x != 0:  # inf from an overflowing literal
            raise CodecError("float out of range")
        return x
    if t == T.BOOLEAN:
        if s == "1":
            return True
        if s == "0":
            return False
        raise CodecError("boolean must be 0 or 1")
    if t == T.OBJLNK:
        return C.parse_objlnk(s)
    raise CodecError("type %d has no text form" % t)


def _decode(payload, base, type_of):
    path = C.single_path(base)
    return [(path, text_value(type_of(path), str(bytes(payload), "utf-8")))]


def decode(payload, base, type_of):
    return C.guarded(_decode, payload, base, type_of)
