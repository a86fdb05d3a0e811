# A scripted UART and a fake clock for modem tests on both runtimes.


class FakeClock:
    def __init__(self):
        self.ms = 0

    def ticks_ms(self):
        return self.ms & ((1 << 30) - 1)

    def time(self):
        return self.ms // 1000

    def sleep_ms(self, ms):
        self.ms += ms


class ScriptUart:
    """Answers each expected write with scripted bytes; records everything written.

    script: list of (expected_write, reply). expected_write None means "say reply
    as soon as it is read" (a URC that arrives unprompted)."""

    def __init__(self, script):
        self.script = list(script)
        self.written = []
        self.pending = bytearray()
        self._release_unprompted()

    def _release_unprompted(self):
        while self.script and self.script[0][0] is None:
            self.pending.extend(self.script.pop(0)[1])

    def write(self, data):
        data = bytes(data)
        self.written.append(data)
        if self.script and self.script[0][0] == data:
            self.pending.extend(self.script.pop(0)[1])
            self._release_unprompted()
        return len(data)

    def read(self, n):
        if not self.pending:
            return None
        out = bytes(self.pending[:n])
        self.pending[:n] = b""
        return out
