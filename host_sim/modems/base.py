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
        self._in = bytearray()
        self._raw_left = 0  # >0: the next bytes are data after a prompt
        self._raw_done = None

    # ---- the UART as the driver sees it ---------------------------------
    def write(self, data):
        if not self.powered:
            return len(data)
        self._in.extend(data)
        self._consume()
        return len(data)

    def read(self, n):
        self.poll_network()
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

    # ---- to override -------------------------------------------------------
    def command(self, cmd):
        raise NotImplementedError

    def poll_network(self):
        """Called on each read: pick up datagrams that arrived from the network."""
