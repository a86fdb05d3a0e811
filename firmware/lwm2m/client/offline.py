# Notification storing (LwM2M 1.1.1 6.4.x, /1/x/6 "Notification Storing When
# Disabled or Offline"): notifications made while the server cannot be
# reached are kept in order, bounded, and flushed on reconnect. When the
# bound is hit the oldest goes first; a per-path bound (the 1.2 hqmax
# attribute) keeps one chatty resource from pushing out all others.


class NotificationStore:
    def __init__(self, limit=32):
        self.limit = limit
        self._items = []  # (key, item) in the order they were made
        self.dropped = 0

    def __len__(self):
        return len(self._items)

    def push(self, key, item, per_key=None):
        """Keep item (anything: the client stores the encoded notification)
        under key (the observation). per_key: at most that many for key."""
        items = self._items
        if per_key is not None and per_key >= 0:
            n = 0
            for k, _ in items:
                if k == key:
                    n += 1
            while n >= per_key and n > 0:
                for i in range(len(items)):
                    if items[i][0] == key:
                        del items[i]
                        self.dropped += 1
                        break
                n -= 1
            if per_key == 0:
                self.dropped += 1
                return
        items.append((key, item))
        while len(items) > self.limit:
            items.pop(0)
            self.dropped += 1

    def items(self):
        """Every stored (key, item), oldest first (a copy; persist saves it)."""
        return list(self._items)

    def forget(self, key):
        """The observation was cancelled: its stored notifications go too."""
        self._items = [e for e in self._items if e[0] != key]

    def drain(self):
        """Every stored (key, item), oldest first; the store is then empty."""
        items, self._items = self._items, []
        return items
