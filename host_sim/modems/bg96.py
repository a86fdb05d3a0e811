"""A Quectel BG96/BG95 that speaks its dialect byte for byte (modems.md) and
carries UDP datagrams to and from a network, with faults on request:
SEND FAIL, a dropped URC, a reboot, PSM entry."""
import re

from host_sim.modems.base import SimModem
from lwm2m.compat import ticks_add, ticks_diff


class Bg96Sim(SimModem):
    revision = "BG96MAR02A07M1G"

    def __init__(self, clock, net_send=None, attach_ms=2000, open_ms=300, bg95=False, **kw):
        SimModem.__init__(self, clock, net_send, **kw)
        self.attach_ms = attach_ms
        self.open_ms = open_ms
        self.bg95 = bg95
        self.psm_urc = False
        self.reset(banner=False)

    def reset(self, banner=True):
        self.cfun = 0
        self.registered = False
        self.pdp = False
        if banner:
            self.line("RDY", 500)
            self.line("APP RDY", 1500)

    def enter_psm(self):
        self.sockets.clear()
        self.pdp = self.registered = False
        if self.psm_urc:
            self.line("PSM POWER DOWN", 0)
        self.powered = False

    def announce(self, cid, sock):
        if sock["push"]:
            data, p = sock["rx"].pop(0)
            head = '+QIURC: "recv",%d,%d' % (cid, len(data))
            self.say(b"\r\n" + head.encode() + b"\r\n" + data)
        elif len(sock["rx"]) == 1:  # buffer mode: one URC until drained
            self.line('+QIURC: "recv",%d' % cid)

    # ---- commands ----------------------------------------------------------------
    def command(self, cmd):
        up = cmd.upper()
        name, _, args = up.partition("=")
        handler = _COMMANDS.get(name)
        if handler is None:
            self.line("ERROR")
            return
        raw_args = cmd.partition("=")[2]
        handler(self, raw_args, up)

    def _plain_ok(self, args, cmd):
        self.ok()

    def _qcfg(self, args, cmd):
        if args.replace(" ", "") == '"psm/urc",1':
            self.psm_urc = True
        self.ok()

    def _ate(self, args, cmd):
        self.echo = cmd.endswith("1")
        self.ok()

    def _cgmr(self, args, cmd):
        self.ok(self.revision)

    def _csq(self, args, cmd):
        self.ok("+CSQ: 20,99")

    def _cfun(self, args, cmd):
        self.cfun = int(args or 0)
        self.ok()
        if self.cfun == 1:
            self.registered = True  # visible to CEREG? after attach_ms
            self._attached_at = ticks_add(self.clock.ticks_ms(), self.attach_ms)
        else:
            self.registered = self.pdp = False

    def _cereg(self, args, cmd):
        if cmd.endswith("?"):
            attached = self.registered and ticks_diff(self.clock.ticks_ms(), self._attached_at) >= 0
            self.ok("+CEREG: 2,%d" % (1 if attached else 2))
        else:
            self.ok()

    def _qiact(self, args, cmd):
        if cmd.endswith("?"):
            self.ok('+QIACT: 1,1,1,"10.0.0.2"' if self.pdp else "")
            return
        if not self.registered or self.pdp:
            self.line("+CME ERROR: 50" if not self.registered else "ERROR")
            return
        self.pdp = True
        self.line("OK", 800)

    def _qiopen(self, args, cmd):
        m = re.match(r'1,(\d+),"UDP","([^"]+)",(\d+),0,(\d)', args)
        if not m:
            self.line("ERROR")
            return
        cid = int(m.group(1))
        self.ok()
        if not self.pdp:
            self.line("+QIOPEN: %d,561" % cid, self.open_ms)
            return
        self.sockets[cid] = {"peer": (m.group(2), int(m.group(3))), "push": m.group(4) == "1", "rx": []}
        self.line("+QIOPEN: %d,0" % cid, self.open_ms)

    def _qisend(self, args, cmd):
        parts = args.split(",")
        cid, n = int(parts[0]), int(parts[1])
        if cid not in self.sockets or not 0 < n <= 1460:
            self.line("ERROR")
            return
        self.say(b"> ")
        self.expect_raw(n, lambda data: self._sent(cid, data, 0))

    def _qisendex(self, args, cmd):
        m = re.match(r'(\d+),"([0-9A-Fa-f]*)"(?:,(\d))?$', args)
        if not m or int(m.group(1)) not in self.sockets or len(m.group(2)) > 1024 or len(m.group(2)) % 2:
            self.line("ERROR")
            return
        if m.group(3) and not self.bg95:
            self.line("ERROR")  # RAI is a BG95 feature
            return
        self._sent(int(m.group(1)), bytes.fromhex(m.group(2)), int(m.group(3) or 0))

    def _sent(self, cid, data, rai):
        self.line("SEND OK" if self.transmit(cid, data, rai) else "SEND FAIL")

    def _qird(self, args, cmd):
        parts = args.split(",")
        cid = int(parts[0])
        sock = self.sockets.get(cid)
        if sock is None:
            self.line("ERROR")
            return
        if not sock["rx"]:
            self.ok("+QIRD: 0")
            return
        data, peer = sock["rx"].pop(0)
        head = '+QIRD: %d,"%s",%d' % (len(data), peer[0], peer[1])
        self.say(b"\r\n" + head.encode() + b"\r\n" + data + b"\r\n\r\nOK\r\n")

    def _qiclose(self, args, cmd):
        self.sockets.pop(int(args or 0), None)
        self.ok()


_COMMANDS = {
    "AT": Bg96Sim._plain_ok,
    "ATE0": Bg96Sim._ate,
    "ATE1": Bg96Sim._ate,
    "AT+CMEE": Bg96Sim._plain_ok,
    "AT+QCFG": Bg96Sim._qcfg,
    "AT+CPSMS": Bg96Sim._plain_ok,
    "AT+CGMR": Bg96Sim._cgmr,
    "AT+CSQ": Bg96Sim._csq,
    "AT+CFUN": Bg96Sim._cfun,
    "AT+CEREG": Bg96Sim._cereg,
    "AT+CEREG?": Bg96Sim._cereg,
    "AT+QICSGP": Bg96Sim._plain_ok,
    "AT+QIACT": Bg96Sim._qiact,
    "AT+QIACT?": Bg96Sim._qiact,
    "AT+QIOPEN": Bg96Sim._qiopen,
    "AT+QISEND": Bg96Sim._qisend,
    "AT+QISENDEX": Bg96Sim._qisendex,
    "AT+QIRD": Bg96Sim._qird,
    "AT+QICLOSE": Bg96Sim._qiclose,
}
