# SIMCom SIM7080G (LTE-M / NB-IoT): one UDP socket (cid 0) through the CA*
# command set. Dialect facts: ../shared/reference/modems.md.
from lwm2m.compat import const
from lwm2m.modem.at import AtError, AtTimeout
from lwm2m.modem.cellular import Cellular

_CID = const(0)
_URCS = (b"+CADATAIND:", b"+CASTATE:", b"+APP PDP:", b"+CPSMSTATUS:", b"+CEREG:", b"RDY", b"NORMAL POWER DOWN")
_RATS = {"m": 1, "nb": 2, "both": 3}


class Sim7080(Cellular):
    mtu = 1460

    def __init__(self, uart, clock, host, port, apn="", rat="nb", psm=None, wake=None,
                 t_pdn=150000, t_open=150000, t_send=50000, t_cmd=5000):
        Cellular.__init__(self, uart, clock, host, port, apn, _URCS, t_pdn, t_open, t_send, t_cmd,
                          inline_data=(b"+CARECV: ",), wake=wake)
        self.rat = _RATS[rat]
        self.psm = psm

    def _urc(self, line):
        if line == b"RDY":
            self._lost_state()
        elif line.startswith(b"+CADATAIND:"):
            self._unread = True
        elif line.startswith(b"+CASTATE:") and line.endswith(b",0"):
            self.ready = False  # the socket was closed under us
        elif line.startswith(b"+APP PDP:") and line.endswith(b"DEACTIVE"):
            self.ready = False
        elif line == b'+CPSMSTATUS: "ENTER PSM"':
            self._entered_psm()

    def start(self):
        at, t = self.at, self.t_cmd
        self._wake_if_asleep()
        for _ in range(10):  # autobaud: repeat AT until the modem locks on
            try:
                at.cmd("AT", 500)
                break
            except AtTimeout:
                pass
        at.cmd("ATE0", t)
        at.cmd("AT+CMEE=1", t)
        at.cmd("AT+CNMP=38", t)
        at.cmd("AT+CMNB=%d" % self.rat, t)
        if self.psm:
            at.cmd('AT+CPSMS=1,,,"%s","%s"' % self.psm, t)
            at.cmd("AT+CPSMSTATUS=1", t)
        at.cmd("AT+CFUN=1", t)
        self.wait_attach()
        at.cmd('AT+CNCFG=0,1,"%s"' % self.apn, t)
        at.urcs[:] = []
        try:
            at.cmd("AT+CNACT=0,1", t)
            line = at.wait_urc(b"+APP PDP: 0,", self.t_pdn)
            if line is None or not line.endswith(b"ACTIVE") or line.endswith(b"DEACTIVE"):
                raise AtTimeout(b"+APP PDP")
        except AtError as e:
            if e.args[0] != b"ERROR":  # plain ERROR: already active
                raise
        lines = at.cmd('AT+CAOPEN=%d,0,"UDP","%s",%d' % (_CID, self.host, self.port), self.t_open, response=b"+CAOPEN:")
        if not lines or lines[0].split(b",")[1].strip() != b"0":
            raise AtError(lines[0] if lines else b"+CAOPEN")
        self.ready = True

    def _send(self, data, last):
        self.at.cmd("AT+CASEND=%d,%d" % (_CID, len(data)), self.t_send, prompt=b"> ", data=bytes(data))

    def _fetch(self):
        def on_line(line):
            if line.startswith(b"+CARECV: "):
                comma = line.find(b",")
                if comma > 0:
                    self._queue(line[comma + 1 :])
                    self._unread = True  # more may wait: read until +CARECV: 0

        self.at.cmd("AT+CARECV=%d,1460" % _CID, self.t_send, response=b"+CARECV:", on_line=on_line)

    def _close_command(self):
        return "AT+CACLOSE=%d" % _CID
