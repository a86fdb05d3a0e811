"""A virtual clock with the firmware clock interface (docs/design.md, "The clock").

Time only moves when someone calls advance() or sleep_ms(), so simulated hours
pass in microseconds of wall time and every run is repeatable.
"""
from lwm2m import compat

# 2026-01-01T00:00:00Z: a plausible RTC value for time() by default.
DEFAULT_EPOCH = 1767225600


class VirtualClock:
    """ticks_ms() wraps like MicroPython's (2**30 ms); time() is whole seconds.

    `now_ms` is the non-wrapping virtual time in ms since the clock was made;
    the simulator schedules on it. `ticks_start` sets where ticks_ms() starts,
    so a test can put the wrap-around a few seconds into a run.
    """

    def __init__(self, epoch=DEFAULT_EPOCH, ticks_start=0):
        self.now_ms = 0
        self._epoch_ms = epoch * 1000
        self._ticks_start = ticks_start
        # A Simulator sets this so that firmware code that sleeps in a loop
        # lets the network run meanwhile instead of skipping over deliveries.
        self.on_sleep = None

    def ticks_ms(self):
        return compat.ticks_add(self._ticks_start, self.now_ms)

    def time(self):
        return (self._epoch_ms + self.now_ms) // 1000

    def set_time(self, seconds):
        """Set the RTC (time()) without moving ticks_ms(), like an NTP or LwM2M time write."""
        self._epoch_ms = seconds * 1000 - self.now_ms

    def sleep_ms(self, ms):
        if self.on_sleep is not None:
            self.on_sleep(ms)
        else:
            self.advance(ms)

    def advance(self, ms):
        if ms < 0:
            raise ValueError("virtual time cannot go back: %r ms" % ms)
        self.now_ms += int(ms)

    def advance_to(self, now_ms):
        self.advance(now_ms - self.now_ms)
