# The real clock (see docs/design.md, "The clock"): ticks_ms for CoAP timers,
# time() for LwM2M deadlines that must survive deep sleep, sleep_ms.
from lwm2m import compat


class SystemClock:
    def ticks_ms(self):
        return compat.ticks_ms()

    def time(self):
        return compat.time()

    def sleep_ms(self, ms):
        compat.sleep_ms(ms)
