# CoAP message (RFC 7252 section 3) and its options, encoded and decoded.
# Options live in one flat list [number, value, number, value, ...] kept sorted
# by number on insert (a repeated option goes after its equals), so encoding
# never sorts and repeated options (Uri-Path, Uri-Query) keep their order.
from lwm2m.compat import const

# Numbers copied from lwm2m.coap.codes as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_ACCEPT = const(17)
_BLOCK1 = const(27)
_BLOCK2 = const(23)
_CON = const(0)
_CONTENT_FORMAT = const(12)
_EMPTY = const(0)
_LOCATION_PATH = const(8)
_OBSERVE = const(6)
_URI_PATH = const(11)
_URI_QUERY = const(15)


class ParseError(ValueError):
    """A datagram that is not a well-formed CoAP message."""


def uint_bytes(n):
    """The shortest big-endian encoding of n (0 encodes as no bytes)."""
    if n < 0:
        raise ValueError("negative uint option")
    k = 0
    while n >> (k << 3):
        k += 1
    return n.to_bytes(k, "big")


def _extra(x):
    # Bytes an option delta or length x needs after its nibble: 0, 1 or 2
    return 0 if x < 13 else (1 if x < 269 else 2)


_NIBBLE = b"\x00\x0d\x0e"  # the nibble for 0, 1 or 2 extra bytes (else x itself)


class Message:
    """One CoAP message. `payload` is bytes, or a memoryview into the received
    datagram after decode() (copy it to keep it past the handler call).

    `opts` is [number, value, number, value, ...] in wire order. A decoded
    message keeps the datagram in `raw` and its option values as ints
    (offset << 16 | length) until asked for: reading Observe or Block2 of a
    request allocates nothing. Use option()/options()/uint() to read values."""

    # Class defaults: an instance only pays for the attributes it sets.
    type = _CON
    mid = 0
    token = b""
    payload = b""
    raw = None
    opts = ()

    def __init__(self, code=_EMPTY, type=_CON, mid=0, token=b"", payload=b""):
        self.code = code
        if type != _CON:
            self.type = type
        if mid:
            self.mid = mid
        if token:
            self.token = token
        if payload:
            self.payload = payload

    def copy(self, payload=b""):
        """The same code, type, MID, token and options with another payload."""
        m = Message(self.code, self.type, self.mid, self.token, payload)
        m.opts = list(self.opts)
        m.raw = self.raw
        return m

    def detach(self):
        """Copy option values and payload out of the datagram, so the message
        can be kept after its buffer is reused. Returns self."""
        if self.raw is not None:
            self.opts = self._values()
            self.raw = None
        if isinstance(self.payload, memoryview):
            self.payload = bytes(self.payload)
        return self

    def value_at(self, i):
        """The value (bytes) of the option whose number is opts[i]."""
        v = self.opts[i + 1]
        if isinstance(v, int):
            s = v >> 16
            v = self.raw[s : s + (v & 0xFFFF)]
            if not isinstance(v, bytes):
                v = bytes(v)
        return v

    def len_at(self, i):
        v = self.opts[i + 1]
        return v & 0xFFFF if isinstance(v, int) else len(v)

    # -- options ---------------------------------------------------------
    def add_option(self, num, value=b""):
        """Add an option; str is UTF-8, int is the shortest uint. Returns self."""
        if isinstance(value, int):
            value = uint_bytes(value)
        elif isinstance(value, str):
            value = value.encode()
        opts = self.opts
        if opts == ():
            self.opts = opts = []
        i = len(opts)
        while i and opts[i - 2] > num:
            i -= 2
        opts.insert(i, value)
        opts.insert(i, num)
        return self

    def remove_option(self, num):
        opts = self.opts
        i = 0
        while i < len(opts):
            if opts[i] == num:
                del opts[i : i + 2]
            else:
                i += 2

    def set_option(self, num, value=b""):
        """Replace every instance of option num by one with value."""
        self.remove_option(num)
        return self.add_option(num, value)

    def option(self, num):
        """The first value of option num (bytes), or None."""
        opts = self.opts
        for i in range(0, len(opts), 2):
            if opts[i] == num:
                return self.value_at(i)
        return None

    def options(self, num):
        """Every value of option num, in message order."""
        opts = self.opts
        return [self.value_at(i) for i in range(0, len(opts), 2) if opts[i] == num]

    def uint(self, num, default=None):
        opts = self.opts
        for i in range(0, len(opts), 2):
            if opts[i] == num:
                v = opts[i + 1]
                if isinstance(v, int):
                    s = v >> 16
                    e = s + (v & 0xFFFF)
                    v = self.raw
                else:
                    s = 0
                    e = len(v)
                n = 0
                while s < e:
                    n = (n << 8) | v[s]
                    s += 1
                return n
        return default

    # -- helpers for the common options --------------------------------
    def uri_path(self):
        """Uri-Path segments as a list of str."""
        return [v.decode() for v in self.options(_URI_PATH)]

    def set_uri_path(self, path):
        """'/3/0/1', 'rd/5a3f' or a list of segments."""
        self.remove_option(_URI_PATH)
        if isinstance(path, str):
            path = [s for s in path.split("/") if s]
        for s in path:
            self.add_option(_URI_PATH, s)
        return self

    def uri_query(self):
        return [v.decode() for v in self.options(_URI_QUERY)]

    def add_query(self, item):
        return self.add_option(_URI_QUERY, item)

    def location_path(self):
        return [v.decode() for v in self.options(_LOCATION_PATH)]

    def content_format(self):
        return self.uint(_CONTENT_FORMAT)

    def accept(self):
        return self.uint(_ACCEPT)

    def observe(self):
        return self.uint(_OBSERVE)

    def block1(self):
        """(num, more, szx) from Block1, or None."""
        return _block(self.uint(_BLOCK1))

    def block2(self):
        return _block(self.uint(_BLOCK2))

    def set_block1(self, num, more, szx):
        return self.set_option(_BLOCK1, block_value(num, more, szx))

    def set_block2(self, num, more, szx):
        return self.set_option(_BLOCK2, block_value(num, more, szx))

    # -- wire format -----------------------------------------------------
    def size(self, token=None):
        """Length of the encoded message in bytes (with token instead of its own)."""
        n = 4 + len(self.token if token is None else token)
        opts = self.opts
        prev = 0
        for i in range(0, len(opts), 2):
            num = opts[i]
            ln = self.len_at(i)
            n += 1 + _extra(num - prev) + _extra(ln) + ln
            prev = num
        if self.payload:
            n += 1 + len(self.payload)
        return n

    def encode_into(self, buf, pos=0, type=None, mid=None, token=None):
        """Write the message into buf at pos; returns the end position. type,
        mid and token, when given, are written instead of the message's own
        (the engine answers without touching the handler's Message)."""
        if type is None:
            type = self.type
        if mid is None:
            mid = self.mid
        if token is None:
            token = self.token
        tkl = len(token)
        if tkl > 8:
            raise ValueError("token longer than 8 bytes")
        buf[pos] = 0x40 | (type << 4) | tkl
        buf[pos + 1] = self.code
        buf[pos + 2] = (mid >> 8) & 255
        buf[pos + 3] = mid & 255
        pos += 4
        for b in token:
            buf[pos] = b
            pos += 1
        opts = self.opts
        prev = 0
        raw = self.raw
        for i in range(0, len(opts), 2):
            num = opts[i]
            value = opts[i + 1]
            d = num - prev
            prev = num
            if isinstance(value, int):
                j = value >> 16
                ln = value & 0xFFFF
                value = raw
            else:
                j = 0
                ln = len(value)
            dx = _extra(d)
            lx = _extra(ln)
            buf[pos] = ((_NIBBLE[dx] if dx else d) << 4) | (_NIBBLE[lx] if lx else ln)
            pos = _put_ext(buf, pos + 1, d, dx)
            pos = _put_ext(buf, pos, ln, lx)
            end = j + ln
            while j < end:
                buf[pos] = value[j]
                pos += 1
                j += 1
        pl = self.payload
        if pl:
            buf[pos] = 0xFF
            pos += 1
            end = pos + len(pl)
            buf[pos:end] = pl
            pos = end
        return pos

    def encode(self, type=None, mid=None, token=None):
        """The message as a new bytearray of exactly its size (type, mid and
        token as in encode_into)."""
        buf = bytearray(self.size(token))
        self.encode_into(buf, 0, type, mid, token)
        return buf

    def __eq__(self, other):
        return (
            isinstance(other, Message)
            and self.type == other.type
            and self.code == other.code
            and self.mid == other.mid
            and self.token == other.token
            and self._values() == other._values()
            and bytes(self.payload) == bytes(other.payload)
        )

    def _values(self):
        opts = self.opts
        return [opts[i] if i & 1 == 0 else self.value_at(i - 1) for i in range(len(opts))]

    def __repr__(self):
        return "<Message %s %d.%02d mid=%d token=%s opts=%r payload=%d B>" % (
            "CNAR"[self.type], self.code >> 5, self.code & 31, self.mid,
            self.token.hex() if self.token else "-", self._values(), len(self.payload))


def _put_ext(buf, pos, x, nx):
    if nx == 1:
        buf[pos] = x - 13
        return pos + 1
    if nx == 2:
        x -= 269
        buf[pos] = x >> 8
        buf[pos + 1] = x & 255
        return pos + 2
    return pos


def block_value(num, more, szx):
    """The uint value of a Block1/Block2 option."""
    return (num << 4) | (8 if more else 0) | szx


def _block(v):
    if v is None:
        return None
    return v >> 4, (v >> 3) & 1, v & 7


def decode(data, msg=None):
    """Parse a datagram (bytes, bytearray or memoryview) into a Message (or into
    msg, reused). The payload is a memoryview into data and option values are
    read from data on demand: neither is copied. Raises ParseError, and only
    ParseError, on malformed input."""
    n = len(data)
    if n < 4:
        raise ParseError("shorter than a header")
    b0 = data[0]
    if b0 >> 6 != 1:
        raise ParseError("version is not 1")
    tkl = b0 & 15
    if tkl > 8:
        raise ParseError("token length over 8")
    i = 4 + tkl
    if i > n:
        raise ParseError("truncated token")
    code = data[1]
    if code == _EMPTY and n != 4:
        raise ParseError("empty message with content")
    if msg is None:
        msg = Message()
    # A reused list is overwritten in place and cut at the end (del opts[:]
    # would allocate a slice object on MicroPython); a message without
    # options keeps the class's empty tuple.
    opts = msg.opts
    k = 0
    # Only what differs from the current (or class default) value is set: each
    # new attribute grows a MicroPython instance's table.
    t = (b0 >> 4) & 3
    if msg.type != t:
        msg.type = t
    msg.code = code
    msg.mid = (data[2] << 8) | data[3]
    if tkl:
        msg.token = bytes(data[4:i])
    elif msg.token:
        msg.token = b""
    if msg.payload:
        msg.payload = b""
    msg.raw = data
    num = 0
    while i < n:
        b = data[i]
        i += 1
        if b == 0xFF:
            if i == n:
                raise ParseError("payload marker without payload")
            msg.payload = memoryview(data)[i:]
            break
        # Option delta then length, each a nibble or 13 + 1 byte or 269 + 2
        # bytes; written out twice because a helper returning (value, index)
        # would allocate a tuple per option on MicroPython.
        d = b >> 4
        ln = b & 15
        if d == 13:
            if i >= n:
                raise ParseError("truncated option")
            d = data[i] + 13
            i += 1
        elif d == 14:
            if i + 1 >= n:
                raise ParseError("truncated option")
            d = ((data[i] << 8) | data[i + 1]) + 269
            i += 2
        elif d == 15:
            raise ParseError("reserved option nibble 15")
        if ln == 13:
            if i >= n:
                raise ParseError("truncated option")
            ln = data[i] + 13
            i += 1
        elif ln == 14:
            if i + 1 >= n:
                raise ParseError("truncated option")
            ln = ((data[i] << 8) | data[i + 1]) + 269
            i += 2
        elif ln == 15:
            raise ParseError("reserved option nibble 15")
        num += d
        if num > 0xFFFF:
            raise ParseError("option number over 65535")
        if i + ln > n:
            raise ParseError("truncated option value")
        # packed offset/length; a value over 64 KB (only on stream links) is copied
        v = (i << 16) | ln if ln <= 0xFFFF else bytes(data[i : i + ln])
        if k < len(opts):
            opts[k] = num
            opts[k + 1] = v
        else:
            if opts == ():
                opts = msg.opts = []
            opts.append(num)
            opts.append(v)
        k += 2
        i += ln
    while len(opts) > k:
        opts.pop()
    return msg


def __getattr__(name):
    # The public names of CoAP's numbers (CON, GET, CONTENT, URI_PATH, ...)
    # come from lwm2m.coap.codes, loaded on first use (tests, tools, optional
    # modules); the core uses the private copies above and never loads it.
    from lwm2m.coap import codes  # feature: names

    return getattr(codes, name)
