# Device object (3) behaviour (LwM2M 1.1.1 Appendix E.4): identity strings,
# Reboot and Factory Reset through board hooks, Error Code with Reset Error
# Code, Memory Free, Current Time (writable: it sets the offset to the RTC),
# UTC Offset and Timezone.
#
#   dev = Device({"manufacturer": "ACME", "model": "N1", "serial": "42",
#                 "firmware": "0.1"}, reboot=machine.reset)
#   dev.install(model)
#   dev.schedule = client.defer   # run Reboot after its 2.04 went out
from lwm2m import compat
from lwm2m.model import Bound

# info key -> Device resource id (strings)
_INFO = (("manufacturer", 0), ("model", 1), ("serial", 2), ("firmware", 3),
         ("device_type", 17), ("hardware", 18), ("software", 19))

# Error Code values (E.4 resource 11)
NO_ERROR = 0
LOW_BATTERY = 1
EXTERNAL_POWER_OFF = 2
GPS_FAILURE = 3
LOW_SIGNAL = 4
OUT_OF_MEMORY = 5
SMS_FAILURE = 6
IP_FAILURE = 7
PERIPHERAL_FAILURE = 8


def _now(fn):
    fn()


class Device:
    def __init__(self, info=None, reboot=None, factory_reset=None, battery=None, clock=None,
                 binding="U", power_sources=None):
        """info: identity strings (keys as in _INFO). reboot / factory_reset:
        board hooks (callables without arguments). battery: callable -> 0..100.
        clock: anything with time() (the RTC; default compat.time).
        power_sources: {instance: source code} (resource 6)."""
        self.info = info or {}
        self.reboot = reboot
        self.factory_reset = factory_reset
        self.battery = battery
        self.clock = clock
        self.binding = binding
        self.power_sources = power_sources
        self.errors = [NO_ERROR]
        self.offset = 0  # seconds the server's Current Time is ahead of the RTC
        self.schedule = _now  # how a hook runs: at once, or after the response (client.defer)
        self.model = None

    def install(self, model, iid=0):
        values = {}
        for key, rid in _INFO:
            if key in self.info:
                values[rid] = self.info[key]
        values[16] = self.binding
        values[14] = self.info.get("utc_offset", "+00:00")
        values[15] = self.info.get("timezone", "UTC")
        if self.power_sources:
            values[6] = dict(self.power_sources)
        model.add(3, iid, values)
        self.model = model
        self.iid = iid
        p = (3, iid)
        model.bind(p + (4,), execute=lambda args: self.schedule(self._reboot))
        if self.factory_reset is not None:
            model.bind(p + (5,), execute=lambda args: self.schedule(self.factory_reset))
        model.bind(p + (10,), read=self.memory_free)
        model.bind(p + (11,), read=self._error_codes)
        model.bind(p + (12,), execute=lambda args: self.reset_errors())
        model.bind(p + (13,), read=self.current_time, write=self.set_time)
        if self.battery is not None:
            model.bind(p + (9,), read=self.battery)
        total = compat.mem_total()
        if total:
            model.set(p + (21,), total // 1024)
        return self

    def _reboot(self):
        if self.reboot is not None:
            self.reboot()

    # -- resources -------------------------------------------------------
    def memory_free(self):
        """Resource 10, in KB."""
        return compat.mem_free() // 1024

    def _error_codes(self):
        out = {}
        for i in range(len(self.errors)):
            out[i] = self.errors[i]
        return out

    def add_error(self, code):
        """Report an error (resource 11 lists every one until reset)."""
        if self.errors == [NO_ERROR]:
            self.errors = []
        if code not in self.errors:
            self.errors.append(code)
            self._changed(11)

    def reset_errors(self):
        """Reset Error Code (resource 12)."""
        self.errors = [NO_ERROR]
        self._changed(11)

    def current_time(self):
        rtc = self.clock.time() if self.clock is not None else compat.time()
        return rtc + self.offset

    def set_time(self, value):
        rtc = self.clock.time() if self.clock is not None else compat.time()
        self.offset = value - rtc

    def _changed(self, rid):
        if self.model is not None:
            self.model.changed((3, self.iid, rid))
