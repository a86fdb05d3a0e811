# Queue mode (LwM2M 1.1.1 6.5) around a Client: the device registers with Q,
# stays reachable for `awake_ms` after its last message (MAX_TRANSMIT_WAIT,
# 93 s, by default: what the server queued is served then) and otherwise
# sleeps until lwm2m.client.schedule says the next thing is due.
#
#   q = Queue(client, {"awake_ms": 93000, "gather": 900})
#   q.run(port)                       # the board loop: poll while awake, sleep otherwise
# or, sans-IO (host simulator): q.sleep_ms() / q.wake() / q.after_io()
from lwm2m.compat import ticks_diff
from lwm2m.client import schedule as S
from lwm2m.client import registration as R


class Timer:
    """An application timer (sensor sampling): fn(now) runs every `period`
    seconds; it may run up to `slack` seconds early to share a wake."""

    def __init__(self, name, period, fn, slack=0, at=None):
        self.name = name
        self.period = period
        self.fn = fn
        self.slack = slack
        self.at = at


class Queue:
    def __init__(self, client, config=None, link=None):
        """config: awake_ms (93000), gather (seconds an Update may go early to
        share a wake, 900). link: the ReleaseLink the client's endpoint sends
        through, flushed after every step (release assistance)."""
        cfg = config or {}
        self.client = client
        self.awake_ms = cfg.get("awake_ms", 93000)
        self.gather = cfg.get("gather", 900)
        self.link = link
        self.timers = []
        self.sends = []  # [paths, at] Sends the application asked for, in order
        self.wakes = 0
        self.idle_wakes = 0  # wakes that found nothing to do (a scheduling bug)

    # -- what the application adds -----------------------------------------
    def every(self, name, period, fn, slack=0):
        now = self.client.clock.time()
        for t in self.timers:
            if t.name == name:  # restored from the store: keep its phase
                t.period, t.fn, t.slack = period, fn, slack
                return t
        t = Timer(name, period, fn, slack, now + period)
        self.timers.append(t)
        return t

    def send(self, paths, slack=0):
        """Queue a Send of paths (POST /dp); it goes at the latest in `slack` s."""
        self.sends.append([[list(p) for p in paths], self.client.clock.time() + slack])

    # -- the schedule -----------------------------------------------------
    def windows(self, now):
        c = self.client
        out = []
        for o in c.reporter.observations:
            if o.at is not None:
                out.append(S.window(o.at, 0, "notify"))
        if c.online:
            for conn in c.connections:
                d = conn.reg.deadline()
                if d is None:
                    continue
                if conn.reg.state == R.REGISTERED and d > 0:
                    out.append(S.update_window(d, conn.reg.cfg["lifetime"], self.gather))
                else:
                    out.append(S.window(d, 0, "register"))
            if c.bootstrap is not None:
                d = c.bootstrap.deadline()
                if d is not None:
                    out.append(S.window(d, 0, "bootstrap"))
            if self.sends and self._registered():
                out.append(S.window(self.sends[0][1], 0, "send"))
        for t in self.timers:
            out.append(S.window(t.at, t.slack, "timer"))
        return out

    def _registered(self):
        for conn in self.client.connections:
            if conn.reg.registered():
                return True
        return False

    def busy(self):
        """True while the device must stay awake: an exchange in flight, a
        deferred hook, or the awake window after the last message."""
        return self.client.busy() or self.awake_left_ms() > 0

    def awake_left_ms(self):
        return max(0, self.awake_ms - self.client.idle_ms())

    def sleep_ms(self):
        """How long the device may sleep now: 0 to stay awake (or work is
        due), None when nothing is scheduled at all."""
        if self.busy():
            return 0
        return S.sleep_ms(self.windows(self.client.clock.time()), self.client.clock.time())

    def next_timeout_ms(self):
        """For a loop that is awake: ms until the client, a timer, a Send or
        the end of the awake window needs attention."""
        c = self.client
        t = c.next_timeout_ms()
        now = c.clock.time()
        for w in self.windows(now):
            if w[2] in ("timer", "send"):
                d = max(0, (w[1] - now) * 1000)
                t = d if t is None or d < t else t
        left = self.awake_left_ms()
        if left > 0 and (t is None or left < t):
            t = left
        return t

    # -- running what is due --------------------------------------------------
    def wake(self):
        """Do everything whose window is open, in one radio session. Returns
        the number of things done."""
        c = self.client
        now = c.clock.time()
        todo = S.due(self.windows(now), now)
        done = 0
        for t in self.timers:
            if t.at - t.slack <= now:
                t.at = now + t.period
                done += 1
                try:
                    t.fn(now)
                except Exception as e:
                    c.note("timer %s: %r" % (t.name, e))
        if "update" in todo:
            # The Update is due soon and the radio is on anyway: send it now.
            for conn in c.connections:
                d = conn.reg.deadline()
                if conn.reg.state != R.REGISTERED or d is None:
                    continue
                if S.update_window(d, conn.reg.cfg["lifetime"], self.gather)[0] <= now:
                    conn.reg.trigger_update()
                    done += 1
        # past the awake window: a client rebuilt after deep sleep would
        # count the silence from its own start
        if c.wake_step(self.awake_ms + 1):
            done += 1
        done += self._sends(now)
        self.wakes += 1
        if not done:
            self.idle_wakes += 1
        self.after_io()
        return done

    def _sends(self, now):
        n = 0
        while self.sends and self.sends[0][1] <= now and self._registered():
            item = self.sends[0]

            def sent(ex, item=item):
                if ex.error is None and item in self.sends:
                    self.sends.remove(item)

            try:
                ex = self.client.send(item[0], callback=sent)
            except Exception as e:  # a path it may never read (4.01): it can never go
                self.client.note("send %r: %r" % (item[0], e))
                self.sends.remove(item)
                continue
            if ex is None:
                break
            item[1] = now + 3600  # in flight: do not send again before it is answered
            n += 1
        return n

    def after_io(self):
        """After any step: send what it produced; release the radio when no
        answer is expected."""
        if self.link is not None:
            c = self.client
            t0 = c.clock.ticks_ms()
            self.link.flush(c.endpoint.next_timeout_ms() is None)
            # A flush may block (a DTLS handshake first): CON timers start
            # when the datagrams left, or the ACK timeout runs out in the
            # handshake and the message goes twice.
            held = ticks_diff(c.clock.ticks_ms(), t0)
            if held > 0:
                c.endpoint.postpone(held)

    # -- the board loop -------------------------------------------------------
    def run(self, port, store=None, snapshot=None, deep_min_ms=60000):
        """Never returns (deep sleep resets the board). Awake: poll the client.
        Asleep: light sleep, or deep sleep when longer than deep_min_ms and
        the port has it (state saved first: snapshot() -> value for store)."""
        c = self.client
        while True:
            ms = self.sleep_ms()
            if ms == 0:
                t = self.next_timeout_ms()
                c.poll(1000 if t is None else min(t, 1000))
                self.wake() if self.due_now() else self.after_io()
                continue
            if ms is None:
                ms = 3600000
            deep = getattr(port, "deep_sleep", None)
            if deep is not None and ms >= deep_min_ms and store is not None and snapshot is not None:
                store.save(snapshot())
                deep(ms)  # a reset: the board boots again and restores
            getattr(port, "light_sleep", c.clock.sleep_ms)(ms)
            self.wake()

    def due_now(self):
        """An application timer or a Send is due: an awake loop wakes for it."""
        now = self.client.clock.time()
        for w in self.windows(now):
            if w[2] in ("timer", "send") and w[1] <= now:
                return True
        return False
