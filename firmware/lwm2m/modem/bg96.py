# Quectel BG96 / BG95 (NB-IoT, LTE-M): one UDP socket (connect id 0) to the
# LwM2M server. Dialect facts: ../shared/reference/modems.md.
from lwm2m.compat import const
from lwm2m.modem.at import AtError, AtTimeout
from lwm2m.modem.cellular import Cellular

_CID = const(0)
_SEND_RETRIES = const(3)
_URCS = (b"+QIURC:", b"+QIOPEN:", b"RDY", b"APP RDY", b"PSM POWER DOWN", b"+CEREG:", b"POWERED DOWN", b"+QIND:")
_RATS = {"m": 0, "nb": 1, "both": 2}


def _rai(data, last):
    """Release assistance for one datagram: 1 (no further data) when the
    caller says it is the last (lwm2m.link.release), 2 (one reply expected)
    for a CON, read from its CoAP header; else 0 (nothing known)."""
    if last:
        return 1
    return 2 if data and (data[0] >> 4) & 3 == 0 else 0


class Bg96(Cellular):
    """push: direct-push receive (data inside the URC) instead of buffer mode (+QIRD).
    rai: BG95 release assistance (NB-IoT): each datagram tells the network
    whether a reply is expected (2: a CON), nothing more (1: send(last=True))
    or nothing is known (0), so it can release the radio connection early.
    psm: (T3412, T3324) bit strings to request PSM with, or None.
    wake: the board's PWRKEY pulse, called to bring the modem out of PSM.
    Timeouts in ms as in Quectel's manual: PDN 150 s, open 150 s, send 50 s, other 5 s."""

    mtu = 1460

    def __init__(self, uart, clock, host, port, apn="", rat="nb", push=True, rai=False, psm=None, wake=None,
                 t_pdn=150000, t_open=150000, t_send=50000, t_cmd=5000):
        Cellular.__init__(self, uart, clock, host, port, apn, _URCS, t_pdn, t_open, t_send, t_cmd, wake=wake)
        self.rat = _RATS[rat]
        self.push = push
        self.rai = rai
        self.psm = psm

    def _urc(self, line):
        if line == b"RDY":
            self._lost_state()
        elif line == b"PSM POWER DOWN":
            self._entered_psm()
        elif line.startswith(b'+QIURC: "recv"'):
            parts = line.split(b",")
            if len(parts) >= 3:  # direct push: the data follows the line
                self._queue(self.at.read_raw(int(parts[2]), self.t_cmd))
            else:
                self._unread = True
        elif line.startswith(b'+QIURC: "closed"') or line.startswith(b'+QIURC: "pdpdeact"'):
            self.ready = False

    def start(self):
        at, t = self.at, self.t_cmd
        if self.asleep and self.wake:
            self._wake_if_asleep()
            at.wait_urc(b"APP RDY", 10000)  # boot after PWRKEY
        self.asleep = False
        at.cmd("ATE0", t)
        at.cmd("AT+CMEE=1", t)
        at.cmd('AT+QCFG="iotopmode",%d,1' % self.rat, t)
        if self.psm:
            at.cmd('AT+CPSMS=1,,,"%s","%s"' % self.psm, t)
            at.cmd('AT+QCFG="psm/urc",1', t)
        at.cmd("AT+CFUN=1", t)
        at.cmd("AT+CEREG=2", t)
        self.wait_attach()
        at.cmd('AT+QICSGP=1,1,"%s","","",1' % self.apn, t)
        try:
            at.cmd("AT+QIACT=1", self.t_pdn)
        except AtError as e:
            if not e.args[0].startswith(b"ERROR"):  # plain ERROR: already active
                raise
        at.urcs[:] = []
        at.cmd('AT+QIOPEN=1,%d,"UDP","%s",%d,0,%d' % (_CID, self.host, self.port, 1 if self.push else 0), t)
        line = at.wait_urc(b"+QIOPEN:", self.t_open)
        if line is None:
            at.cmd("AT+QICLOSE=%d" % _CID, 12000)
            raise AtTimeout(b"+QIOPEN")
        if line.split(b",")[1].strip() != b"0":
            raise AtError(line)
        self.ready = True

    def _send(self, data, last):
        for attempt in range(_SEND_RETRIES):
            try:
                if self.rai:
                    hexdata = "".join("%02x" % b for b in data)
                    self.at.cmd('AT+QISENDEX=%d,"%s",%d' % (_CID, hexdata, _rai(data, last)), self.t_send)
                else:
                    self.at.cmd("AT+QISEND=%d,%d" % (_CID, len(data)), self.t_send, prompt=b"> ", data=bytes(data))
                return
            except AtError as e:
                if e.args[0] != b"SEND FAIL" or attempt == _SEND_RETRIES - 1:
                    raise
                self.clock.sleep_ms(1000)  # buffer full: the radio is still busy

    def _fetch(self):
        def on_line(line):
            if line.startswith(b"+QIRD: "):
                n = int(line[7:].split(b",")[0])
                if n:
                    self._queue(self.at.read_raw(n, self.t_cmd))
                    self._unread = True  # there may be more: read until +QIRD: 0

        self.at.cmd("AT+QIRD=%d,1500" % _CID, self.t_send, response=b"+QIRD:", on_line=on_line)

    def _last_chance(self):
        # A buffer-mode "recv" URC can be lost, and the modem sends no other
        # until its buffer is drained: ask once before giving up.
        if not self.push:
            self._fetch()

    def _close_command(self):
        return "AT+QICLOSE=%d" % _CID
