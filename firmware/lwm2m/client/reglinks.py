# What a Register / Update carries (LwM2M 1.1.1 6.2.1, Transport 6.2.1):
# the query parameters and the link-format list of objects and instances.
# Everything is built in id order, never dict order.

# Objects never listed in a registration (1.1.1 6.2.1: Security, OSCORE).
_HIDDEN = (0, 21)
# An object whose version is this (the one LwM2M 1.1 implies) needs no ver=.
DEFAULT_VERSION = "1.0"


def register_query(ep, lifetime, binding="U", queue=False, version="1.1", sms=None):
    """Uri-Query strings for POST /rd, in the order the spec lists them."""
    q = ["ep=" + ep, "lt=%d" % lifetime, "lwm2m=" + version, "b=" + binding]
    if sms:
        q.append("sms=" + sms)
    if queue:
        q.append("Q")
    return q


def link(path, attrs=()):
    """One link-format entry: path tuple (or str) and (name, text) pairs."""
    if not isinstance(path, str):
        path = "/" + "/".join([str(x) for x in path])
    out = "<" + path + ">"
    for name, text in attrs:
        out += ";" + name + "=" + text
    return out


def object_links(objects, ct=None, root_path=None):
    """objects: iterable of (object_id, version, instance_ids) -> payload str.
    `version` None or DEFAULT_VERSION prints no ver=. An object with no
    instances is listed alone so the server knows it is supported.
    ct: the preferred content format announced on </> (with rt="oma.lwm2m")."""
    parts = []
    if ct is not None or root_path:
        parts.append('<%s>;rt="oma.lwm2m"' % (root_path or "/")
                     + ("" if ct is None else ";ct=%d" % ct))
    base = root_path.rstrip("/") if root_path else ""
    for oid, ver, insts in sorted(_by_id(objects)):
        if oid in _HIDDEN:
            continue
        insts = sorted(insts)
        if ver and ver != DEFAULT_VERSION:
            parts.append(link("%s/%d" % (base, oid), [("ver", ver)]))
        elif not insts:
            parts.append(link("%s/%d" % (base, oid)))
        for i in insts:
            parts.append(link("%s/%d/%d" % (base, oid, i)))
    return ",".join(parts)


def _by_id(objects):
    # (id, version, tuple(instances)) tuples sort by id first, ids are unique.
    return [(o[0], o[1] or "", tuple(o[2])) for o in objects]
