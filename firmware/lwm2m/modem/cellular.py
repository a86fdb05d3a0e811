# What the cellular drivers (BG96/BG95, SIM7080G, SARA-R4) share: the AT
# channel, the attach wait, a small queue of received datagrams, and recv()
# on top of a driver's own way of fetching data. A driver is a datagram link
# (docs/design.md) to one server over the modem's UDP socket.
from lwm2m.compat import const, ticks_add, ticks_diff
from lwm2m.modem.at import AtChannel, AtError, AtTimeout

_RX_QUEUE = const(4)  # datagrams kept when the client is slower than the radio
_POLL_STEP_MS = const(100)


class Cellular:
    mtu = 1024  # per driver: the largest datagram its send command takes

    def __init__(self, uart, clock, host, port, apn, urc_prefixes, t_pdn, t_open, t_send, t_cmd, inline_data=(),
                 wake=None):
        self.at = AtChannel(uart, clock, urc_prefixes=urc_prefixes, on_urc=self._urc, inline_data=inline_data)
        self.clock = clock
        self.host = host
        self.port = port
        self.peer = (host, port)
        self.apn = apn
        self.t_pdn, self.t_open, self.t_send, self.t_cmd = t_pdn, t_open, t_send, t_cmd
        self.ready = False  # attached, PDN active, socket open
        self.asleep = False  # in PSM: the next send wakes the modem
        self.rebooted = 0  # boot banners seen after bring-up: the modem lost its state
        self.wake = wake  # the board's PWRKEY pulse: brings the modem out of PSM
        self._rx = []
        self._unread = False  # data announced but not yet fetched

    # ---- hooks a driver fills in ------------------------------------------------
    def start(self):
        raise NotImplementedError

    def _send(self, data, last):
        raise NotImplementedError

    def _fetch(self):
        """Read announced data from the modem into the queue (with _queue)."""

    def _urc(self, line):
        pass

    def _close_command(self):
        """The AT command that closes the driver's socket."""
        raise NotImplementedError

    # ---- shared ---------------------------------------------------------------------
    def _wake_if_asleep(self):
        if self.asleep and self.wake:
            self.wake()
        self.asleep = False

    def _entered_psm(self):
        self.ready = False
        self.asleep = True

    def _lost_state(self):
        if self.ready:
            self.rebooted += 1
        self.ready = False

    def _queue(self, data):
        if len(self._rx) >= _RX_QUEUE:
            self._rx.pop(0)
        self._rx.append(data)

    def wait_attach(self, registered=(b"1", b"5")):
        """Poll AT+CEREG? until home or roaming registration, for t_pdn ms."""
        waited = 0
        while waited < self.t_pdn:
            for line in self.at.cmd("AT+CEREG?", self.t_cmd, response=b"+CEREG:"):
                parts = line.split(b",")
                if len(parts) > 1 and parts[1].strip() in registered:
                    return
            self.clock.sleep_ms(1000)
            waited += 1000
        raise AtTimeout(b"not registered")

    def send(self, data, peer=None, last=False):
        """Send one datagram; last=True tells the modem no more traffic is expected
        (release assistance) where the driver supports it. Raises OSError.

        A modem that lost its socket without telling us (a silent reboot, a
        closed PDN) fails the send: bring it up again once and resend."""
        for attempt in (0, 1):
            try:
                if not self.ready:
                    self.start()
                self._send(data, last)
                return
            except AtTimeout:
                self.ready = False
                raise OSError(110)  # ETIMEDOUT: the modem stopped answering
            except AtError:
                self.ready = False
                if attempt:
                    raise OSError(5)  # EIO

    def recv(self, timeout_ms):
        """One datagram from the server as (data, peer), or None after timeout_ms."""
        deadline = ticks_add(self.clock.ticks_ms(), timeout_ms)
        wait = 0
        while True:
            try:
                self.at.poll(wait)  # dispatches URCs; direct-push data lands in the queue
                if self._unread and self.ready and not self._rx:
                    self._unread = False
                    self._fetch()
            except AtError:
                self.ready = False
            if self._rx:
                return self._rx.pop(0), self.peer
            left = ticks_diff(deadline, self.clock.ticks_ms())
            if left <= 0:
                try:
                    if self.ready:
                        self._last_chance()
                except AtError:
                    self.ready = False
                return (self._rx.pop(0), self.peer) if self._rx else None
            wait = min(left, _POLL_STEP_MS)

    def _last_chance(self):
        """Before recv gives up: drivers whose data URC can be lost fetch once."""

    def close(self):
        if self.ready:
            try:
                self.at.cmd(self._close_command(), 12000)
            except AtError:
                pass
        self.ready = False
