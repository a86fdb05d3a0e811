"""What happened on the server, for tests to await and the CLI to print.

Kinds: registered, updated, deregistered, expired, notification, send,
bootstrap-request, bootstrap-finished. Every event is kept (up to a bound) until
a test takes it with next(), so a test may ask after the fact."""
import asyncio
import collections
import time


class Event:
    def __init__(self, kind, ep, **data):
        self.kind = kind
        self.ep = ep
        self.time = time.time()
        self.data = data

    def __getattr__(self, name):
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name)

    def __repr__(self):
        return "<Event %s %s %r>" % (self.kind, self.ep, self.data)


class Events:
    def __init__(self, keep=1000):
        self._log = collections.deque(maxlen=keep)
        self._changed = asyncio.Event()
        self._listeners = []

    def subscribe(self, fn):
        """fn(event) is called for every event as it happens (the CLI prints them)."""
        self._listeners.append(fn)

    def emit(self, kind, ep, **data):
        event = Event(kind, ep, **data)
        self._log.append(event)
        self._changed.set()
        for fn in self._listeners:
            fn(event)
        return event

    def _take(self, kind, ep, where):
        for event in self._log:
            if (kind is None or event.kind == kind) and (ep is None or event.ep == ep):
                if where is None or where(event):
                    self._log.remove(event)
                    return event
        return None

    async def next(self, kind=None, ep=None, timeout=5.0, where=None):
        """Take the oldest event not taken yet that matches; wait for one up to
        `timeout` seconds (asyncio.TimeoutError after that)."""
        async def wait():
            while True:
                event = self._take(kind, ep, where)
                if event is not None:
                    return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(wait(), timeout)

    def pending(self, kind=None, ep=None):
        return [e for e in self._log if (kind is None or e.kind == kind) and (ep is None or e.ep == ep)]

    def clear(self):
        self._log.clear()
