"""A SIMCom SIM7080G speaking its CA* dialect (modems.md), with faults on request."""
import re

from host_sim.modems.base import SimModem


class Sim7080Sim(SimModem):
    def __init__(self, clock, net_send=None, pdp_ms=500, **kw):
        SimModem.__init__(self, clock, net_send, **kw)
        self.pdp_ms = pdp_ms
        self.autobaud_ats = 2  # the first N "AT" get no answer while the modem locks on
        self.reset(banner=False)

    def reset(self, banner=True):
        self.cfun = 0
        self.pdp = False
        if banner:
            self.line("RDY", 500)

    def enter_psm(self):
        self.sockets.clear()
        self.pdp = False
        self.line('+CPSMSTATUS: "ENTER PSM"', 0)
        self.powered = False

    def announce(self, cid, sock):
        self.line("+CADATAIND: %d" % cid)

    def command(self, cmd):
        up = cmd.upper()
        if up == "AT" and self.autobaud_ats:
            self.autobaud_ats -= 1
            return
        name, _, args = cmd.partition("=")
        name = name.upper()
        if name in ("AT", "AT+CMEE", "AT+CNMP", "AT+CMNB", "AT+CPSMS", "AT+CPSMSTATUS", "AT+CNCFG", "AT+CGATT?"):
            self.ok()
        elif self.common(name, args):
            pass
        elif name == "AT+CNACT":
            if self.pdp:
                self.line("ERROR")
                return
            self.ok()
            if self.cfun == 1:
                self.pdp = True
                self.line("+APP PDP: 0,ACTIVE", self.pdp_ms)
            else:
                self.line("+APP PDP: 0,DEACTIVE", self.pdp_ms)
        elif name == "AT+CAOPEN":
            m = re.match(r'(\d+),0,"UDP","([^"]+)",(\d+)$', args)
            if not m or not self.pdp:
                self.ok("+CAOPEN: %s,1" % (m.group(1) if m else 0))
                return
            cid = int(m.group(1))
            self.sockets[cid] = {"peer": (m.group(2), int(m.group(3))), "rx": []}
            self.ok("+CAOPEN: %d,0" % cid)
        elif name == "AT+CASEND":
            cid, n = [int(x) for x in args.split(",")]
            if cid not in self.sockets or not 0 < n <= 1460:
                self.line("ERROR")
                return
            self.say(b"> ")
            self.expect_raw(n, lambda data: self._sent(cid, data))
        elif name == "AT+CARECV":
            cid = int(args.split(",")[0])
            sock = self.sockets.get(cid)
            if sock is None:
                self.line("ERROR")
            elif not sock["rx"]:
                self.ok("+CARECV: 0")
            else:
                data, _ = sock["rx"].pop(0)
                self.say(b"\r\n+CARECV: %d," % len(data) + data + b"\r\n\r\nOK\r\n")
        elif name == "AT+CACLOSE":
            self.sockets.pop(int(args), None)
            self.ok()
        else:
            self.line("ERROR")

    def _sent(self, cid, data):
        if self.transmit(cid, data):
            self.ok()
        else:
            self.line("ERROR")
