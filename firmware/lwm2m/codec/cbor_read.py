# Decoding CBOR (RFC 8949): what lwm2m.codec.cbor.loads runs, in a module of
# its own so that only a device that receives CBOR (a write, a stored state)
# loads it. Definite and indefinite lengths; anything malformed raises
# CodecError, never a half-built value.
import struct
from lwm2m.compat import const
from lwm2m.error import CodecError

_MAX_DEPTH = const(16)  # MicroPython's C stack is small; LwM2M nests 6 deep at most


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
