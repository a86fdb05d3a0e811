# u-blox SARA-R410M / R5: UDP sockets through +USOCR/+USOST/+USORF in hex mode
# (AT+UDCONF=1,1), so no byte of a datagram is ever taken for framing.
# Dialect facts: ../shared/reference/modems.md.
from lwm2m.compat import const, hexstr
from lwm2m.modem.at import AtError, unhex
from lwm2m.modem.cellular import Cellular

_URCS = (b"+UUSORF:", b"+UUSOCL:", b"+UUPSMR:", b"+CEREG:", b"+UUSORD:")
_HEX_MAX = const(512)


class SaraR4(Cellular):
    mtu = _HEX_MAX

    def __init__(self, uart, clock, host, port, apn="", wake=None,
                 t_pdn=150000, t_open=10000, t_send=10000, t_cmd=5000):
        Cellular.__init__(self, uart, clock, host, port, apn, _URCS, t_pdn, t_open, t_send, t_cmd, wake=wake)
        self.socket = None

    def _urc(self, line):
        if line.startswith(b"+UUSORF:") or line.startswith(b"+UUSORD:"):
            self._unread = True
        elif line.startswith(b"+UUSOCL:"):
            self.ready = False
        elif line == b"+UUPSMR: 1":
            self._entered_psm()

    def start(self):
        at, t = self.at, self.t_cmd
        self._wake_if_asleep()
        at.cmd("ATE0", t)
        at.cmd("AT+CFUN=0", 10000)
        at.cmd("AT+CMEE=1", t)
        at.cmd("AT+UDCONF=1,1", t)
        at.cmd('AT+CGDCONT=1,"IP","%s"' % self.apn, t)
        at.cmd("AT+CFUN=1", 10000)
        at.cmd("AT+COPS=0", self.t_pdn)
        self.wait_attach()
        lines = at.cmd("AT+USOCR=17", self.t_open, response=b"+USOCR:")
        if not lines:
            raise AtError(b"+USOCR")
        self.socket = int(lines[0][7:])
        self.ready = True

    def _send(self, data, last):
        if len(data) > _HEX_MAX:
            raise AtError(b"datagram longer than the hex send takes")
        self.at.cmd('AT+USOST=%d,"%s",%d,%d,"%s"' % (self.socket, self.host, self.port, len(data), hexstr(data, True)),
                    self.t_send, response=b"+USOST:")

    def _fetch(self):
        def on_line(line):
            # +USORF: <s>,"<ip>",<port>,<len>,"<hex>"  (one datagram per read)
            parts = line.split(b",")
            if line.startswith(b"+USORF:") and len(parts) >= 5 and int(parts[3]):
                self._queue(unhex(parts[4].strip(b'"').decode()))
                self._unread = True

        self.at.cmd("AT+USORF=%d,%d" % (self.socket, _HEX_MAX), self.t_send, response=b"+USORF:", on_line=on_line)

    def _close_command(self):
        return "AT+USOCL=%d" % self.socket
