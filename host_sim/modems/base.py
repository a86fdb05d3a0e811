"""What every simulated modem shares: timed output, command-line framing,
raw-data entry after a prompt, and power states."""
from lwm2m.compat import ticks_add, ticks_diff


class SimModem:
    eol = b"\r"  # what ends a command from the host

    def __init__(self, clock, net_send=None, latency_ms=20):
        self.clock = clock
        self.net_send = net_send  # net_send(data, (ip, port)): a datagram leaves over the radio
        self.latency_ms = latency_ms
        self.echo = True
        self.powered = True
        self.log = []  # every command line the host sent, decoded
        self._out = []  # [(due_ms, bytes)] in due order
        self._timers = []  # [(due_ms, fn)]: work the modem does later (radio windows)
        self._in = bytearray()
        self._raw_left = 0  # >0: the next bytes are data after a prompt
        self._raw_done = None
        self.fail_sends = 0  # faults on request: the next N sends fail
        self.drop_urcs = 0  # the next N data-arrival URCs are lost
        self.sent = []  # (data, peer, rai) that left over the radio
        self.sockets = {}  # socket id -> {"peer": (ip, port), "rx": [(data, peer)], ...}

    # ---- the UART as the driver sees it ---------------------------------
    def write(self, data):
        if not self.powered:
            return len(data)
        self._in.extend(data)
        self._consume()
        return len(data)

    def later(self, delay_ms, fn):
        """Run fn() once delay_ms have passed (checked whenever the host reads)."""
        self._timers.append((ticks_add(self.clock.ticks_ms(), delay_ms), fn))

    def _run_timers(self):
        now = self.clock.ticks_ms()
        due = [t for t in self._timers if ticks_diff(t[0], now) <= 0]
        if due:
            self._timers = [t for t in self._timers if ticks_diff(t[0], now) > 0]
            due.sort(key=lambda t: ticks_diff(t[0], now))
            for _, fn in due:
                fn()

    def read(self, n):
        self.poll_network()
        self._run_timers()
        now = self.clock.ticks_ms()
        if not self._out or ticks_diff(self._out[0][0], now) > 0:
            return None
        out = bytearray()
        while self._out and ticks_diff(self._out[0][0], now) <= 0 and len(out) < n:
            out.extend(self._out.pop(0)[1])
        if len(out) > n:  # keep the rest for the next read
            self._out.insert(0, (now, bytes(out[n:])))
            out = out[:n]
        return bytes(out)

    # ---- output ---------------------------------------------------------
    def say(self, data, delay_ms=None):
        """Queue bytes for the host after delay_ms (default: the modem's latency)."""
        due = ticks_add(self.clock.ticks_ms(), self.latency_ms if delay_ms is None else delay_ms)
        if self._out and ticks_diff(self._out[-1][0], due) > 0:
            due = self._out[-1][0]  # a UART keeps order
        self._out.append((due, data))

    def line(self, text, delay_ms=None):
        self.say(b"\r\n" + (text.encode() if isinstance(text, str) else text) + b"\r\n", delay_ms)

    # ---- input framing ---------------------------------------------------
    def expect_raw(self, n, done):
        """After a prompt: the next n bytes are data, handed to done(data)."""
        self._raw_left = n
        self._raw_done = done

    def _consume(self):
        while True:
            if self._raw_left:
                if len(self._in) < self._raw_left:
                    return
                data = bytes(self._in[: self._raw_left])
                self._in[: self._raw_left] = b""
                self._raw_left = 0
                self._raw_done(data)
                continue
            i = self._in.find(self.eol)
            if i < 0:
                return
            cmd = bytes(self._in[:i]).strip(b"\r\n")
            self._in[: i + len(self.eol)] = b""
            if not cmd:
                continue
            if self.echo:
                self.say(cmd + b"\r", 0)
            self.log.append(cmd.decode("latin-1"))
            self.command(cmd.decode("latin-1"))

    def ok(self, *lines):
        for text in lines:
            self.line(text)
        self.line("OK")

    def common(self, name, args):
        """The 3GPP commands the +USO* and CA* dialects answer alike (echo,
        CFUN, CEREG?; `self.cfun` is the dialect's). True when handled."""
        if name in ("ATE0", "ATE1"):
            self.echo = name == "ATE1"
        elif name == "AT+CFUN":
            self.cfun = int(args)
        elif name == "AT+CEREG?":
            self.line("+CEREG: 0,%d" % (1 if self.cfun == 1 else 2))
        else:
            return False
        self.ok()
        return True

    # ---- power --------------------------------------------------------------
    def reboot(self):
        """The modem resets itself (brown-out, watchdog, PWRKEY): all state is gone."""
        self.sockets = {}
        self.powered = True
        self.echo = True
        self.reset()

    def pwrkey(self):
        """The board pulses PWRKEY: a modem in PSM or off boots again."""
        if not self.powered:
            self.reboot()

    # ---- the network side -------------------------------------------------------
    def deliver(self, data, peer):
        """A datagram from the network for the socket that talks to peer.
        False when nobody takes it (no such socket, or the radio is off in PSM)."""
        if not self.powered:
            return False
        for sid in sorted(self.sockets):
            sock = self.sockets[sid]
            if sock["peer"] == peer:
                sock["rx"].append((data, peer))
                if self.drop_urcs:
                    self.drop_urcs -= 1
                else:
                    self.announce(sid, sock)
                return True
        return False

    def transmit(self, sid, data, rai=0):
        """The host's datagram leaves over the radio, or fails on request.
        True when it left."""
        if self.fail_sends:
            self.fail_sends -= 1
            return False
        peer = self.sockets[sid]["peer"]
        self.sent.append((data, peer, rai))
        if self.net_send:
            self.net_send(data, peer)
        return True

    # ---- to override -------------------------------------------------------
    def reset(self):
        """Forget the dialect's state after a reboot, and print the boot banner."""

    def announce(self, sid, sock):
        """Tell the host that data arrived on a socket (a URC, or the data itself)."""

    def command(self, cmd):
        raise NotImplementedError

    def poll_network(self):
        """Called on each read: pick up datagrams that arrived from the network."""
