# application/octet-stream (42): the raw bytes of one opaque resource value.
from lwm2m import datatype as T
from lwm2m.error import CodecError, NOT_ACCEPTABLE
from lwm2m.codec import common as C


def encode(records, base):
    r = C.single(records, base)
    if r[1] != T.OPAQUE:
        raise CodecError("only opaque resources are octet streams", NOT_ACCEPTABLE)
    return bytes(r[2])


def decode(payload, base, type_of):
    path = C.single_path(base)
    t = type_of(path)
    if t is not None and t != T.OPAQUE:
        raise CodecError("octet stream for a non-opaque resource")
    return [(path, bytes(payload))]
