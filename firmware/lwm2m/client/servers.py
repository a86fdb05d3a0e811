# The servers a client talks to, as the model's Security (0) and Server (1)
# objects describe them: a Security instance that is not a bootstrap server
# (/0/x/1 false) gives the URI and Short Server ID (/0/x/10), the Server
# instance with the same /1/x/0 gives lifetime, binding, default periods and
# the retry settings. `provision` writes such a pair for a device configured
# from the command line or a board file rather than by a bootstrap server.
from lwm2m.error import CoapError


def provision(model, uri, ssid=1, lifetime=300, binding="U", iid=None):
    """Add a Security + Server instance pair for a LwM2M server (NoSec)."""
    if iid is None:
        used = model.instances(0) + model.instances(1)
        iid = 0
        while iid in used:
            iid += 1
    model.add(0, iid, {0: uri, 1: False, 2: 3, 10: ssid})
    model.add(1, iid, {0: ssid, 1: lifetime, 6: False, 7: binding})
    return iid


def get(model, path, default=None):
    try:
        v = model.get(path)
    except (CoapError, KeyError):  # absent instance / resource
        return default
    return default if v is None else v


# Server object resource -> Registration / client setting, with the default
# the spec gives when the resource is absent: (rid, name, default) in one flat
# tuple (triples would be seven more tuple objects on the heap).
_SETTINGS = (
    1, "lifetime", 86400, 7, "binding", "U", 14, "initial_delay", 0,
    17, "retry_count", 5, 18, "retry_timer", 60, 19, "seq_delay", 86400,
    20, "seq_retry", 1,
)


def settings(model, srv_iid, defaults=None):
    """Registration settings from Server instance srv_iid. defaults: {resource
    id: value} for resources the instance lacks, instead of the spec's (a
    device's own retry timing, say)."""
    out = {}
    for i in range(0, len(_SETTINGS), 3):
        rid, default = _SETTINGS[i], _SETTINGS[i + 2]
        if defaults and rid in defaults:
            default = defaults[rid]
        out[_SETTINGS[i + 1]] = get(model, (1, srv_iid, rid), default)
    b = out["binding"]
    out["queue"] = "Q" in b  # 1.0 style "UQ"; 1.1 sends Q as its own parameter
    out["binding"] = b.replace("Q", "") or "U"
    return out


def periods(model, srv_iid):
    """Default (pmin, pmax) of Server instance srv_iid (/1/x/2, /1/x/3)."""
    return get(model, (1, srv_iid, 2)), get(model, (1, srv_iid, 3))


def flag(model, srv_iid, rid, defaults=None):
    """A boolean Server resource: 6 notification storing, 15 registration
    failure block, 16 bootstrap on registration failure, 23 mute send,
    26 default notification mode (1 = CON). Absent: false, but 16 true
    (LwM2M 1.1.1 core 6.2.1.1: a client falls back to its bootstrap server
    unless told not to; Anjay does the same), unless defaults ({resource id:
    value}) says otherwise."""
    default = rid == 16
    if defaults:
        default = defaults.get(rid, default)
    return bool(get(model, (1, srv_iid, rid), default))


def find(model):
    """[(ssid, uri, security iid, server iid)] for every LwM2M server, by ssid."""
    out = []
    for sec in model.instances(0):
        if get(model, (0, sec, 1), False):
            continue  # a bootstrap server
        ssid = get(model, (0, sec, 10))
        uri = get(model, (0, sec, 0))
        for srv in model.instances(1):
            if get(model, (1, srv, 0)) == ssid:
                out.append((ssid, uri, sec, srv))
    out.sort()
    return out


def parse_uri(uri):
    """'coap://host:port' -> (scheme, host, port); IPv6 hosts in brackets."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        raise ValueError("not a URI: %s" % uri)
    rest = rest.split("/")[0]
    default = 5684 if scheme.endswith("s") else 5683
    if rest.startswith("["):
        end = rest.index("]")
        host, tail = rest[1:end], rest[end + 1:]
        port = int(tail[1:]) if tail.startswith(":") else default
    elif ":" in rest:
        host, port = rest.rsplit(":", 1)
        port = int(port)
    else:
        host, port = rest, default
    return scheme, host, port
