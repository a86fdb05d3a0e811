# Wraps a datagram link and damages what it receives, by the index of the
# received datagram (0 = the first): the faults DTLS must survive or report.
# Also logs every datagram's direction and size (bench: bytes, round trips),
# and can hold what it receives for delay_ms (a slow radio, e.g. NB-IoT).
try:
    from time import ticks_ms, ticks_diff, ticks_add
except ImportError:
    from lwm2m.compat import ticks_ms, ticks_diff, ticks_add


class FaultyLink:
    def __init__(self, inner):
        self.inner = inner
        self.mtu = inner.mtu
        self.silent_from = None  # from this datagram on, the peer seems silent
        self.truncate = ()  # these datagrams arrive cut in half
        self.duplicate = ()  # these arrive twice (a replayed record)
        self.rx = 0
        self.log = []  # ("tx" | "rx", length)
        self.delay_ms = 0  # each received datagram is handed over this much later
        self._again = []
        self._held = []  # (ready ticks, data, peer)

    def send(self, data, peer=None):
        self.log.append(("tx", len(data)))
        self.inner.send(data, peer)

    def recv(self, timeout_ms):
        if self.delay_ms:
            return self._recv_late(timeout_ms)
        return self._recv(timeout_ms)

    def _recv_late(self, timeout_ms):
        deadline = ticks_add(ticks_ms(), timeout_ms)
        while True:
            now = ticks_ms()
            if self._held and ticks_diff(now, self._held[0][0]) >= 0:
                _, data, peer = self._held.pop(0)
                return data, peer
            wait = ticks_diff(deadline, now)
            if self._held:
                wait = min(wait, ticks_diff(self._held[0][0], now))
            if wait < 0:
                return None
            got = self._recv(wait)
            if got is not None:
                self._held.append((ticks_add(ticks_ms(), self.delay_ms), got[0], got[1]))

    def _recv(self, timeout_ms):
        if self._again:
            got = self._again.pop()
            self.log.append(("rx", len(got[0])))
            return got
        got = self.inner.recv(timeout_ms)
        if got is None:
            return None
        i = self.rx
        self.rx += 1
        if self.silent_from is not None and i >= self.silent_from:
            return None
        data, peer = got
        if i in self.truncate:
            data = data[: len(data) // 2]
        if i in self.duplicate:
            self._again.append((data, peer))
        self.log.append(("rx", len(data)))
        return data, peer

    def round_trips(self):
        """Exchanges: each run of sends followed by a run of receives."""
        n, last = 0, None
        for d, _ in self.log:
            if d == "rx" and last == "tx":
                n += 1
            last = d
        return n

    def reopen(self):
        self.inner.reopen()

    def close(self):
        self.inner.close()
