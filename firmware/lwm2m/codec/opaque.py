# application/octet-stream (42): the raw bytes of one opaque resource value.
from lwm2m.error import CodecError
from lwm2m.codec import common as C
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_NOT_ACCEPTABLE = const(0x86)  # 4.06
_OPAQUE = const(5)


def encode(records, base):
    r = C.single(records, base)
    if r[1] != _OPAQUE:
        raise CodecError("only opaque resources are octet streams", _NOT_ACCEPTABLE)
    return bytes(r[2])


def decode(payload, base, type_of):
    path = C.single_path(base)
    t = type_of(path)
    if t is not None and t != _OPAQUE:
        raise CodecError("octet stream for a non-opaque resource")
    return [(path, bytes(payload))]
