# Package URI parsing: scheme://host[:port]/path, host a name, IPv4 or [IPv6].
_PORTS = {"coap": 5683, "coaps": 5684, "coap+tcp": 5683, "coaps+tcp": 5684, "http": 80, "https": 443}


def parse(uri):
    """(scheme, host, port, [path segments]); ValueError for a URI that is not
    one (Update Result 7). The scheme may still be unsupported (result 9)."""
    i = uri.find("://")
    if i <= 0:
        raise ValueError("no scheme")
    scheme = uri[:i].lower()
    rest = uri[i + 3 :]
    for c in uri:
        if ord(c) <= 32 or ord(c) >= 127:
            raise ValueError("bad character")
    j = rest.find("/")
    auth, path = (rest, "") if j < 0 else (rest[:j], rest[j + 1 :])
    q = path.find("?")
    if q >= 0:
        path = path[:q]
    if auth.startswith("["):
        k = auth.find("]")
        if k < 0:
            raise ValueError("bad IPv6 literal")
        host, port = auth[1:k], auth[k + 1 :]
    else:
        k = auth.rfind(":")
        host, port = (auth, "") if k < 0 else (auth[:k], auth[k:])
    if not host:
        raise ValueError("no host")
    if port:
        if port[0] != ":" or not port[1:].isdigit():
            raise ValueError("bad port")
        port = int(port[1:])
        if not 0 < port < 65536:
            raise ValueError("bad port")
    else:
        port = _PORTS.get(scheme, 0)
    return scheme, host, port, [s for s in path.split("/") if s]
