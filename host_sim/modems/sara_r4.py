"""A u-blox SARA-R410M speaking its +USO* dialect in hex mode (modems.md)."""
import re

from host_sim.modems.base import SimModem


class SaraR4Sim(SimModem):
    def __init__(self, clock, net_send=None, **kw):
        SimModem.__init__(self, clock, net_send, **kw)
        self.reset(banner=False)

    def reset(self, banner=True):
        self.cfun = 1
        self.hex_mode = False
        if banner:
            self.line("+UUPSMR: 0", 800)  # what some variants print when they come back

    def enter_psm(self):
        self.sockets.clear()
        self.line("+UUPSMR: 1", 0)
        self.powered = False

    def announce(self, s, sock):
        self.line("+UUSORF: %d,%d" % (s, len(sock["rx"][-1][0])))

    def command(self, cmd):
        name, _, args = cmd.partition("=")
        name = name.upper()
        if name in ("AT", "AT+CMEE", "AT+CGDCONT", "AT+COPS"):
            self.ok()
        elif self.common(name, args):
            pass
        elif name == "AT+UDCONF":
            self.hex_mode = args == "1,1"
            self.ok()
        elif name == "AT+USOCR":
            s = 0
            while s in self.sockets:
                s += 1
            if s > 6 or not args.startswith("17"):
                self.line("+CME ERROR: 3")
                return
            self.sockets[s] = {"rx": [], "peer": None}
            self.ok("+USOCR: %d" % s)
        elif name == "AT+USOST":
            m = re.match(r'(\d+),"([^"]+)",(\d+),(\d+),"([0-9A-Fa-f]*)"$', args)
            if not m or not self.hex_mode or int(m.group(1)) not in self.sockets:
                self.line("ERROR")
                return
            s, n, data = int(m.group(1)), int(m.group(4)), bytes.fromhex(m.group(5))
            self.sockets[s]["peer"] = (m.group(2), int(m.group(3)))  # it receives only once it has sent
            if n != len(data) or n > 512 or not self.transmit(s, data):
                self.line("+CME ERROR: 4")
                return
            self.ok("+USOST: %d,%d" % (s, n))
        elif name == "AT+USORF":
            s = int(args.split(",")[0])
            sock = self.sockets.get(s)
            if sock is None:
                self.line("ERROR")
            elif not sock["rx"]:
                self.ok("+USORF: %d,0" % s)
            else:
                data, peer = sock["rx"].pop(0)
                self.ok('+USORF: %d,"%s",%d,%d,"%s"' % (s, peer[0], peer[1], len(data), data.hex().upper()))
        elif name == "AT+USOCL":
            self.sockets.pop(int(args), None)
            self.ok()
        else:
            self.line("ERROR")
