# Connectivity Statistics (object 7, Appendix E.7): the client's traffic
# counted between Start (6) and Stop (7), in KB (2 Tx Data, 3 Rx Data) and
# bytes (4 Max Message Size, 5 Average Message Size). `wrap(link)` gives a
# link that counts what passes through it.


class ConnectivityStatistics:
    def __init__(self):
        self.collecting = False
        self.reset()
        self.model = None

    def reset(self):
        self.tx = self.rx = self.max = self.count = 0

    def install(self, model, iid=0):
        self.model = model
        p = (7, iid)
        model.add(7, iid, {8: 0})
        model.bind(p + (2,), read=lambda: self.tx // 1024)
        model.bind(p + (3,), read=lambda: self.rx // 1024)
        model.bind(p + (4,), read=lambda: self.max)
        model.bind(p + (5,), read=lambda: (self.tx + self.rx) // self.count if self.count else 0)
        model.bind(p + (6,), execute=lambda args: self.start())
        model.bind(p + (7,), execute=lambda args: self.stop())
        return self

    def start(self):
        """Start (6): counters from zero."""
        self.reset()
        self.collecting = True

    def stop(self):
        self.collecting = False

    def count_tx(self, n):
        if self._count(n):
            self.tx += n

    def count_rx(self, n):
        if self._count(n):
            self.rx += n

    def _count(self, n):
        if self.collecting:
            self.count += 1
            if n > self.max:
                self.max = n
        return self.collecting

    def wrap(self, link):
        return _CountingLink(link, self)


class _CountingLink:
    def __init__(self, link, stats):
        self.link = link
        self.stats = stats
        self.mtu = getattr(link, "mtu", 1152)

    def send(self, data, peer):
        self.stats.count_tx(len(data))
        self.link.send(data, peer)

    def recv(self, timeout_ms):
        r = self.link.recv(timeout_ms)
        if r is not None:
            self.stats.count_rx(len(r[0]))
        return r

    def close(self):
        self.link.close()
