# A flash filesystem for the firmware-update tests that can lose power at any
# byte: every byte written, and every rename/remove/mkdir, spends one unit of a
# budget; when the budget runs out the write stops half way (what was written
# stays) and PowerCut is raised. flash.reboot() gives a fresh store over what
# survived. Writes are durable as soon as they return, renames atomic.


class PowerCut(BaseException):
    # Not an Exception: nothing in the firmware may catch it, as nothing
    # catches a real power loss.
    pass


class Flash:
    def __init__(self, capacity=1 << 20):
        self.capacity = capacity
        self.files = {}  # name -> bytearray
        self.dirs = {"": True}
        self.budget = None
        self.spent = 0
        self.marks = []  # self.spent after each write, rename, remove, mkdir

    def cut_after(self, units):
        self.budget = units

    def spend(self, n):
        """How many of n units may happen before the power goes."""
        self.spent += n
        self.marks.append(self.spent)
        if self.budget is None:
            return n
        k = min(n, self.budget)
        self.budget -= k
        return k

    def used(self):
        n = 0
        for k in self.files:
            n += len(self.files[k])
        return n

    def reboot(self):
        self.budget = None
        return FakeStore(self)


class FakeFile:
    def __init__(self, flash, name, pos=0):
        self.flash = flash
        self.name = name
        self.pos = pos
        self.closed = False

    def _data(self):
        return self.flash.files[self.name]

    def write(self, data):
        fl = self.flash
        data = bytes(data)
        grow = max(0, self.pos + len(data) - len(self._data()))
        if fl.used() + grow > fl.capacity:
            raise OSError(28)  # ENOSPC
        k = fl.spend(len(data))
        buf = self._data()
        end = self.pos + k
        if end > len(buf):
            buf.extend(bytes(end - len(buf)))
        buf[self.pos : end] = data[:k]
        self.pos = end
        if k < len(data):
            raise PowerCut()
        return k

    def read(self, n=-1):
        buf = self._data()
        end = len(buf) if n is None or n < 0 else min(len(buf), self.pos + n)
        out = bytes(buf[self.pos : end])
        self.pos = max(self.pos, end)
        return out

    def readinto(self, mv):
        b = self.read(len(mv))
        mv[: len(b)] = b
        return len(b)

    def readline(self, limit=-1):
        buf = self._data()
        i = buf.find(b"\n", self.pos)
        end = len(buf) if i < 0 else i + 1
        if limit >= 0:
            end = min(end, self.pos + limit)
        out = bytes(buf[self.pos : end])
        self.pos = end
        return out

    def seek(self, off, whence=0):
        self.pos = off if whence == 0 else len(self._data()) + off
        return self.pos

    def flush(self):
        pass

    def close(self):
        self.closed = True


def _parent(name):
    i = name.rfind("/")
    return name[:i] if i >= 0 else ""


class FakeStore:
    """The store interface of lwm2m.fota.store.FileStore over a Flash."""

    def __init__(self, flash):
        self.flash = flash

    def _cut(self):
        if not self.flash.spend(1):
            raise PowerCut()

    def open(self, name, mode):
        fl = self.flash
        if _parent(name) not in fl.dirs:
            raise OSError(2)
        if "w" in mode:
            fl.files[name] = bytearray()
        elif name not in fl.files:
            raise OSError(2)
        return FakeFile(fl, name)

    def rename(self, old, new):
        if old not in self.flash.files:
            raise OSError(2)
        self._cut()
        self.flash.files[new] = self.flash.files.pop(old)

    def remove(self, name):
        if name not in self.flash.files:
            raise OSError(2)
        self._cut()
        del self.flash.files[name]

    def rmdir(self, name):
        self._cut()
        del self.flash.dirs[name]

    def mkdir(self, name):
        if name in self.flash.dirs:
            return
        if _parent(name) not in self.flash.dirs:
            raise OSError(2)
        self._cut()
        self.flash.dirs[name] = True

    def listdir(self, name=""):
        out = []
        for k in list(self.flash.files) + list(self.flash.dirs):
            if k and _parent(k) == name:
                out.append(k[len(name) + 1 :] if name else k)
        return out

    def size(self, name):
        b = self.flash.files.get(name)
        return -1 if b is None else len(b)

    def isdir(self, name):
        return name in self.flash.dirs

    def free(self):
        return self.flash.capacity - self.flash.used()
