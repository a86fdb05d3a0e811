# CoRE link format (RFC 6690, content format 40) for Register/Update payloads
# and Discover answers: links are (path, attrs), attrs an ordered list of
# (name, value); value None is a bare flag (";obs"). Values are written bare
# when RFC 6690 allows a ptoken, quoted when they must be (rt, if, title,
# anchor, rel, or any value with a character outside ptoken such as a space).
from lwm2m.error import CodecError
from lwm2m.codec import common as C

_QUOTED = ("rt", "if", "title", "anchor", "rel", "rev", "hreflang", "media", "type", "uri")
_PTOKEN = "!#$%&'()*+-./:<=>?@[]^_`{|}~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _ptoken(s):
    if not s:
        return False
    for c in s:
        if c not in _PTOKEN:
            return False
    return True


def _value(name, v):
    if isinstance(v, bool):
        v = "1" if v else "0"
    elif isinstance(v, int):
        return str(v)
    elif isinstance(v, float):
        return C.float_text(v)
    if name not in _QUOTED and _ptoken(v):
        return v
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_link(path, attrs):
    out = ["<", C.path_str(path), ">"]
    for name, v in attrs:
        out.append(";")
        out.append(name)
        if v is not None:
            out.append("=")
            out.append(_value(name, v))
    return "".join(out)


def encode(links):
    return ",".join(encode_link(p, a) for p, a in links).encode("utf-8")


def _path(uri):
    if not uri or uri[0] != "/":
        raise CodecError("link target must be a path: %r" % uri)
    if uri == "/":
        return ()
    out = []
    for seg in uri[1:].split("/"):
        if not seg:
            raise CodecError("empty path segment in %r" % uri)
        out.append(C.parse_uint(seg, 0xFFFF) if "0" <= seg[0] <= "9" else seg)
    return tuple(out)


def _decode(payload):
    s = str(bytes(payload), "utf-8")
    n = len(s)
    i = 0
    links = []
    while True:
        while i < n and s[i] in " \t\r\n":
            i += 1
        if i == n and not links:
            return links
        if i >= n or s[i] != "<":
            raise CodecError("link must start with <")
        j = s.find(">", i)
        if j < 0:
            raise CodecError("link target not closed")
        path = _path(s[i + 1 : j])
        i = j + 1
        attrs = []
        while i < n and s[i] == ";":
            i += 1
            j = i
            while j < n and s[j] not in "=;,":
                j += 1
            name = s[i:j]
            if not name or not _ptoken(name):
                raise CodecError("bad attribute name %r" % name)
            i = j
            v = None
            if i < n and s[i] == "=":
                i += 1
                if i < n and s[i] == '"':
                    i += 1
                    buf = []
                    while True:
                        if i >= n:
                            raise CodecError("quoted value not closed")
                        c = s[i]
                        if c == "\\":
                            i += 1
                            if i >= n:
                                raise CodecError("quoted value not closed")
                            c = s[i]
                        elif c == '"':
                            i += 1
                            break
                        buf.append(c)
                        i += 1
                    v = "".join(buf)
                else:
                    j = i
                    while j < n and s[j] not in ";,":
                        j += 1
                    v = s[i:j]
                    if not _ptoken(v):
                        raise CodecError("bad attribute value %r" % v)
                    i = j
            attrs.append((name, v))
        links.append((path, attrs))
        if i == n:
            return links
        if s[i] != ",":
            raise CodecError("expected , between links")
        i += 1


def decode(payload):
    """[(path, [(name, value)])]; path ids as ints (other segments, such as an
    alternate root path, as text); values as text, None for flags."""
    return C.guarded(_decode, payload)
