# LoRaWAN modems as a datagram link: each CoAP datagram is one LoRaWAN frame on
# the FPort of the server URI lorawan://<FPort>. Class A: a downlink only
# arrives in the receive windows after an uplink, so the LwM2M server queues
# its requests until the device speaks. The modem enforces the duty cycle
# (busy answers); the driver waits and retries, up to busy_wait_ms.
# Dialect facts: ../shared/reference/modems.md.
from lwm2m.compat import const, hexstr, ticks_add, ticks_diff
from lwm2m.modem.at import AtChannel, AtError, AtTimeout, unhex, RUI3_OK, RUI3_ERRORS, RN2483_OK, RN2483_ERRORS

_RX_QUEUE = const(4)
_POLL_STEP_MS = const(100)
# EU868 maximum application payload per data rate (DR0-2 51 B, DR3 115 B, DR4-7 242 B).
_EU868_MAX = b"\x33\x33\x33\x73\xf2\xf2\xf2\xf2"


class LoraModem:
    """What both LoRaWAN drivers share: join state, the busy wait, downlink queue, recv."""

    def __init__(self, at, clock, fport, dr, confirmed, keys, busy_wait_ms, t_join, t_tx):
        self.at = at
        self.clock = clock
        self.fport = fport
        self.dr = dr
        self.mtu = _EU868_MAX[dr]
        self.confirmed = confirmed
        self.keys = keys  # (dev_eui, app_eui, app_key) as hex strings, or None to keep the modem's
        self.busy_wait_ms = busy_wait_ms
        self.t_join, self.t_tx = t_join, t_tx
        self.peer = ("lorawan", fport)
        self.joined = False
        self.busy_waits = 0  # how often the duty cycle held a frame back
        self.rebooted = 0
        self._rx = []

    def _queue(self, port, hexdata):
        if port != self.fport:
            return  # another application's port
        if len(self._rx) >= _RX_QUEUE:
            self._rx.pop(0)
        self._rx.append(unhex(hexdata))

    def send(self, data, peer=None, last=False):
        """One frame; blocks through duty-cycle waits. Raises OSError when it cannot send.
        A modem that forgot its session (reset) is joined again once."""
        if len(data) > self.mtu:
            raise OSError(90)  # EMSGSIZE: the engine must use smaller blocks
        for attempt in (0, 1):
            try:
                if not self.joined:
                    self.join()
                deadline = ticks_add(self.clock.ticks_ms(), self.busy_wait_ms)
                while not self._tx(data):
                    self.busy_waits += 1
                    if ticks_diff(deadline, self.clock.ticks_ms()) <= 0:
                        raise OSError(11)  # EAGAIN: the duty cycle keeps the band closed
                    self.clock.sleep_ms(1000)
                return
            except AtTimeout:
                raise OSError(110)
            except AtError as e:
                if e.args[0] not in (b"AT_NO_NETWORK_JOINED", b"not_joined") or attempt:
                    raise OSError(5)
                self.joined = False

    def recv(self, timeout_ms):
        deadline = ticks_add(self.clock.ticks_ms(), timeout_ms)
        wait = 0
        while True:
            self.at.poll(wait)
            if self._rx:
                return self._rx.pop(0), self.peer
            left = ticks_diff(deadline, self.clock.ticks_ms())
            if left <= 0:
                return None
            wait = min(left, _POLL_STEP_MS)

    def close(self):
        pass


class Rak3172(LoraModem):
    """RAK3172 with RUI3 firmware (AT+ commands, +EVT: events, CRLF)."""

    def __init__(self, uart, clock, fport, dr=0, confirmed=False, keys=None, band=4, busy_wait_ms=600000,
                 t_join=60000, t_tx=30000):
        at = AtChannel(uart, clock, eol=b"\r\n", ok=RUI3_OK, errors=RUI3_ERRORS, urc_prefixes=(b"+EVT:",),
                       on_urc=self._urc)
        LoraModem.__init__(self, at, clock, fport, dr, confirmed, keys, busy_wait_ms, t_join, t_tx)
        self.band = band

    def _urc(self, line):
        # +EVT:RX_1:<rssi>:<snr>:UNICAST:<port>:<hex>  (also RX_2, RX_B, RX_C)
        if line.startswith(b"+EVT:RX_"):
            parts = line.split(b":")
            if len(parts) >= 7:
                self._queue(int(parts[5]), parts[6].decode())

    def join(self):
        at = self.at
        at.cmd("AT+NWM=1")
        at.cmd("AT+NJM=1")
        at.cmd("AT+BAND=%d" % self.band)
        if self.keys:
            at.cmd("AT+DEVEUI=%s" % self.keys[0])
            at.cmd("AT+APPEUI=%s" % self.keys[1])
            at.cmd("AT+APPKEY=%s" % self.keys[2])
        at.cmd("AT+ADR=0")
        at.cmd("AT+DR=%d" % self.dr)
        at.cmd("AT+CFM=%d" % (1 if self.confirmed else 0))
        at.urcs[:] = []
        at.cmd("AT+JOIN")
        line = at.wait_urc(b"+EVT:JOIN", self.t_join)
        if line != b"+EVT:JOINED":
            raise AtError(line or b"+EVT:JOIN timeout")
        self.joined = True

    def _tx(self, data):
        at = self.at
        try:
            at.cmd("AT+SEND=%d:%s" % (self.fport, hexstr(data, True)), self.t_tx)
        except AtError as e:
            if e.args[0] == b"AT_BUSY_ERROR":
                return False
            raise
        # Unconfirmed: TX_DONE once the receive windows closed. Confirmed:
        # SEND_CONFIRMED_OK/_FAILED (older firmware writes them with spaces).
        while True:
            line = at.wait_urc(b"+EVT:", self.t_tx)
            if line is None:
                raise AtTimeout(b"+EVT:TX_DONE")
            line = line.replace(b" ", b"_")
            if line == b"+EVT:TX_DONE" and not self.confirmed or line == b"+EVT:SEND_CONFIRMED_OK":
                return True
            if line == b"+EVT:SEND_CONFIRMED_FAILED":
                raise AtError(line)


class Rn2483(LoraModem):
    """Microchip RN2483 (mac commands, one-line answers, CRLF)."""

    def __init__(self, uart, clock, fport, dr=0, confirmed=False, keys=None, busy_wait_ms=600000,
                 t_join=60000, t_tx=30000):
        at = AtChannel(uart, clock, eol=b"\r\n", ok=RN2483_OK, errors=RN2483_ERRORS,
                       urc_prefixes=(b"mac_", b"accepted", b"RN2483"), on_urc=self._urc)
        LoraModem.__init__(self, at, clock, fport, dr, confirmed, keys, busy_wait_ms, t_join, t_tx)

    def _urc(self, line):
        if line.startswith(b"mac_rx "):
            parts = line.split(b" ")
            if len(parts) == 3:
                self._queue(int(parts[1]), parts[2].decode())
        elif line.startswith(b"RN2483"):  # the boot banner: the modem reset and forgot the session
            if self.joined:
                self.rebooted += 1
            self.joined = False

    def join(self):
        at = self.at
        if self.keys:
            at.cmd("mac set deveui %s" % self.keys[0])
            at.cmd("mac set appeui %s" % self.keys[1])
            at.cmd("mac set appkey %s" % self.keys[2])
        at.cmd("mac set adr off")
        at.cmd("mac set dr %d" % self.dr)
        at.urcs[:] = []
        at.cmd("mac join otaa")
        line = at.wait_urc((b"accepted", b"denied"), self.t_join)
        if line is None:
            raise AtTimeout(b"join")
        if line != b"accepted":
            raise AtError(line)
        self.joined = True

    def _tx(self, data):
        at = self.at
        try:
            at.cmd("mac tx %s %d %s" % ("cnf" if self.confirmed else "uncnf", self.fport, hexstr(data, True)), self.t_tx)
        except AtError as e:
            if e.args[0] in (b"no_free_ch", b"busy"):
                return False
            raise
        line = at.wait_urc(b"mac_", self.t_tx)
        # mac_rx <port> <hex> also means the uplink went out; the URC handler queued the data
        if line is None:
            raise AtTimeout(b"mac_tx_ok")
        if line == b"mac_err":
            raise AtError(line)
        return True
