# CBOR (RFC 8949) for both runtimes: MicroPython ships none. Encoding follows
# the preferred serialization (shortest integer heads, shortest float that keeps
# the value exactly); decoding accepts definite and indefinite lengths. Anything
# malformed raises CodecError, never a half-built value.
import struct
from lwm2m.compat import const
from lwm2m.error import CodecError
from lwm2m.codec.common import float32

_MAX_DEPTH = const(16)  # MicroPython's C stack is small; LwM2M nests 6 deep at most


class Tag:
    """A tagged item the caller wants to emit (e.g. Tag(1, epoch) for a time)."""

    def __init__(self, tag, value):
        self.tag = tag
        self.value = value


def _head(out, major, n):
    major <<= 5
    if n < 24:
        out.append(major | n)
    elif n < 0x100:
        out.append(major | 24)
        out.append(n)
    elif n < 0x10000:
        out.append(major | 25)
        out.extend(n.to_bytes(2, "big"))
    elif n < 0x100000000:
        out.append(major | 26)
        out.extend(n.to_bytes(4, "big"))
    else:
        out.append(major | 27)
        out.extend(n.to_bytes(8, "big"))


def half_bits(x):
    """The 16-bit IEEE half pattern of x if x is exactly a half, else None.
    By hand: struct 'e' is missing on older MicroPython and, where present,
    wraps silently on overflow instead of raising."""
    if x == 0:
        return 0x8000 if str(x)[0] == "-" else 0
    sign = 0x8000 if x < 0 else 0
    a = -x if x < 0 else x
    if a == float("inf"):
        return sign | 0x7C00
    from math import frexp

    m, e = frexp(a)  # a = m * 2**e, 0.5 <= m < 1
    if e > 16:
        return None
    if e >= -13:  # normal: 11 significant bits
        f = m * 2048
        if f != int(f):
            return None
        return sign | ((e + 14) << 10) | (int(f) - 1024)
    f = a * 16777216  # subnormal: multiples of 2**-24
    if f != int(f) or f >= 1024:
        return None
    return sign | int(f)


def _float(out, x):
    if x != x:
        out.extend(b"\xf9\x7e\x00")
        return
    h = half_bits(x)
    if h is not None:
        out.append(0xF9)
        out.extend(h.to_bytes(2, "big"))
        return
    b = float32(x)
    if b is not None:
        out.append(0xFA)
        out.extend(b)
        return
    out.append(0xFB)
    out.extend(struct.pack(">d", x))


def _enc(out, v, depth):
    if depth > _MAX_DEPTH:
        raise CodecError("CBOR nesting too deep")
    if v is None:
        out.append(0xF6)
    elif v is True:
        out.append(0xF5)
    elif v is False:
        out.append(0xF4)
    elif isinstance(v, int):
        if v >= 0:
            if v < 0x10000000000000000:
                _head(out, 0, v)
            else:
                _big(out, 2, v)
        elif v >= -0x10000000000000000:
            _head(out, 1, -1 - v)
        else:
            _big(out, 3, -1 - v)
    elif isinstance(v, float):
        _float(out, v)
    elif isinstance(v, str):
        b = v.encode("utf-8")
        _head(out, 3, len(b))
        out.extend(b)
    elif isinstance(v, (bytes, bytearray, memoryview)):
        _head(out, 2, len(v))
        out.extend(v)
    elif isinstance(v, (list, tuple)):
        _head(out, 4, len(v))
        for item in v:
            _enc(out, item, depth + 1)
    elif isinstance(v, dict):
        _head(out, 5, len(v))
        # Deterministic (RFC 8949 4.2.1): keys in bytewise order of their
        # encoding, so the same map gives the same bytes on both runtimes.
        items = []
        for k in v:
            kb = bytearray()
            _enc(kb, k, depth + 1)
            items.append((bytes(kb), k))
        items.sort(key=lambda i: i[0])
        for kb, k in items:
            out.extend(kb)
            _enc(out, v[k], depth + 1)
    elif isinstance(v, Tag):
        _head(out, 6, v.tag)
        _enc(out, v.value, depth + 1)
    else:
        raise CodecError("CBOR cannot carry %s" % type(v).__name__)


def _big(out, tag, n):
    _head(out, 6, tag)
    b = n.to_bytes((len("%x" % n) + 1) >> 1, "big")  # no int.bit_length on MicroPython
    _head(out, 2, len(b))
    out.extend(b)


def encode_into(out, v):
    """Append the encoding of v to the bytearray out."""
    _enc(out, v, 0)


def dumps(v):
    out = bytearray()
    _enc(out, v, 0)
    return bytes(out)


def loads(data):
    """Decode exactly one CBOR item filling all of data."""
    # The decoder is a module of its own (lwm2m.codec.cbor_read), loaded by
    # the first payload to decode: a device that is only read and observed
    # never needs it.
    from lwm2m.codec import cbor_read

    return cbor_read.loads(data)
