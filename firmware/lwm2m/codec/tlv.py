# OMA LwM2M TLV (11542). Type byte: bits 7-6 kind, bit 5 16-bit id, bits 4-3
# length-of-length (0 = length in bits 2-0), then id, length, value.
# Encoder choices: 8-bit ids when they fit, the shortest length field, integers
# in the shortest of 1/2/4/8 bytes, floats in 4 bytes when exact else 8.
import struct
from lwm2m.compat import const
from lwm2m.error import CodecError
from lwm2m.codec import common as C

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

_INSTANCE = const(0x00)
_RES_INSTANCE = const(0x40)
_MULTIPLE = const(0x80)
_RESOURCE = const(0xC0)


def _header(out, kind, ident, length):
    t = kind
    if ident > 0xFF:
        t |= 0x20
    if length < 8:
        t |= length
    elif length < 0x100:
        t |= 0x08
    elif length < 0x10000:
        t |= 0x10
    elif length < 0x1000000:
        t |= 0x18
    else:
        raise CodecError("TLV value too long", _NOT_ACCEPTABLE)
    out.append(t)
    out.extend(ident.to_bytes(2 if ident > 0xFF else 1, "big"))
    n = (t >> 3) & 3
    if n:
        out.extend(length.to_bytes(n, "big"))


def _int_bytes(v, signed):
    # by hand: MicroPython's to_bytes/from_bytes differ on 'signed'
    for n in (1, 2, 4, 8):
        top = 1 << (8 * n - 1 if signed else 8 * n)
        if (-top if signed else 0) <= v < top:
            return (v & ((1 << 8 * n) - 1)).to_bytes(n, "big")
    raise CodecError("integer out of TLV range", _NOT_ACCEPTABLE)


def value_bytes(t, v):
    if t == _STRING or t == _CORELNK:
        return v.encode("utf-8")
    if t == _INTEGER or t == _TIME:
        return _int_bytes(v, True)
    if t == _UNSIGNED:
        return _int_bytes(v, False)
    if t == _FLOAT:
        return C.float32(v) or struct.pack(">d", v)
    if t == _BOOLEAN:
        return b"\x01" if v else b"\x00"
    if t == _OPAQUE:
        return bytes(v)
    if t == _OBJLNK:
        return v[0].to_bytes(2, "big") + v[1].to_bytes(2, "big")
    if t == _NONE:
        return b""
    raise CodecError("unknown type %r" % t)


def _tlv(out, kind, ident, body):
    _header(out, kind, ident, len(body))
    out.extend(body)


def _group(records, i, depth):
    """End index of the run of records sharing records[i]'s path up to depth."""
    key = records[i][0][:depth]
    j = i + 1
    while j < len(records) and records[j][0][:depth] == key:
        j += 1
    return j


def _resources(out, records, i, end):
    # records[i:end] share object and instance; emit resource / multiple TLVs
    while i < end:
        path = records[i][0]
        if len(path) == 3:
            _tlv(out, _RESOURCE, path[2], value_bytes(records[i][1], records[i][2]))
            i += 1
            continue
        j = _group(records, i, 3)
        body = bytearray()
        for k in range(i, j):
            r = records[k]
            _tlv(body, _RES_INSTANCE, r[0][3], value_bytes(r[1], r[2]))
        _tlv(out, _MULTIPLE, path[2], body)
        i = j


def encode(records, base):
    n = len(base)
    if n == 0:
        raise CodecError("TLV cannot carry several objects", _NOT_ACCEPTABLE)
    out = bytearray()
    for r in records:
        if len(r[0]) < 3 or r[0][: n] != base:
            raise CodecError("record outside the request path", _NOT_ACCEPTABLE)
    if n == 4:
        for r in records:
            _tlv(out, _RES_INSTANCE, r[0][3], value_bytes(r[1], r[2]))
    elif n >= 2:
        _resources(out, records, 0, len(records))
    else:
        i = 0
        while i < len(records):
            j = _group(records, i, 2)
            body = bytearray()
            _resources(body, records, i, j)
            _tlv(out, _INSTANCE, records[i][0][1], body)
            i = j
    return bytes(out)


def decode(payload, base, type_of):
    # The decoder is a module of its own (lwm2m.codec.tlv_read), loaded by
    # the first TLV payload to decode: a device only read in TLV never needs it.
    from lwm2m.codec import tlv_read

    return C.guarded(tlv_read.decode, payload, base, type_of)
