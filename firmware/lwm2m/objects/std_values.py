# Objects whose behaviour is "hold what the board last measured": the
# application sets named values; each set goes through the model (validated,
# observers told). Connectivity Monitoring (4) and Location (6) are tables
# of names to resource ids on top of this.


class Values:
    NAMES = ()  # (name, resource id) pairs
    OID = -1

    def __init__(self, **values):
        self.values = values
        self.model = None
        self.iid = 0

    def install(self, model, iid=0):
        self.model = model
        self.iid = iid
        model.add(self.OID, iid, self._resources(self.values))
        return self

    def _rid(self, name):
        for n, rid in self.NAMES:
            if n == name:
                return rid
        raise KeyError(name)

    def _resources(self, values):
        out = {}
        for name in values:
            out[self._rid(name)] = values[name]
        return out

    def update(self, **values):
        """Set several named values; each changed resource notifies observers."""
        res = self._resources(values)
        for rid in sorted(res):
            self.model.set((self.OID, self.iid, rid), res[rid])


class ConnectivityMonitoring(Values):
    """Object 4: bearer (0 GSM .. 7 NB-IoT?, see the object), signal (dBm)."""

    OID = 4
    NAMES = (("bearer", 0), ("available_bearers", 1), ("signal", 2), ("link_quality", 3),
             ("ip", 4), ("router_ip", 5), ("utilization", 6), ("apn", 7), ("cell_id", 8),
             ("smnc", 9), ("smcc", 10), ("snr", 11), ("lac", 12), ("coverage", 13))


class Location(Values):
    """Object 6: latitude/longitude (degrees), altitude and radius (m),
    speed (m/s), timestamp (Unix time of the fix)."""

    OID = 6
    NAMES = (("latitude", 0), ("longitude", 1), ("altitude", 2), ("radius", 3),
             ("velocity", 4), ("timestamp", 5), ("speed", 6))
