# The operations outside the core profile: Read-/Observe-Composite (FETCH),
# Write-Composite (iPATCH), Create and Discover (LwM2M 1.1.1 5.4). A module
# of its own, loaded when a server first asks for one of them; the
# Dispatcher (lwm2m.client.dispatch) hands them over with itself as `d`.
from lwm2m.compat import const
from lwm2m.error import CoapError
from lwm2m.codec import linkformat
from lwm2m.client.dispatch import Reply, _acl

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_METHOD_NOT_ALLOWED = const(0x85)  # 4.05
_MULTIPLE = const(0x80)
_UNAUTHORIZED = const(0x81)  # 4.01
_UNSUPPORTED_FORMAT = const(0x8F)  # 4.15
_POST = const(2)
_FETCH = const(5)
_IPATCH = const(7)
_CREATED = const(0x41)
_CHANGED = const(0x44)
_CONTENT = const(0x45)
_A_READ = const(1)
_A_WRITE = const(2)
_A_CREATE = const(16)
_LINK_FORMAT = const(40)
# Objects no LwM2M server may touch (1.1.1 6.3: 4.01 Unauthorized).
_PROTECTED = (0, 21)


def handle(d, req, path, server):
    """The reply to a FETCH, an iPATCH, a POST on an object (Create) or a GET
    with Accept: link format (Discover), checked as Dispatcher.handle checks
    every request."""
    code = req.code
    if code == _FETCH:
        return fetch(d, req, server)
    if code == _IPATCH:
        return write_composite(d, req, server)
    if path[0] in _PROTECTED:
        raise CoapError(_UNAUTHORIZED, "security object")
    if code == _POST:
        return create(d, req, path, server)
    d._check(server, _A_READ, path)
    return discover(d, path, server)


def fetch(d, req, server):
    ct = req.content_format()
    if ct is None:
        raise CoapError(_BAD_REQUEST, "FETCH needs a Content-Format")
    decode_paths = getattr(d.codec_for(ct), "decode_paths", None)
    if decode_paths is None:  # a format that carries no path list
        raise CoapError(_UNSUPPORTED_FORMAT, "no path list in format %d" % ct)
    paths = decode_paths(req.payload)
    fmt = req.accept()
    if fmt is None:
        fmt = ct
    codec = d.codec_for(fmt, True)
    records = d.read_records(paths, server)
    reply = Reply(_CONTENT, codec.encode(records, ()), fmt)
    reply.records = records
    d._observe(req, reply, paths, True)
    return reply


def write_composite(d, req, server):
    values = d._decode(req, ())
    for p, _ in values:
        if p[0] in _PROTECTED:
            raise CoapError(_UNAUTHORIZED, "security object")
        d._check(server, _A_WRITE, p)
    d.model.write_composite(values)
    return Reply(_CHANGED)


def create(d, req, path, server):
    acos = d.acos() if d.acos else None
    if acos is not None:
        _acl().require(acos, _A_CREATE, path[0], None, server.ssid)
    records = d._decode(req, path)
    # TLV resources without an instance decode to (oid, None, rid): the
    # model then picks the lowest free id
    iid = records[0][0][1] if records and len(records[0][0]) > 1 else None
    iid = d.model.create(path[0], iid, records)
    if acos is not None and d.on_created is not None:
        d.on_created((path[0], iid), server)
    reply = Reply(_CREATED)
    reply.location = [str(path[0]), str(iid)]
    return reply


# -- Discover ----------------------------------------------------------
# 1.1.1 5.4.2: on an object its attributes, then instances and resources
# (dim only); on an instance its attributes, then each resource with dim
# and its own attributes; on a resource dim and the attributes inherited
# down to it, then its instances with their own attributes.
def discover(d, path, server):
    m, attrs = d.model, server.attrs
    n = len(path)
    if n == 4:
        raise CoapError(_METHOD_NOT_ALLOWED, "discover on a resource instance")
    links = []
    for p in m.discover(path):
        a = []
        if len(p) == 3 and m.tables.info(p[0], p[2]) & _MULTIPLE:
            a.append(("dim", m.dim(p)))
        if p == path:
            if n == 1:
                ver = m.tables.ver_attr(path[0])
                if ver:
                    a.append(("ver", ver))
            a.extend(attrs.link_list(p, n == 3))
        elif n > 1:
            a.extend(attrs.link_list(p))
        links.append((p, a))
    return Reply(_CONTENT, linkformat.encode(links), _LINK_FORMAT)
