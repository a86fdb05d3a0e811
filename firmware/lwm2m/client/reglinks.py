# What a Register / Update carries (LwM2M 1.1.1 6.2.1, Transport 6.2.1):
# the query parameters and the link-format list of objects and instances.
# Everything is built in id order, never dict order.
from lwm2m.codec import linkformat

# Objects never listed in a registration (1.1.1 6.2.1: Security, OSCORE).
_HIDDEN = (0, 21)
# An object whose version is this (the one LwM2M 1.1 implies) needs no ver=.
DEFAULT_VERSION = "1.0"


def register_query(ep, lifetime, binding="U", queue=False, version="1.1", sms=None, compact=False):
    """Uri-Query strings for POST /rd, in the order the spec lists them.
    compact: leave out lt and b where they have the spec's default (86400, U):
    every Block1 frame of a Register repeats the query (LoRaWAN: 51 B frames)."""
    q = ["ep=" + ep]
    if not (compact and lifetime == 86400):
        q.append("lt=%d" % lifetime)
    q.append("lwm2m=" + version)
    if not (compact and binding == "U"):
        q.append("b=" + binding)
    if sms:
        q.append("sms=" + sms)
    if queue:
        q.append("Q")
    return q


def model_objects(model):
    """(object_id, ver attribute or None, instance ids) for every object the
    model presents to a server (lwm2m.model.Model)."""
    return [(oid, model.tables.ver_attr(oid), model.instances(oid)) for oid in model.objects()]


def object_links(objects, ct=None, root_path=None):
    """objects: iterable of (object_id, version, instance_ids) -> payload bytes.
    `version` None or DEFAULT_VERSION prints no ver=. An object with no
    instances is listed alone so the server knows it is supported.
    ct: the preferred content format announced on </> (with rt="oma.lwm2m").
    root_path: an alternate path ("/lwm2m") prefixed to every link."""
    root = tuple([s for s in (root_path or "").split("/") if s])
    links = []
    if ct is not None or root:
        links.append((root, [("rt", "oma.lwm2m")] + ([] if ct is None else [("ct", ct)])))
    for oid, ver, insts in sorted([(o[0], o[1] or "", tuple(o[2])) for o in objects]):
        if oid in _HIDDEN:
            continue
        if ver and ver != DEFAULT_VERSION:
            links.append((root + (oid,), [("ver", ver)]))
        elif not insts:
            links.append((root + (oid,), []))
        for i in sorted(insts):
            links.append((root + (oid, i), []))
    return linkformat.encode(links)
