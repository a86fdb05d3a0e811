"""Requests to one device: one exchange at a time (NSTART 1), in the order
they were asked; for a queue-mode device only while it is awake, which is for
`awake_time` seconds after it last spoke (Register, Update, Send, a response or
a notification)."""
import asyncio
import collections

from ..names import now


class Outbox:
    def __init__(self, awake_time):
        self.awake_time = awake_time
        self.queue_mode = False
        self.awake_until = 0.0
        self._items = collections.deque()
        self._wake = asyncio.Event()
        self._task = None

    def awake(self):
        return not self.queue_mode or now() < self.awake_until

    def heard(self):
        """The device spoke: it listens for awake_time seconds now."""
        self.awake_until = now() + self.awake_time
        self._wake.set()

    def submit(self, run):
        """run: a coroutine function doing one exchange. Returns the future of
        its result; cancelling the future abandons the exchange."""
        future = asyncio.get_running_loop().create_future()
        self._items.append((run, future))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._work())
        return future

    def pending(self):
        return sum(1 for _, f in self._items if not f.done())

    def close(self, reason):
        """The registration is gone: fail what still waits."""
        while self._items:
            _, future = self._items.popleft()
            if not future.done():
                future.set_exception(ConnectionError(reason))
        if self._task is not None:
            self._task.cancel()

    async def _work(self):
        while True:
            while not self._items or not self.awake():
                self._wake.clear()
                if self._items and self.queue_mode:
                    await self._wake.wait()
                else:
                    try:
                        await asyncio.wait_for(self._wake.wait(), 60)
                    except asyncio.TimeoutError:
                        if not self._items:
                            return  # idle: the next submit() starts a new worker
            run, future = self._items.popleft()
            if future.done():
                continue  # the caller gave up while it was queued
            await self._exchange(run, future)

    async def _exchange(self, run, future):
        task = asyncio.ensure_future(run())
        future.add_done_callback(lambda f: task.cancel() if f.cancelled() else None)
        try:
            result = await task
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():
                raise  # the outbox is closing
            return  # the caller abandoned this exchange
        except Exception as e:
            if not future.done():
                future.set_exception(e)
            return
        if not future.done():
            future.set_result(result)
