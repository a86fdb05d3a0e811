"""A discrete-event scheduler on a VirtualClock.

Two kinds of things happen in a simulation:
- events: a function to call at a virtual time (the network's deliveries, a
  scenario's "at t=5 s send a request");
- actors: sans-IO endpoints with `tick()` and `next_timeout_ms()` (and
  `receive(data, peer)`, which the network calls when a datagram lands).

The simulator jumps the clock to the earliest of the next event and the
actors' next timers, runs what is due, and repeats: no wall-clock waiting.
"""
import heapq

from host_sim.clock import VirtualClock

# Steps at one virtual instant before we call it a livelock: an actor whose
# next_timeout_ms() stays 0 after tick() would otherwise spin forever.
_MAX_STEPS_AT_ONE_INSTANT = 100000


class Simulator:
    def __init__(self, clock=None):
        self.clock = clock if clock is not None else VirtualClock()
        self.actors = []
        self._events = []  # heap of (at_ms, seq, fn, args); seq keeps ties in schedule order
        self._seq = 0
        self.running = False
        self.clock.on_sleep = self._sleep

    @property
    def now_ms(self):
        return self.clock.now_ms

    def add_actor(self, actor):
        """Tick `actor` whenever its next_timeout_ms() comes due; returns it."""
        self.actors.append(actor)
        return actor

    def remove_actor(self, actor):
        self.actors.remove(actor)

    def call_at(self, at_ms, fn, *args):
        """Call fn(*args) at virtual time at_ms (now if it is in the past)."""
        self._seq += 1
        heapq.heappush(self._events, (max(at_ms, self.clock.now_ms), self._seq, fn, args))

    def call_later(self, delay_ms, fn, *args):
        self.call_at(self.clock.now_ms + delay_ms, fn, *args)

    def next_time(self):
        """Virtual time of the next thing to do, or None when nothing is pending."""
        now = self.clock.now_ms
        best = self._events[0][0] if self._events else None
        for actor in self.actors:
            due = actor.next_timeout_ms()
            if due is not None:
                at = now + max(due, 0)
                if best is None or at < best:
                    best = at
        return best

    def _run_due(self):
        now = self.clock.now_ms
        while self._events and self._events[0][0] <= now:
            _, _, fn, args = heapq.heappop(self._events)
            fn(*args)
        for actor in list(self.actors):
            due = actor.next_timeout_ms()
            if due is not None and due <= 0:
                actor.tick()

    def run_until(self, predicate, limit_ms):
        """Run until predicate() is true or limit_ms of virtual time have passed.

        Returns predicate()'s final truth. When nothing is pending the clock
        jumps straight to the limit.
        """
        end = self.clock.now_ms + limit_ms
        was_running, self.running = self.running, True
        try:
            steps, last = 0, self.clock.now_ms
            while not predicate():
                at = self.next_time()
                if at is None or at > end:
                    self.clock.advance_to(max(end, self.clock.now_ms))
                    return bool(predicate())
                if at > self.clock.now_ms:
                    self.clock.advance_to(at)
                self._run_due()
                if self.clock.now_ms != last:
                    steps, last = 0, self.clock.now_ms
                steps += 1
                if steps > _MAX_STEPS_AT_ONE_INSTANT:
                    raise RuntimeError("simulation stuck at t=%d ms: an actor's timer stays due" % last)
            return True
        finally:
            self.running = was_running

    def _sleep(self, ms):
        # From outside the simulator, a sleep is time for the others to run;
        # from inside an actor it can only move the clock.
        if self.running:
            self.clock.advance(ms)
        else:
            self.run_for(ms)

    def run_for(self, ms):
        """Advance exactly ms of virtual time, running everything due on the way."""
        self.run_until(_never, ms)

    def run(self, limit_ms):
        """Run until nothing is pending (or limit_ms passed); returns True if it went idle."""
        return self.run_until(self._idle, limit_ms)

    def _idle(self):
        return self.next_time() is None


def _never():
    return False
