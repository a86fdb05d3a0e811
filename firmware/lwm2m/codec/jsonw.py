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
    import json

    v = json.loads(str(bytes(payload), "utf-8"))
    _finite(v, 0)
    return v


def _finite(v, depth):
    # json.loads takes NaN/Infinity (and 1e400 as inf) on CPython
    if depth > 8:
        raise CodecError("JSON nested too deep")
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        raise CodecError("JSON number not finite")
    if isinstance(v, list):
        for x in v:
            _finite(x, depth + 1)
    elif isinstance(v, dict):
        for x in v.values():
            _finite(x, depth + 1)


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
