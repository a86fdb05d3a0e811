# The bits of JSON the LwM2M JSON formats need. Written out by hand rather than
# json.dumps: the runtimes differ in float digits and in escaping non-ASCII,
# and the bytes on the wire must not depend on the runtime.
from lwm2m.error import CodecError
from lwm2m.codec import common as C

_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def string(s):
    out = ['"']
    for c in s:
        e = _SHORT.get(c)
        if e is not None:
            out.append(e)
        elif c < " ":
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def value(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return C.float_text(v)
    return string(v)


def obj(pairs):
    """A JSON object from (key, already-serialized value) pairs, in order."""
    return "{" + ",".join(string(k) + ":" + v for k, v in pairs) + "}"


def loads(payload):
    """Strict RFC 8259 JSON -> Python values. Our own parser: MicroPython's
    json takes '[1 2]', trailing commas and bare keys, and the two runtimes
    must accept the same payloads."""
    s = str(bytes(payload), "utf-8")
    p = _Parser(s)
    v = p.value(0)
    p.ws()
    if p.i != len(s):
        raise CodecError("JSON trailing characters")
    return v


_ESC = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Parser:
    def __init__(self, s):
        self.s = s
        self.i = 0

    def ws(self):
        s, i, n = self.s, self.i, len(self.s)
        while i < n and s[i] in " \t\r\n":
            i += 1
        self.i = i

    def value(self, depth):
        if depth > 16:  # LwM2M needs 3; MicroPython's stack is small
            raise CodecError("JSON nested too deep")
        self.ws()
        s, i = self.s, self.i
        c = s[i : i + 1]
        if c == "{":
            return self.obj(depth)
        if c == "[":
            self.i = i + 1
            out = []
            if self.peek("]"):
                return out
            while True:
                out.append(self.value(depth + 1))
                if self.peek("]"):
                    return out
                self.expect(",")
        if c == '"':
            return self.string()
        for word, v in (("true", True), ("false", False), ("null", None)):
            if s.startswith(word, i):
                self.i = i + len(word)
                return v
        return self.number()

    def peek(self, c):
        self.ws()
        if self.s[self.i : self.i + 1] == c:
            self.i += 1
            return True
        return False

    def expect(self, c):
        if not self.peek(c):
            raise CodecError("JSON expected %r at %d" % (c, self.i))

    def obj(self, depth):
        self.i += 1
        out = {}
        if self.peek("}"):
            return out
        while True:
            self.ws()
            if self.s[self.i : self.i + 1] != '"':
                raise CodecError("JSON key must be a string")
            k = self.string()
            if k in out:
                raise CodecError("JSON duplicate key %r" % k)
            self.expect(":")
            out[k] = self.value(depth + 1)
            if self.peek("}"):
                return out
            self.expect(",")

    def string(self):
        s = self.s
        i = self.i + 1
        out = []
        while True:
            j = i
            while j < len(s) and s[j] != '"' and s[j] != "\\":
                if s[j] < " ":
                    raise CodecError("JSON control character in string")
                j += 1
            out.append(s[i:j])
            if j >= len(s):
                raise CodecError("JSON string not closed")
            if s[j] == '"':
                self.i = j + 1
                return "".join(out)
            e = s[j + 1 : j + 2]
            if e == "u":
                cp = self.hex4(j + 2)
                i = j + 6
                if 0xD800 <= cp < 0xDC00 and s[i : i + 2] == "\\u":
                    lo = self.hex4(i + 2)
                    if 0xDC00 <= lo < 0xE000:
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
                if 0xD800 <= cp < 0xE000:
                    raise CodecError("JSON lone surrogate")
                out.append(chr(cp))
            elif e in _ESC:
                out.append(_ESC[e])
                i = j + 2
            else:
                raise CodecError("JSON bad escape")

    def hex4(self, i):
        h = self.s[i : i + 4]
        if len(h) != 4:
            raise CodecError("JSON bad \\u escape")
        for c in h:
            if c not in "0123456789abcdefABCDEF":
                raise CodecError("JSON bad \\u escape")
        return int(h, 16)

    def digits(self, i, what):
        s, n, j = self.s, len(self.s), i
        while i < n and "0" <= s[i] <= "9":
            i += 1
        if i == j:
            raise CodecError("JSON number without %s digits" % what)
        return i

    def number(self):
        s = self.s
        start = i = self.i
        if s[i : i + 1] == "-":
            i += 1
        j = i
        i = self.digits(i, "integer")
        if s[j] == "0" and i - j > 1:
            raise CodecError("JSON number with a leading zero")
        exact = True
        if s[i : i + 1] == ".":
            i = self.digits(i + 1, "fraction")
            exact = False
        if s[i : i + 1] in ("e", "E"):
            i += 1
            if s[i : i + 1] in ("+", "-"):
                i += 1
            i = self.digits(i, "exponent")
            exact = False
        self.i = i
        t = s[start:i]
        if exact:
            return int(t)
        x = float(t)
        if x - x != 0:
            raise CodecError("JSON number not finite")
        return x


def b64(data, url):
    """Base64 text: url=True gives RFC 4648 base64url without padding (SenML vd)."""
    import binascii

    s = str(binascii.b2a_base64(data), "ascii").strip()
    if url:
        s = s.replace("+", "-").replace("/", "_").rstrip("=")
    return s


def unb64(s, url):
    import binascii

    if not isinstance(s, str):
        raise CodecError("base64 must be text")
    ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + ("-_" if url else "+/=")
    for c in s:
        if c not in ok:
            raise CodecError("bad base64 character %r" % c)
    if url:
        s = s.replace("-", "+").replace("_", "/")
        s += "=" * (-len(s) % 4)
    if len(s) % 4:
        raise CodecError("bad base64 length")
    return binascii.a2b_base64(s)
