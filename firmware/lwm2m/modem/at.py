# The AT channel: one dialect's framing over a UART. Commands with their final
# result, prompts that arrive without a line ending ("> ", "@"), unsolicited
# result codes (URCs) at any time (even while a command is pending), and raw
# payloads of a length announced by the line before them.
#
# The UART is any object with write(data) and read(n) -> bytes, or None when
# nothing has arrived (machine.UART with timeout=0 behaves so). Waiting is done
# with clock.sleep_ms, so a virtual clock makes every timeout instant in tests.
from lwm2m.compat import ticks_add, ticks_diff

_POLL_MS = 10
_MAX_LINE = 1600  # longest line we keep (a hex-encoded 512 B datagram + framing)
_MAX_KEPT_URCS = 8


class AtError(Exception):
    """The modem answered with an error result; args[0] is the result line (bytes)."""


class AtTimeout(AtError):
    """No final result within the command's timeout: the response was lost or the modem rebooted."""


# Final results, per dialect. A line equal to (or, for error prefixes, starting
# with) one of these ends the pending command.
CELLULAR_OK = (b"OK", b"SEND OK")
CELLULAR_ERRORS = (b"ERROR", b"+CME ERROR", b"+CMS ERROR", b"SEND FAIL")
RUI3_OK = (b"OK",)
RUI3_ERRORS = (b"AT_ERROR", b"AT_PARAM_ERROR", b"AT_BUSY_ERROR", b"AT_NO_NETWORK_JOINED", b"AT_COMMAND_NOT_FOUND")
RN2483_OK = (b"ok",)
RN2483_ERRORS = (b"invalid_param", b"not_joined", b"no_free_ch", b"silent", b"busy", b"mac_paused",
                 b"invalid_data_len", b"keys_not_init", b"frame_counter_err_rejoin_needed", b"denied")


def unhex(text):
    """The bytes behind a modem's hex text, either case (ValueError on a non-hex
    digit). The other way is lwm2m.compat.hexstr(data, True)."""
    return bytes(int(text[i : i + 2], 16) for i in range(0, len(text), 2))


class AtChannel:
    def __init__(self, uart, clock, eol=b"\r", ok=CELLULAR_OK, errors=CELLULAR_ERRORS, urc_prefixes=(), on_urc=None,
                 inline_data=()):
        self.uart = uart
        self.clock = clock
        self.eol = eol
        self.ok = ok
        self.errors = errors
        # Lines starting with one of these are URCs unless the pending command
        # named that prefix as its response.
        self.urc_prefixes = urc_prefixes
        self.on_urc = on_urc
        self.urcs = []  # recent URCs, for two-phase commands (wait_urc)
        # Lines "<prefix><len>,<len raw bytes>" (SIMCom +CARECV): the data may
        # hold CR/LF, so such a line is cut by its length, not its terminator.
        self.inline_data = inline_data
        self._buf = bytearray()

    # ---- bytes in -------------------------------------------------------
    def _fill(self, deadline):
        """Read what the UART has; sleep a little when it has nothing. False once past deadline."""
        data = self.uart.read(256)
        if data:
            self._buf.extend(data)
            return True
        left = ticks_diff(deadline, self.clock.ticks_ms())
        if left <= 0:
            return False
        self.clock.sleep_ms(min(_POLL_MS, left))
        return True

    def _take_line(self):
        """The next complete line (without CR/LF), None if there is none yet. Blank lines are skipped."""
        buf = self._buf
        while True:
            i = 0
            while i < len(buf) and buf[i] in (10, 13):
                i += 1
            if i:
                buf[:i] = b""
            for p in self.inline_data:
                if buf.startswith(p):
                    comma = buf.find(b",", len(p))
                    cr = buf.find(b"\r", len(p))
                    if comma < 0 or 0 <= cr < comma:
                        if cr < 0:
                            return None  # neither yet: wait for more
                        break  # "+CARECV: 0" and the like: an ordinary line
                    try:
                        end = comma + 1 + int(buf[len(p) : comma])
                    except ValueError:
                        break  # "+CARECV: 0" and the like: an ordinary line
                    if len(buf) < end:
                        return None
                    line = bytes(buf[:end])
                    buf[:end] = b""
                    return line
            end = -1
            for j in range(len(buf)):
                if buf[j] in (10, 13):
                    end = j
                    break
            if end < 0 or (buf[end] == 13 and end + 1 == len(buf)):
                # No terminator yet, or a CR whose LF may still be on its way:
                # raw data announced by this line must not start with that LF.
                if len(buf) > _MAX_LINE:  # garbage without a line ending: drop it
                    buf[:] = b""
                return None
            line = bytes(buf[:end])
            cut = end + 2 if buf[end] == 13 and buf[end + 1] == 10 else end + 1
            buf[:cut] = b""
            if line:
                return line

    def _take_prompt(self, prompt):
        buf = self._buf
        i = 0
        while i < len(buf) and buf[i] in (10, 13):
            i += 1
        if buf[i : i + len(prompt)] == prompt:
            buf[: i + len(prompt)] = b""
            return True
        return False

    def read_raw(self, n, timeout_ms=5000):
        """Exactly n raw bytes that follow a line announcing them (+QIRD, direct-push URCs)."""
        deadline = ticks_add(self.clock.ticks_ms(), timeout_ms)
        while len(self._buf) < n:
            if not self._fill(deadline):
                raise AtTimeout(b"raw data")
        data = bytes(self._buf[:n])
        self._buf[:n] = b""
        return data

    # ---- URCs -----------------------------------------------------------
    def _is_urc(self, line, response):
        if response and line.startswith(response):
            return False
        for p in self.urc_prefixes:
            if line.startswith(p):
                return True
        return False

    def _urc(self, line):
        self.urcs.append(line)
        if len(self.urcs) > _MAX_KEPT_URCS:
            self.urcs.pop(0)
        if self.on_urc:
            self.on_urc(line)

    def poll(self, timeout_ms=0):
        """Dispatch URCs that arrive within timeout_ms (no command pending)."""
        deadline = ticks_add(self.clock.ticks_ms(), timeout_ms)
        while True:
            line = self._take_line()
            if line is not None:
                self._urc(line)
                continue
            if not self._fill(deadline):
                return

    def wait_urc(self, prefix, timeout_ms):
        """The first URC starting with prefix (or one of a tuple of prefixes), kept
        from earlier or arriving in time; None on timeout."""
        prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
        deadline = ticks_add(self.clock.ticks_ms(), timeout_ms)
        while True:
            for i in range(len(self.urcs)):
                for p in prefixes:
                    if self.urcs[i].startswith(p):
                        return self.urcs.pop(i)
            line = self._take_line()
            if line is not None:
                self._urc(line)
                continue
            if not self._fill(deadline):
                return None

    # ---- commands -------------------------------------------------------
    def _final(self, line):
        if line in self.ok:
            return 1
        for e in self.errors:
            if line.startswith(e):
                return -1
        return 0

    def cmd(self, command, timeout_ms=5000, response=None, prompt=None, data=None, prompt_delay_ms=0, on_line=None,
            single=False):
        """Send one command and return its information lines (a list of bytes).

        response: prefix of this command's own answer lines (b"+CEREG:") so they are
        not taken for URCs. prompt/data: wait for the prompt, then write data
        (after prompt_delay_ms, for modems that need it). on_line(line) is called
        for each answer line and may read raw bytes that follow it with read_raw.
        single: the answer is one line with no final result (RN2483 queries).
        Raises AtError on an error result, AtTimeout when none comes in time.
        """
        if isinstance(command, str):
            command = command.encode()
        self.uart.write(command + self.eol)
        deadline = ticks_add(self.clock.ticks_ms(), timeout_ms)
        lines = []
        waiting_prompt = prompt is not None
        while True:
            if waiting_prompt and self._take_prompt(prompt):
                waiting_prompt = False
                if prompt_delay_ms:
                    self.clock.sleep_ms(prompt_delay_ms)
                self.uart.write(data)
                continue
            line = self._take_line()
            if line is None:
                if not self._fill(deadline):
                    raise AtTimeout(command)
                continue
            if line == command:  # echo before ATE0 took effect
                continue
            final = self._final(line)
            if final > 0:
                return lines
            if final < 0:
                raise AtError(line)
            if self._is_urc(line, response):
                self._urc(line)
                continue
            lines.append(line)
            if on_line:
                on_line(line)
            if single:
                return lines
