# CoRE link format (RFC 6690, content format 40) for Register/Update payloads
# and Discover answers: links are (path, attrs), attrs an ordered list of
# (name, value); value None is a bare flag (";obs"). Values are written bare
# when RFC 6690 allows a ptoken, quoted when they must be (rt, if, title,
# anchor, rel, or any value with a character outside ptoken such as a space).
from lwm2m.codec import common as C

_QUOTED = ("rt", "if", "title", "anchor", "rel", "rev", "hreflang", "media", "type", "uri")
_PTOKEN = "!#$%&'()*+-./:<=>?@[]^_`{|}~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def ptoken(s):
    """True if s is a non-empty RFC 6690 ptoken (a value that needs no quotes)."""
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
    if name not in _QUOTED and ptoken(v):
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


def decode(payload):
    """[(path, [(name, value)])]; path ids as ints (other segments, such as an
    alternate root path, as text); values as text, None for flags."""
    # The parser is its own module: the client only writes link format
    # (Register, Update, Discover), so it never loads it.
    from lwm2m.codec import linkparse  # feature: linkparse

    return C.guarded(linkparse.parse, payload)
