# A filesystem in memory whose writes can be cut at byte N (a power cut), for
# the store's atomicity tests on both runtimes.


class PowerCut(Exception):
    pass


class CutFs:
    def __init__(self, files=None, cut_at=None):
        self.files = dict(files or {})
        self.cut_at = cut_at  # bytes still written before the power goes
        self.written = 0

    def read(self, path):
        return self.files.get(path)

    def _budget(self, n):
        if self.cut_at is None:
            return n
        left = self.cut_at - self.written
        return max(0, min(n, left))

    def write(self, path, data):
        n = self._budget(len(data))
        self.files[path] = bytes(data[:n])
        self.written += n
        if n < len(data):
            raise PowerCut()

    def rename(self, old, new):
        if self.cut_at is not None and self.written >= self.cut_at:
            raise PowerCut()  # the power went before the rename
        self.files[new] = self.files.pop(old)

    def remove(self, path):
        self.files.pop(path, None)
