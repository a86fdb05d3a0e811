# Quectel BG96 / BG95 (NB-IoT, LTE-M) as a datagram link: one UDP socket
# (connect id 0) to the LwM2M server. Dialect facts: ../shared/reference/modems.md.
from lwm2m.compat import const
from lwm2m.modem.at import AtChannel, AtError, AtTimeout

_CID = const(0)
_SEND_RETRIES = const(3)
_RX_QUEUE = const(4)  # datagrams kept when the client is slower than the radio
_URCS = (b"+QIURC:", b"+QIOPEN:", b"RDY", b"APP RDY", b"PSM POWER DOWN", b"+CEREG:", b"POWERED DOWN", b"+QIND:")
_RATS = {"m": 0, "nb": 1, "both": 2}


class Bg96:
    """The modem's UDP socket behind the datagram-link interface.

    push: direct-push receive (data inside the URC) instead of buffer mode (+QIRD).
    rai: BG95 release assistance: mark the last datagram of an exchange so the
    network can release the radio connection at once (NB-IoT).
    timeouts: milliseconds for PDN activation / socket open (150 s), send (50 s),
    other commands (5 s), as in the modem's manual.
    """

    mtu = 1460

    def __init__(self, uart, clock, host, port, apn="", rat="nb", push=True, rai=False, psm=None,
                 t_pdn=150000, t_open=150000, t_send=50000, t_cmd=5000, trace=None):
        self.at = AtChannel(uart, clock, urc_prefixes=_URCS, on_urc=self._urc)
        self.clock = clock
        self.host = host
        self.port = port
        self.peer = (host, port)
        self.apn = apn
        self.rat = _RATS[rat]
        self.push = push
        self.rai = rai
        self.psm = psm  # (T3412 bits, T3324 bits) or None
        self.t_pdn, self.t_open, self.t_send, self.t_cmd = t_pdn, t_open, t_send, t_cmd
        self.trace = trace
        self.ready = False  # attached, PDN active, socket open
        self.asleep = False  # in PSM: the next send wakes the modem
        self.rebooted = 0  # RDY seen after bring-up: the modem lost its state
        self._rx = []
        self._unread = False  # buffer mode: data waiting for +QIRD

    # ---- URCs ------------------------------------------------------------
    def _urc(self, line):
        if line == b"RDY":
            if self.ready:
                self.rebooted += 1
            self.ready = False
        elif line == b"PSM POWER DOWN":
            self.ready = False
            self.asleep = True
        elif line.startswith(b'+QIURC: "recv"'):
            parts = line.split(b",")
            if len(parts) >= 3:  # direct push: the data follows the line
                data = self.at.read_raw(int(parts[2]), self.t_cmd)
                self._queue(data)
            else:
                self._unread = True
        elif line.startswith(b'+QIURC: "closed"') or line.startswith(b'+QIURC: "pdpdeact"'):
            self.ready = False

    def _queue(self, data):
        if len(self._rx) >= _RX_QUEUE:
            self._rx.pop(0)
        self._rx.append(data)

    # ---- bring-up ----------------------------------------------------------
    def start(self):
        """Attach, activate the PDN and open the socket. Raises AtError/AtTimeout."""
        at, t = self.at, self.t_cmd
        self.asleep = False
        at.cmd("ATE0", t)
        at.cmd("AT+CMEE=1", t)
        at.cmd('AT+QCFG="iotopmode",%d,1' % self.rat, t)
        if self.psm:
            at.cmd('AT+CPSMS=1,,,"%s","%s"' % self.psm, t)
            at.cmd('AT+QCFG="psm/urc",1', t)
        at.cmd("AT+CFUN=1", t)
        at.cmd("AT+CEREG=2", t)
        self._wait_attach()
        at.cmd('AT+QICSGP=1,1,"%s","","",1' % self.apn, t)
        try:
            at.cmd("AT+QIACT=1", self.t_pdn)
        except AtError as e:
            if not e.args[0].startswith(b"+CME ERROR"):  # already active answers an error
                raise
        self._open()
        self.ready = True

    def _wait_attach(self):
        deadline = self.t_pdn
        while deadline > 0:
            for line in self.at.cmd("AT+CEREG?", self.t_cmd, response=b"+CEREG:"):
                stat = line.split(b",")[1:2]
                if stat in ([b"1"], [b"5"]):
                    return
            self.clock.sleep_ms(1000)
            deadline -= 1000
        raise AtTimeout(b"not registered")

    def _open(self):
        at = self.at
        at.urcs[:] = []
        at.cmd('AT+QIOPEN=1,%d,"UDP","%s",%d,0,%d' % (_CID, self.host, self.port, 1 if self.push else 0), self.t_cmd)
        line = at.wait_urc(b"+QIOPEN:", self.t_open)
        if line is None:
            at.cmd("AT+QICLOSE=%d" % _CID, 12000)
            raise AtTimeout(b"+QIOPEN")
        if line.split(b",")[1].strip() != b"0":
            raise AtError(line)

    # ---- datagram link -------------------------------------------------------
    def send(self, data, peer=None, last=False):
        """Send one datagram; last=True asks for release assistance (BG95 RAI)."""
        if not self.ready:
            self.start()
        n = len(data)
        for attempt in range(_SEND_RETRIES):
            try:
                if self.rai:
                    hexdata = "".join("%02x" % b for b in data)
                    self.at.cmd('AT+QISENDEX=%d,"%s",%d' % (_CID, hexdata, 1 if last else 0), self.t_send)
                else:
                    self.at.cmd("AT+QISEND=%d,%d" % (_CID, n), self.t_send, prompt=b"> ", data=bytes(data))
                return
            except AtTimeout:
                self.ready = False
                raise OSError(110)  # ETIMEDOUT: the modem stopped answering
            except AtError as e:
                if e.args[0] != b"SEND FAIL" or attempt == _SEND_RETRIES - 1:
                    self.ready = False
                    raise OSError(5)  # EIO
                self.clock.sleep_ms(1000)  # buffer full: the radio is still busy

    def recv(self, timeout_ms):
        """One datagram from the server, or None after timeout_ms."""
        if not self._rx:
            self.at.poll(0)
        if not self._rx and self._unread:
            self._read_buffer()
        if not self._rx and timeout_ms > 0:
            deadline = timeout_ms
            while not self._rx and deadline > 0:
                step = min(100, deadline)
                self.at.poll(step)
                deadline -= step
                if self._unread:
                    self._read_buffer()
            if not self._rx and not self.push and self.ready:
                # A buffer-mode "recv" URC can be lost, and the modem sends no
                # other until its buffer is drained: ask once before giving up.
                self._read_buffer()
        if self._rx:
            return self._rx.pop(0), self.peer
        return None

    def _read_buffer(self):
        self._unread = False

        def on_line(line):
            if line.startswith(b"+QIRD: "):
                n = int(line[7:].split(b",")[0])
                if n:
                    self._queue(self.at.read_raw(n, self.t_cmd))
                    self._unread = True  # there may be more: read until +QIRD: 0

        try:
            self.at.cmd("AT+QIRD=%d,1500" % _CID, self.t_send, response=b"+QIRD:", on_line=on_line)
        except AtError:
            self.ready = False

    def close(self):
        if self.ready:
            try:
                self.at.cmd("AT+QICLOSE=%d" % _CID, 12000)
            except AtError:
                pass
        self.ready = False
