# One server's registration (LwM2M 1.1.1 6.2): Register, Update, De-register,
# retries, as a sans-IO state machine. The client asks `deadline()` when to
# call `step(now)`, sends the request `step` returns, and reports back with
# `on_response(now, code, location)` or `on_failure(now)`. Times are seconds.
#
# Retries (Server object /1/x/14, 17-20): a sequence is up to retry_count
# attempts, attempt k failing waits retry_timer * 2**(k-1); a failed sequence
# waits seq_delay before the next, and after seq_retry sequences the
# registration is FAILED (the client may then bootstrap, /1/x/16).
# Update: sent `margin` seconds before the lifetime expires (by default
# MAX_TRANSMIT_WAIT, at most half the lifetime), carrying only the parameters
# and object list that changed (Q when queue mode was turned on; turning it
# off needs a new Register); 4.04 or any failure means the server lost us:
# register again (a new sequence).
from lwm2m.compat import const
from lwm2m.client import reglinks

POST = const(2)
DELETE = const(4)
_CREATED = const(0x41)
_DELETED = const(0x42)
_CHANGED = const(0x44)

# States (public so the client and tests can read reg.state).
IDLE = "idle"
WAITING = "waiting"  # initial delay or retry back-off before a Register
REGISTERING = "registering"
REGISTERED = "registered"
UPDATING = "updating"
DEREGISTERING = "deregistering"
DEREGISTERED = "deregistered"
FAILED = "failed"


def _defaults():
    # A fresh dict per Registration, built by code: a module-level dict to
    # copy would stay on the heap.
    return {
        "lifetime": 86400, "binding": "U", "queue": False, "sms": None,
        "initial_delay": 0, "retry_count": 5, "retry_timer": 60,
        "seq_delay": 86400, "seq_retry": 1, "margin": 93, "compact": False,
    }


class Registration:
    def __init__(self, ep, version="1.1", **settings):
        self.ep = ep
        self.version = version
        self.cfg = _defaults()
        self.cfg.update(settings)
        self.state = IDLE
        self.location = None  # Location-Path segments from 2.01
        self.objects = b""  # current object links payload
        self.ct = None  # Content-Format of the payload (40)
        self._sent = None  # (lifetime, binding, sms, objects) the server has
        self._at = None  # when the next action is due
        self._attempt = 0  # failed attempts in this sequence
        self._sequence = 0  # failed sequences
        self._update_now = False
        self._sent_at = 0
        self._pending = None
        self._leave = False  # de-register once the request in flight is answered
        self._resume_at = None  # Disable: register again at this time

    # -- inputs from the client -------------------------------------------
    def configure(self, **settings):
        """New Server object values (lifetime, binding, retry settings, ...).
        A changed lifetime or binding is sent with the next Update, at once;
        a changed queue flag needs a new Register."""
        old_q = self.cfg["queue"]
        self.cfg.update(settings)
        if old_q and not self.cfg["queue"] and self.state in (REGISTERED, UPDATING):
            self._register_soon(0)  # an Update can turn queue mode on (Q), not off
        self._changed()

    def set_objects(self, payload):
        """The current object links (reglinks.object_links); a change is
        announced with an Update."""
        if payload != self.objects:
            self.objects = payload
            self._changed()

    def start(self, now):
        """Begin registering after the Initial Registration Delay (/1/x/14)."""
        self._attempt = self._sequence = 0
        self.state = WAITING
        self._at = now + self.cfg["initial_delay"]

    def trigger_update(self):
        """Registration Update Trigger (/1/x/8): send an Update now."""
        self._update_now = True

    def deregister(self):
        """Send De-register next step (or simply stop if not registered);
        with a Register or Update in flight, right after its answer."""
        if self.state == REGISTERED:
            self.state = DEREGISTERING
            self._at = 0
        elif self.state in (REGISTERING, UPDATING):
            self._leave = True
        else:
            self.state = DEREGISTERED
            self._at = None

    def disable(self, now, seconds):
        """Disable (/1/x/4): de-register, stay away for the Disable Timeout
        (/1/x/5) counted from now, then register again."""
        self._resume_at = now + seconds
        self.deregister()

    def disabled(self):
        return self._resume_at is not None

    def leaving(self):
        """De-register is under way: sent, or due once the request in flight is answered."""
        return self.state == DEREGISTERING or self._leave

    # -- across a reset (lwm2m.client.persist) ----------------------------
    def snapshot(self):
        """[state, location, when the next action is due, what the server has]."""
        return [self.state, self.location, self._at, None if self._sent is None else list(self._sent)]

    def resume(self, now, state, location, at, sent):
        """Take up a registration snapshot() saw, without a new Register; an
        Update in flight then goes again. False (nothing changed) when there
        was none or the record does not fit."""
        if state not in (REGISTERED, UPDATING) or not location or not isinstance(sent, list):
            return False
        if len(sent) == 4:  # saved before the queue flag was kept: as configured now
            sent = sent + [self.cfg["queue"]]
        if len(sent) != 5:
            return False
        self.state = REGISTERED
        self.location = location
        self._sent = tuple(sent)
        self._at = at if state == REGISTERED and at is not None else now
        self._update_now = self._params() != self._sent
        return True

    # -- timing ----------------------------------------------------------
    def margin(self):
        lt = self.cfg["lifetime"]
        return min(self.cfg["margin"], lt // 2)

    def deadline(self):
        """Absolute time of the next step, or None (a request is in flight,
        or nothing left to do)."""
        if self.state == REGISTERED and self._update_now:
            return 0
        if self.state in (WAITING, REGISTERED) or self._at == 0:
            return self._at
        return None

    def registered(self):
        return self.state in (REGISTERED, UPDATING)

    # -- the exchange ----------------------------------------------------
    def step(self, now):
        """The request due now, or None: (method, path segments, query list,
        payload bytes or None, content format or None)."""
        at = self.deadline()
        if at is None or at > now:
            return None
        self._sent_at = now
        if self.state == WAITING:
            self.state = REGISTERING
            self._at = None
            self._resume_at = None
            self._pending = self._params()
            q = reglinks.register_query(self.ep, self.cfg["lifetime"], self.cfg["binding"],
                                        self.cfg["queue"], self.version, self.cfg["sms"], self.cfg["compact"])
            return (POST, ["rd"], q, self.objects, 40)
        if self.state == REGISTERED:
            return self._update(now)
        if self.state == DEREGISTERING and self._at == 0:
            self._at = None
            return (DELETE, self.location, [], None, None)
        return None

    def _update(self, now):
        self.state = UPDATING
        self._update_now = False
        self._at = None
        sent, cur = self._sent, self._params()
        self._pending = cur
        q = []
        if cur[0] != sent[0]:
            q.append("lt=%d" % cur[0])
        if cur[1] != sent[1]:
            q.append("b=" + cur[1])
        if cur[2] != sent[2] and cur[2]:
            q.append("sms=" + cur[2])
        if cur[4] and not sent[4]:
            q.append("Q")  # Transport 1.1.1 6.4.3: queue mode turned on
        if cur[3] != sent[3]:
            return (POST, self.location, q, cur[3], 40)
        return (POST, self.location, q, None, None)

    def on_response(self, now, code, location=None):
        """The server answered the request step() returned."""
        st = self.state
        if st == REGISTERING:
            if code == _CREATED and location:
                self.location = list(location)
                self._registered(now)
            else:
                self._failed(now)
        elif st == UPDATING:
            if code == _CHANGED:
                self._registered(now)
            else:  # 4.04: the server forgot us; any other error: same cure
                self._register_soon(now)
        elif st == DEREGISTERING:
            self._gone()

    def on_failure(self, now):
        """The request timed out or could not be sent."""
        st = self.state
        if st == REGISTERING:
            self._failed(now)
        elif st == UPDATING:
            self._register_soon(now)
        elif st == DEREGISTERING:
            self._gone()

    # -- internals -------------------------------------------------------
    def _params(self):
        c = self.cfg
        return (c["lifetime"], c["binding"], c["sms"], self.objects, c["queue"])

    def _changed(self):
        if self.state in (REGISTERED, UPDATING) and self._sent is not None:
            if self._params() != self._sent:
                self._update_now = True

    def _registered(self, now):
        self.state = REGISTERED
        self._sent = self._pending
        self._attempt = self._sequence = 0
        # the server counts the lifetime from when it got the request
        self._at = self._sent_at + self.cfg["lifetime"] - self.margin()
        self._update_now = self._params() != self._sent
        if self._leave:
            self._leave = False
            self.state = DEREGISTERING
            self._at = 0

    def _register_soon(self, now):
        if self._leave:
            self._gone()
            return
        self.state = WAITING
        self._attempt = self._sequence = 0
        self._update_now = False
        self._at = now

    def _failed(self, now):
        if self._leave:
            self._gone()
            return
        c = self.cfg
        self._attempt += 1
        if self._attempt < max(1, c["retry_count"]):
            self.state = WAITING
            self._at = now + c["retry_timer"] * (1 << (self._attempt - 1))
            return
        self._attempt = 0
        self._sequence += 1
        if self._sequence < max(1, c["seq_retry"]):
            self.state = WAITING
            self._at = now + c["seq_delay"]
            return
        self.state = FAILED
        self._at = None

    def _gone(self):
        self._leave = False
        self.state = DEREGISTERED
        self.location = None
        self._sent = None
        self._at = None
        if self._resume_at is not None:
            self.state = WAITING
            self._at = self._resume_at
            self._attempt = self._sequence = 0
