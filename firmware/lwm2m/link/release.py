# Release assistance (3GPP RAI) over any datagram link: the datagrams one step
# of the client produces are held until the step ends; then they go out and,
# when nothing more is expected (no exchange waiting for an answer), the last
# one carries last=True (links whose send takes it: the cellular and LoRaWAN
# drivers), or link.release() is called (links with such a hook), so the
# modem can drop the radio connection at once instead of idling through the
# network's inactivity timer.


class ReleaseLink:
    def __init__(self, link, takes_last=False, on_release=None):
        """takes_last: link.send(data, peer, last) is supported.
        on_release(): told when the radio may be released (energy models)."""
        self.link = link
        self.takes_last = takes_last
        self.on_release = on_release
        self.mtu = getattr(link, "mtu", 1152)
        self.peer = getattr(link, "peer", None)
        self._out = []
        self._held = False  # datagrams went out since the last release
        self.releases = 0
        self.dropped = 0  # datagrams a failed send (no DTLS session, no network) lost
        self.last_error = None

    def send(self, data, peer=None):
        self._out.append((bytes(data), peer))

    def recv(self, timeout_ms):
        return self.link.recv(timeout_ms)

    def close(self):
        self.flush(False)
        self.link.close()

    def flush(self, release):
        """Send what the step produced; release: nothing more is expected."""
        out, self._out = self._out, []
        n = len(out)
        for i in range(n):
            data, peer = out[i]
            try:
                if release and i == n - 1 and self.takes_last:
                    self.link.send(data, peer, True)
                else:
                    self.link.send(data, peer)
            except OSError as e:
                # Lost as on the air: CoAP retransmits a CON, the client's
                # loop must go on. The rest would fail the same way (a DTLS
                # link would block in one more handshake for each).
                self.dropped += n - i
                self.last_error = e
                break
        if n:
            self._held = True
        if release and self._held:
            # also after an answer came in and nothing more went out (the
            # ACK to our Update): links with a release hook drop the radio now
            self._held = False
            hook = getattr(self.link, "release", None)
            if hook is not None:
                hook()
            self.releases += 1
            if self.on_release is not None:
                self.on_release()
