# application/cbor (60): one resource (instance) value as a single CBOR item.
# The same value mapping serves LwM2M CBOR (11544) leaves:
#   integer/unsigned -> CBOR int, time -> tag 1 (epoch seconds) + int,
#   float -> shortest exact float,
#   string/corelnk -> text, opaque -> bytes, boolean -> true/false,
#   objlnk -> text "obj:inst". A time may also arrive untagged.
from lwm2m import datatype as T
from lwm2m.error import CodecError, NOT_ACCEPTABLE
from lwm2m.codec import cbor, common as C


def to_item(t, v):
    if t == T.OBJLNK:
        return C.objlnk_text(v)
    if t == T.FLOAT:
        return float(v)
    if t == T.BOOLEAN:
        return bool(v)
    if t == T.TIME:
        return cbor.Tag(1, v)  # as LwM2M 1.1 (and Anjay) write a Time
    if t == T.NONE:
        raise CodecError("executable resources have no value", NOT_ACCEPTABLE)
    return v


def encode(records, base):
    r = C.single(records, base)
    return cbor.dumps(to_item(r[1], r[2]))


def _decode(payload, base, type_of):
    path = C.single_path(base)
    v = cbor.loads(payload)
    if isinstance(v, (list, dict)):
        raise CodecError("CBOR value must be a single item")
    return [(path, C.check(type_of(path), v))]


def decode(payload, base, type_of):
    return C.guarded(_decode, payload, base, type_of)
