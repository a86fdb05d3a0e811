# Write-Attributes (LwM2M 1.1.1 5.1.2, 5.4.4; 1.2 adds edge, con, hqmax):
# storing the attributes per path and per server, and resolving what applies
# to a path by inheritance (Server defaults -> Object -> Object Instance ->
# Resource -> Resource Instance). Parsing and validating a query is
# lwm2m.client.attrs_write, loaded by the first Write-Attributes.

# Every attribute a server may write, in the order Discover prints them
# (their kinds and the rules for writing them: lwm2m.client.attrs_write).
NAMES = ("pmin", "pmax", "gt", "lt", "st", "epmin", "epmax", "edge", "con", "hqmax")


class AttributeStore:
    """The attributes one server attached, keyed by path tuple
    (obj,), (obj, inst), (obj, inst, res) or (obj, inst, res, res_inst).
    `defaults` returns the Server object's (pmin, pmax) (/1/x/2, /1/x/3),
    either may be None; it is called at lookup time so changes apply at once."""

    def __init__(self, defaults=None):
        self._by_path = {}
        self._defaults = defaults

    def write(self, path, query, type_of=None):
        """Apply a Write-Attributes query to path, all or nothing.
        type_of(path) gives the resource datatype (or None if unknown);
        gt/lt/st need a numeric resource, edge a boolean one."""
        # Parsing and checking the query is lwm2m.client.attrs_write, loaded by
        # the first Write-Attributes.
        from lwm2m.client import attrs_write

        attrs_write.write(self._by_path, path, query, type_of)

    def attached(self, path):
        """The attributes written at exactly this path (a new dict)."""
        return dict(self._by_path.get(tuple(path), ()))

    def effective(self, path, defaults=True):
        """What applies to path: Server defaults, then each level from the
        object down overriding the one above it."""
        out = {}
        if defaults and self._defaults:
            pmin, pmax = self._defaults()
            if pmin is not None:
                out["pmin"] = pmin
            if pmax is not None:
                out["pmax"] = pmax
        path = tuple(path)
        for n in range(1, len(path) + 1):
            level = self._by_path.get(path[:n])
            if level:
                out.update(level)
        return out

    def link_list(self, path, inherited=False):
        """Discover's (name, value) list for path: attached there, or (for
        Discover on a resource) merged down from the object level."""
        a = self.effective(path, False) if inherited else self._by_path.get(tuple(path), {})
        return link_attrs(a)

    def drop(self, path):
        """Forget the attributes at path and below it (instance deleted)."""
        path = tuple(path)
        n = len(path)
        for p in [p for p in self._by_path if p[:n] == path]:
            del self._by_path[p]

    def paths(self):
        """Every path that carries attributes, in path order."""
        return sorted(self._by_path)

    def restore(self, path, attrs):
        """Put back what attached(path) gave before a reset; 4.00 for what no
        Write-Attributes could have stored."""
        from lwm2m.client import attrs_write  # the checks a Write-Attributes makes

        attrs_write.restore(self._by_path, path, attrs)


def link_attrs(attrs):
    """attrs dict -> ordered list of (name, value) for link-format (Discover)."""
    out = []
    for name in NAMES:
        v = attrs.get(name)
        if v is not None:
            out.append((name, v))
    return out
