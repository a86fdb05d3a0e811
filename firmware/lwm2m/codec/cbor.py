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
    m, e = _frexp(a)  # a = m * 2**e, 0.5 <= m < 1
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


def _frexp(a):
    from math import frexp

    return frexp(a)


def _half_value(h):
    e = (h >> 10) & 0x1F
    f = h & 0x3FF
    if e == 0:
        v = f / 16777216
    elif e == 31:
        v = float("nan") if f else float("inf")
    else:
        v = (1024 + f) * 2.0 ** (e - 25)
    return -v if h & 0x8000 else v


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


_BREAK = object()


class _Reader:
    def __init__(self, data):
        self.b = memoryview(data)
        self.n = len(data)
        self.i = 0

    def take(self, n):
        i = self.i
        if n > self.n - i:
            raise CodecError("CBOR truncated")
        self.i = i + n
        return self.b[i : i + n]

    def byte(self):
        # one byte without a memoryview slice: less garbage on the board
        i = self.i
        if i >= self.n:
            raise CodecError("CBOR truncated")
        self.i = i + 1
        return self.b[i]

    def arg(self, ai):
        if ai < 24:
            return ai
        if ai == 24:
            return self.byte()
        if ai > 27:
            raise CodecError("CBOR reserved length")
        return int.from_bytes(self.take(1 << (ai - 24)), "big")

    def item(self, depth):
        if depth > _MAX_DEPTH:
            raise CodecError("CBOR nesting too deep")
        ib = self.byte()
        major = ib >> 5
        ai = ib & 0x1F
        if major == 7:
            return self.simple(ai)
        if ai == 31:
            return self.indefinite(major, depth)
        n = self.arg(ai)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major == 2:
            return bytes(self.take(n))
        if major == 3:
            return _text(self.take(n))
        if major == 4:
            if n > self.n - self.i:  # each item takes a byte: refuse before allocating
                raise CodecError("CBOR truncated")
            return [self.value(depth) for _ in range(n)]
        if major == 5:
            if n > self.n - self.i:
                raise CodecError("CBOR truncated")
            d = {}
            for _ in range(n):
                self.pair(d, depth)
            return d
        return self.tagged(n, depth)

    def value(self, depth):
        v = self.item(depth + 1)
        if v is _BREAK:
            raise CodecError("CBOR unexpected break")
        return v

    def pair(self, d, depth):
        k = self.value(depth)
        if isinstance(k, list):
            k = tuple(k)  # LwM2M CBOR keys paths as arrays
        try:
            if k in d:
                raise CodecError("CBOR duplicate map key")
        except TypeError:
            raise CodecError("CBOR unhashable map key")
        d[k] = self.value(depth)

    def simple(self, ai):
        if ai == 20:
            return False
        if ai == 21:
            return True
        if ai == 22 or ai == 23:  # null, undefined
            return None
        if ai == 25:
            return _half_value(int.from_bytes(self.take(2), "big"))
        if ai == 26:
            return struct.unpack(">f", self.take(4))[0]
        if ai == 27:
            return struct.unpack(">d", self.take(8))[0]
        if ai == 31:
            return _BREAK
        raise CodecError("CBOR simple value %d not supported" % ai)

    def indefinite(self, major, depth):
        if major == 2 or major == 3:
            parts = bytearray()
            while True:
                ib = self.byte()
                if ib == 0xFF:
                    break
                if ib >> 5 != major or ib & 0x1F == 31:
                    raise CodecError("CBOR bad string chunk")
                parts.extend(self.take(self.arg(ib & 0x1F)))
            return bytes(parts) if major == 2 else _text(parts)
        if major == 4:
            out = []
            while True:
                v = self.item(depth + 1)
                if v is _BREAK:
                    return out
                out.append(v)
        if major == 5:
            d = {}
            while True:
                if self.i < self.n and self.b[self.i] == 0xFF:
                    self.i += 1
                    return d
                self.pair(d, depth)
        raise CodecError("CBOR indefinite length on major type %d" % major)

    def tagged(self, tag, depth):
        v = self.value(depth)
        if tag == 2 or tag == 3:  # bignums
            if not isinstance(v, bytes):
                raise CodecError("CBOR bignum not bytes")
            n = int.from_bytes(v, "big")
            return n if tag == 2 else -1 - n
        return v  # other tags (1: epoch time, ...) carry their plain value


def _text(b):
    try:
        return str(b, "utf-8")
    except Exception:
        raise CodecError("CBOR text not UTF-8")


def loads(data):
    """Decode exactly one CBOR item filling all of data."""
    r = _Reader(data)
    try:
        v = r.value(0)
    except CodecError:
        raise
    except Exception as e:  # RuntimeError (recursion), MemoryError, ...
        raise CodecError("CBOR: %s" % (e.args[0] if e.args else type(e).__name__))
    if r.i != r.n:
        raise CodecError("CBOR trailing bytes")
    return v
