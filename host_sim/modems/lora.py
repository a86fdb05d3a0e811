"""RAK3172 (RUI3) and RN2483 simulators on a Class A network server: the modem
enforces the duty cycle and the payload limit of its data rate, sends the
frame, opens RX1 one second after it and takes at most one downlink."""
import re

from host_sim.lorawan import EU868_MAX_PAYLOAD, EU868_SF, JOIN_ACCEPT_DELAY_MS, RX1_DELAY_MS, RX2_DELAY_MS
from host_sim.lorawan import DutyCycle, airtime_ms
from host_sim.modems.base import SimModem
from lwm2m.compat import ticks_diff


class LoraSim(SimModem):
    eol = b"\r\n"

    def __init__(self, clock, ns, dev_eui="0004A30B001C0530", join_ok=True, duty=0.01,
                 join_ms=JOIN_ACCEPT_DELAY_MS, rx1_ms=RX1_DELAY_MS, rx2_ms=RX2_DELAY_MS, **kw):
        SimModem.__init__(self, clock, None, **kw)
        self.ns = ns
        self.dev_eui = dev_eui
        self.join_ok = join_ok
        self.band = DutyCycle(clock, duty)
        self.join_ms, self.rx1_ms, self.rx2_ms = join_ms, rx1_ms, rx2_ms
        self.last_fport = 1
        self.held_since = None  # ticks when the duty cycle first held the host's frame back
        self.held_ms = 0  # total time host frames waited for the duty cycle
        self.flushes = 0  # empty uplinks sent because of FPending
        self.fpending = False  # the last downlink the modem received had FPending set
        self.flush_due = False  # a flush waits for the duty cycle (one at a time)
        self.reset(banner=False)

    def deliver(self, data, peer):
        """A datagram from the LwM2M server: the network server holds it for the next RX window."""
        self.ns.queue_downlink(self.dev_eui, self.last_fport, data)
        return True

    def reset(self, banner=True):
        self.echo = False
        self.joined = False
        self.dr = 0
        self.confirmed = False
        self.tx_pending = False

    def enter_psm(self):  # LoRaWAN modems sleep without losing the session
        pass

    def frame(self, fport, data, done):
        """Send one uplink if the band and the data rate allow; done(downlink or None) after RX2.
        fport None: an empty frame (no FPort, no payload) that only opens the receive windows."""
        if len(data) > EU868_MAX_PAYLOAD[self.dr]:
            return "too long"
        if self.tx_pending or not self.band.is_open():
            if fport is not None and self.held_since is None:
                self.held_since = self.clock.ticks_ms()
            return "busy"
        if fport is not None and self.held_since is not None:
            self.held_ms += ticks_diff(self.clock.ticks_ms(), self.held_since)
            self.held_since = None
        t = airtime_ms(len(data), EU868_SF[self.dr])
        self.band.used(t)
        self.tx_pending = True
        if fport is not None:
            self.last_fport = fport
            self.sent.append((data, ("lorawan", fport), 0))
        self.ns.uplink(self.dev_eui, fport, data, self.dr)

        def rx1():
            down = self.ns.take_downlink(self.dev_eui)
            self.later(self.rx2_ms - self.rx1_ms, lambda: finish(down))

        def finish(down):
            self.tx_pending = False
            # FPending travels in the downlink: a lost one (or none) tells the
            # modem nothing, and any uplink, the host's too, was the one it asked for.
            self.fpending = down is not None and self.ns.pending(self.dev_eui)
            done(down)
            if self.fpending and not self.flush_due:
                self._flush()

        self.later(int(t) + self.rx1_ms, rx1)
        return None

    def _flush(self):
        # FPending: more downlinks wait. Like LoRaMac-node's Class A
        # application, the modem sends an empty uplink as soon as the duty
        # cycle allows, to open another receive window (an assumption of this
        # simulator: RUI3 and the RN2483 do not report FPending to the host).
        # One such uplink at a time, and none once an uplink of the host's
        # (whose windows answered the FPending) went first.
        self.flush_due = False
        if not self.fpending:
            return
        if self.frame(None, b"", self._flushed) is not None:
            wait = ticks_diff(self.band.free_at, self.clock.ticks_ms()) if self.band.free_at is not None else 0
            self.flush_due = True
            self.later(max(wait, 10), self._flush)
        else:
            self.flushes += 1

    def _flushed(self, down):
        if down:
            self.rx_event(down[0], down[1])

    def _tx_done(self, down):
        if down:
            self.rx_event(down[0], down[1])
        self.tx_event()

    def rx_event(self, fport, data):
        """The downlink as the host sees it."""

    def tx_event(self):
        """The end of an uplink the host asked for, as the host sees it."""

    def join(self, done):
        self.later(self.join_ms, lambda: (setattr(self, "joined", self.join_ok), done(self.join_ok)))


class Rak3172Sim(LoraSim):
    """RUI3: AT+X=<v> set, AT+X=? read; errors AT_*; events +EVT:."""

    def command(self, cmd):
        name, _, arg = cmd.partition("=")
        name = name.upper()
        if name in ("AT", "AT+NWM", "AT+NJM", "AT+BAND", "AT+DEVEUI", "AT+APPEUI", "AT+APPKEY", "AT+ADR"):
            self.line("OK", 5)
        elif name == "AT+DR" and arg != "?":
            self.dr = int(arg)
            self.line("OK", 5)
        elif name == "AT+CFM":
            self.confirmed = arg == "1"
            self.line("OK", 5)
        elif name == "AT+NJS":
            self.line("AT+NJS=%d" % self.joined, 5)
            self.line("OK", 5)
        elif name == "AT+JOIN":
            self.line("OK", 5)
            self.join(lambda ok: self.line("+EVT:JOINED" if ok else "+EVT:JOIN FAILED", 0))
        elif name == "AT+SEND":
            m = re.match(r"(\d+):([0-9A-Fa-f]*)$", arg)
            if not m or len(m.group(2)) % 2 or not 1 <= int(m.group(1)) <= 223:
                self.line("AT_PARAM_ERROR", 5)
                return
            if not self.joined:
                self.line("AT_NO_NETWORK_JOINED", 5)
                return
            fport = int(m.group(1))
            why = self.frame(fport, bytes.fromhex(m.group(2)), self._tx_done)
            if why:
                self.line("AT_BUSY_ERROR" if why == "busy" else "AT_PARAM_ERROR", 5)
                return
            self.line("OK", 5)
        else:
            self.line("AT_COMMAND_NOT_FOUND", 5)

    def rx_event(self, fport, data):
        self.line("+EVT:RX_1:-70:8:UNICAST:%d:%s" % (fport, data.hex().upper()), 0)

    def tx_event(self):
        self.line("+EVT:SEND_CONFIRMED_OK" if self.confirmed else "+EVT:TX_DONE", 0)


class Rn2483Sim(LoraSim):
    """RN2483: mac/sys commands, one-line answers, second answers later."""

    def reset(self, banner=True):
        LoraSim.reset(self, banner)
        if banner:
            self.line("RN2483 1.0.5 Oct 31 2018 15:06:52", 100)

    def command(self, cmd):
        words = cmd.split(" ")
        if words[:2] == ["sys", "get"] and words[2:] == ["ver"]:
            self.line("RN2483 1.0.5 Oct 31 2018 15:06:52", 5)
        elif words[:2] == ["mac", "set"] and len(words) == 4:
            if words[2] == "dr":
                self.dr = int(words[3])
            self.line("ok", 5)
        elif words == ["mac", "join", "otaa"]:
            self.line("ok", 5)
            self.join(lambda ok: self.line("accepted" if ok else "denied", 0))
        elif words[:2] == ["mac", "tx"] and len(words) == 5 and words[2] in ("cnf", "uncnf"):
            if not self.joined:
                self.line("not_joined", 5)
                return
            if len(words[4]) % 2 or not re.match(r"^[0-9A-Fa-f]*$", words[4]):
                self.line("invalid_param", 5)
                return
            self.confirmed = words[2] == "cnf"
            why = self.frame(int(words[3]), bytes.fromhex(words[4]), self._tx_done)
            if why:
                self.line("no_free_ch" if why == "busy" else "invalid_data_len", 5)
                return
            self.line("ok", 5)
        else:
            self.line("invalid_param", 5)

    def _tx_done(self, down):
        # one answer per mac tx: the downlink, or mac_tx_ok
        if down:
            self.rx_event(down[0], down[1])
        else:
            self.line("mac_tx_ok", 0)

    def rx_event(self, fport, data):
        self.line("mac_rx %d %s" % (fport, data.hex().upper()), 0)
