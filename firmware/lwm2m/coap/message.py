# CoAP message (RFC 7252 section 3) and its options, encoded and decoded.
# Options live in one flat list [number, value, number, value, ...] kept sorted
# by number on insert (a repeated option goes after its equals), so encoding
# never sorts and repeated options (Uri-Path, Uri-Query) keep their order.
from lwm2m.compat import const

# Message types
CON = const(0)
NON = const(1)
ACK = const(2)
RST = const(3)

# Method codes (class 0) and the success codes; error codes are in lwm2m.error
EMPTY = const(0)
GET = const(1)
POST = const(2)
PUT = const(3)
DELETE = const(4)
FETCH = const(5)
PATCH = const(6)
IPATCH = const(7)
CREATED = const(0x41)
DELETED = const(0x42)
VALID = const(0x43)
CHANGED = const(0x44)
CONTENT = const(0x45)
CONTINUE = const(0x5F)

# Option numbers
IF_MATCH = const(1)
URI_HOST = const(3)
ETAG = const(4)
IF_NONE_MATCH = const(5)
OBSERVE = const(6)
URI_PORT = const(7)
LOCATION_PATH = const(8)
URI_PATH = const(11)
CONTENT_FORMAT = const(12)
MAX_AGE = const(14)
URI_QUERY = const(15)
ACCEPT = const(17)
LOCATION_QUERY = const(20)
BLOCK2 = const(23)
BLOCK1 = const(27)
SIZE2 = const(28)
PROXY_URI = const(35)
PROXY_SCHEME = const(39)
SIZE1 = const(60)


class ParseError(ValueError):
    """A datagram that is not a well-formed CoAP message."""


def uint_bytes(n):
    """The shortest big-endian encoding of n (0 encodes as no bytes)."""
    k = 0
    while n >> (k << 3):
        k += 1
    return n.to_bytes(k, "big")


def _ext(x):
    # (nibble, extra bytes) for an option delta or length
    if x < 13:
        return x, 0
    if x < 269:
        return 13, 1
    return 14, 2


class Message:
    """One CoAP message. `payload` is bytes, or a memoryview into the received
    datagram after decode() (copy it to keep it past the handler call)."""

    def __init__(self, code=EMPTY, type=CON, mid=0, token=b"", payload=b""):
        self.type = type
        self.code = code
        self.mid = mid
        self.token = token
        self.opts = []
        self.payload = payload

    # -- options ---------------------------------------------------------
    def add_option(self, num, value=b""):
        """Add an option; str is UTF-8, int is the shortest uint. Returns self."""
        if isinstance(value, int):
            value = uint_bytes(value)
        elif isinstance(value, str):
            value = value.encode()
        opts = self.opts
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
                return opts[i + 1]
        return None

    def options(self, num):
        """Every value of option num, in message order."""
        opts = self.opts
        return [opts[i + 1] for i in range(0, len(opts), 2) if opts[i] == num]

    def uint(self, num, default=None):
        v = self.option(num)
        if v is None:
            return default
        n = 0
        for b in v:
            n = (n << 8) | b
        return n

    # -- helpers for the common options --------------------------------
    def uri_path(self):
        """Uri-Path segments as a list of str."""
        return [v.decode() for v in self.options(URI_PATH)]

    def set_uri_path(self, path):
        """'/3/0/1', 'rd/5a3f' or a list of segments."""
        self.remove_option(URI_PATH)
        if isinstance(path, str):
            path = [s for s in path.split("/") if s]
        for s in path:
            self.add_option(URI_PATH, s)
        return self

    def uri_query(self):
        return [v.decode() for v in self.options(URI_QUERY)]

    def add_query(self, item):
        return self.add_option(URI_QUERY, item)

    def location_path(self):
        return [v.decode() for v in self.options(LOCATION_PATH)]

    def content_format(self):
        return self.uint(CONTENT_FORMAT)

    def accept(self):
        return self.uint(ACCEPT)

    def observe(self):
        return self.uint(OBSERVE)

    def size1(self):
        return self.uint(SIZE1)

    def size2(self):
        return self.uint(SIZE2)

    def block1(self):
        """(num, more, szx) from Block1, or None."""
        return _block(self.uint(BLOCK1))

    def block2(self):
        return _block(self.uint(BLOCK2))

    def set_block1(self, num, more, szx):
        return self.set_option(BLOCK1, block_value(num, more, szx))

    def set_block2(self, num, more, szx):
        return self.set_option(BLOCK2, block_value(num, more, szx))

    def is_request(self):
        return 0 < self.code < 32

    # -- wire format -----------------------------------------------------
    def size(self):
        """Length of the encoded message in bytes."""
        n = 4 + len(self.token)
        opts = self.opts
        prev = 0
        for i in range(0, len(opts), 2):
            num = opts[i]
            ln = len(opts[i + 1])
            n += 1 + _ext(num - prev)[1] + _ext(ln)[1] + ln
            prev = num
        if self.payload:
            n += 1 + len(self.payload)
        return n

    def encode_into(self, buf, pos=0):
        """Write the message into buf at pos; returns the end position."""
        tkl = len(self.token)
        if tkl > 8:
            raise ValueError("token longer than 8 bytes")
        buf[pos] = 0x40 | (self.type << 4) | tkl
        buf[pos + 1] = self.code
        buf[pos + 2] = (self.mid >> 8) & 255
        buf[pos + 3] = self.mid & 255
        pos += 4
        for b in self.token:
            buf[pos] = b
            pos += 1
        opts = self.opts
        prev = 0
        for i in range(0, len(opts), 2):
            num = opts[i]
            value = opts[i + 1]
            d = num - prev
            prev = num
            ln = len(value)
            dn, dx = _ext(d)
            ln_n, lx = _ext(ln)
            buf[pos] = (dn << 4) | ln_n
            pos += 1
            pos = _put_ext(buf, pos, d, dx)
            pos = _put_ext(buf, pos, ln, lx)
            for b in value:
                buf[pos] = b
                pos += 1
        pl = self.payload
        if pl:
            buf[pos] = 0xFF
            pos += 1
            end = pos + len(pl)
            buf[pos:end] = pl
            pos = end
        return pos

    def encode(self):
        """The message as a new bytearray of exactly its size."""
        buf = bytearray(self.size())
        self.encode_into(buf)
        return buf

    def __eq__(self, other):
        return (
            isinstance(other, Message)
            and self.type == other.type
            and self.code == other.code
            and self.mid == other.mid
            and self.token == other.token
            and self.opts == other.opts
            and bytes(self.payload) == bytes(other.payload)
        )

    def __ne__(self, other):
        return not self.__eq__(other)

    def __repr__(self):
        return "<Message %s %d.%02d mid=%d token=%s opts=%r payload=%d B>" % (
            "CNAR"[self.type], self.code >> 5, self.code & 31, self.mid,
            self.token.hex() if self.token else "-", self.opts, len(self.payload))


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


def _read_ext(data, i, n, x):
    # An extended delta/length: returns (value, next index)
    if x < 13:
        return x, i
    if x == 13:
        if i >= n:
            raise ParseError("truncated option")
        return data[i] + 13, i + 1
    if x == 14:
        if i + 1 >= n:
            raise ParseError("truncated option")
        return ((data[i] << 8) | data[i + 1]) + 269, i + 2
    raise ParseError("reserved option nibble 15")


def decode(data, msg=None):
    """Parse a datagram (bytes, bytearray or memoryview) into a Message (or into
    msg, reused). The payload is a memoryview into data, not a copy. Raises
    ParseError, and only ParseError, on malformed input."""
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
    if code == EMPTY and n != 4:
        raise ParseError("empty message with content")
    if msg is None:
        msg = Message()
    else:
        msg.opts = []
    msg.type = (b0 >> 4) & 3
    msg.code = code
    msg.mid = (data[2] << 8) | data[3]
    msg.token = bytes(data[4:i]) if tkl else b""
    msg.payload = b""
    opts = msg.opts
    num = 0
    while i < n:
        b = data[i]
        i += 1
        if b == 0xFF:
            if i == n:
                raise ParseError("payload marker without payload")
            msg.payload = memoryview(data)[i:]
            break
        d, i = _read_ext(data, i, n, b >> 4)
        ln, i = _read_ext(data, i, n, b & 15)
        num += d
        if num > 0xFFFF:
            raise ParseError("option number over 65535")
        end = i + ln
        if end > n:
            raise ParseError("truncated option value")
        v = data[i:end]
        opts.append(num)
        opts.append(v if isinstance(v, bytes) else bytes(v))
        i = end
    return msg
