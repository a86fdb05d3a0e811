# Decoding LwM2M TLV (11542): what lwm2m.codec.tlv.decode runs, in a module
# of its own so that only a device that receives TLV (a write) loads it.
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


def _items(buf, start, end):
    """[(kind, id, value_start, value_end)] of the TLVs filling buf[start:end]."""
    items = []
    i = start
    while i < end:
        t = buf[i]
        i += 1
        idlen = 2 if t & 0x20 else 1
        n = (t >> 3) & 3
        if i + idlen + n > end:
            raise CodecError("TLV truncated header")
        ident = int.from_bytes(buf[i : i + idlen], "big")
        i += idlen
        if n:
            length = int.from_bytes(buf[i : i + n], "big")
            i += n
        else:
            length = t & 7
        if i + length > end:
            raise CodecError("TLV value overruns its container")
        items.append((t & 0xC0, ident, i, i + length))
        i += length
    return items


def bytes_value(t, b):
    n = len(b)
    if t is None:
        return bytes(b)
    if t == _STRING or t == _CORELNK:
        return str(bytes(b), "utf-8")
    if t == _INTEGER or t == _TIME or t == _UNSIGNED:
        if n not in (1, 2, 4, 8):
            raise CodecError("TLV integer of %d bytes" % n)
        v = int.from_bytes(b, "big")
        if t != _UNSIGNED and v >> (8 * n - 1):
            v -= 1 << (8 * n)
        return v
    if t == _FLOAT:
        if n == 4:
            return struct.unpack(">f", b)[0]
        if n == 8:
            return struct.unpack(">d", b)[0]
        raise CodecError("TLV float of %d bytes" % n)
    if t == _BOOLEAN:
        if n != 1 or b[0] > 1:
            raise CodecError("TLV boolean must be one byte 0 or 1")
        return b[0] == 1
    if t == _OPAQUE:
        return bytes(b)
    if t == _OBJLNK:
        if n != 4:
            raise CodecError("TLV object link must be 4 bytes")
        return (int.from_bytes(b[0:2], "big"), int.from_bytes(b[2:4], "big"))
    if t == _NONE:
        if n:
            raise CodecError("value for an executable resource")
        return None
    raise CodecError("unknown type %r" % t)


def _level(buf, items, path, out, type_of):
    # Each TLV kind belongs at exactly one depth of the path
    depth = len(path)
    for kind, ident, s, e in items:
        p = path + (ident,)
        if kind == _INSTANCE and depth == 1:
            _level(buf, _items(buf, s, e), p, out, type_of)
        elif kind == _RESOURCE and depth == 2:
            out.append((p, bytes_value(type_of(p), buf[s:e])))
        elif kind == _MULTIPLE and depth == 2:
            _level(buf, _items(buf, s, e), p, out, type_of)
        elif kind == _RES_INSTANCE and depth == 3:
            out.append((p, bytes_value(type_of(p), buf[s:e])))
        else:
            raise CodecError("TLV kind 0x%02x misplaced at %s" % (kind, C.path_str(p)))


def decode(payload, base, type_of):
    buf = memoryview(payload)
    items = _items(buf, 0, len(buf))
    n = len(base)
    if n == 0:
        raise CodecError("TLV needs an object path")
    top = base
    if n >= 2 and len(items) == 1 and items[0][1] == base[-1]:
        # A server may wrap the payload in the TLV of the request path's own
        # level (an instance TLV on /3/0, a resource TLV on /3/0/1).
        kind = items[0][0]
        if (n == 2 and kind == _INSTANCE) or (n == 3 and kind in (_RESOURCE, _MULTIPLE)) or n == 4:
            top = base[:-1]
    elif n == 1 and items and items[0][0] != _INSTANCE:
        # Create without an instance TLV: the client picks the id (None here).
        top = base + (None,)
    out = []
    _level(buf, items, top, out, type_of)
    return out
