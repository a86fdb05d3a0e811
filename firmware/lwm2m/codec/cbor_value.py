# application/cbor (60): one resource (instance) value as a single CBOR item.
# The same value mapping serves LwM2M CBOR (11544) leaves:
#   integer/unsigned -> CBOR int, time -> tag 1 (epoch seconds) + int,
#   float -> shortest exact float,
#   string/corelnk -> text, opaque -> bytes, boolean -> true/false,
#   objlnk -> text "obj:inst". A time may also arrive untagged.
from lwm2m.error import CodecError
from lwm2m.codec import cbor, common as C
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BOOLEAN = const(4)
_FLOAT = const(3)
_NONE = const(9)
_NOT_ACCEPTABLE = const(0x86)  # 4.06
_OBJLNK = const(7)
_TIME = const(6)


def to_item(t, v):
    if t == _OBJLNK:
        return C.objlnk_text(v)
    if t == _FLOAT:
        return float(v)
    if t == _BOOLEAN:
        return bool(v)
    if t == _TIME:
        return cbor.Tag(1, v)  # as LwM2M 1.1 (and Anjay) write a Time
    if t == _NONE:
        raise CodecError("executable resources have no value", _NOT_ACCEPTABLE)
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
