# The flash the update writes to, behind one small interface so that tests can
# swap in a filesystem that loses power at any byte (tests/unit/fota_fakes.py).
# Names are '/'-separated and relative to the store's root.
import os


class FileStore:
    def __init__(self, root):
        self.root = root.rstrip("/")

    def _p(self, name):
        return self.root + "/" + name if name else self.root

    def open(self, name, mode):
        return open(self._p(name), mode)

    def rename(self, old, new):
        """Replace new by old. Atomic on POSIX and littlefs; FAT cannot replace,
        so there the old name goes first (not atomic: use littlefs for slots)."""
        try:
            os.rename(self._p(old), self._p(new))
        except OSError:
            os.remove(self._p(new))
            os.rename(self._p(old), self._p(new))

    def remove(self, name):
        os.remove(self._p(name))

    def rmdir(self, name):
        os.rmdir(self._p(name))

    def mkdir(self, name):
        try:
            os.mkdir(self._p(name))
        except OSError:
            if not self.isdir(name):
                raise

    def listdir(self, name=""):
        return os.listdir(self._p(name))

    def _stat(self, name):
        try:
            return os.stat(self._p(name))
        except OSError:
            return None

    def size(self, name):
        """Bytes in file name, -1 if there is none."""
        st = self._stat(name)
        return -1 if st is None or st[0] & 0x4000 else st[6]

    def isdir(self, name):
        st = self._stat(name)
        return st is not None and bool(st[0] & 0x4000)

    def free(self):
        """Bytes free for new files."""
        st = os.statvfs(self.root)
        return st[1] * st[4]
