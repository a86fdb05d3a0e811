# Parsing CoRE link format (RFC 6690, content format 40): what
# lwm2m.codec.linkformat.decode runs, in a module of its own because a client
# only writes link format. Raises CodecError on anything malformed.
from lwm2m.error import CodecError
from lwm2m.codec import common as C
from lwm2m.codec.linkformat import ptoken


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


def parse(payload):
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
            if not name or not ptoken(name):
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
                    if not ptoken(v):
                        raise CodecError("bad attribute value %r" % v)
                    i = j
            attrs.append((name, v))
        links.append((path, attrs))
        if i == n:
            return links
        if s[i] != ",":
            raise CodecError("expected , between links")
        i += 1
