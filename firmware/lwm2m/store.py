# An atomic store for state that must survive a reset (deep sleep resets an
# ESP32): one value, CBOR-encoded, framed as
#   b"LS1" | length (4 bytes, big-endian) | CRC-32 of the body | body
# and written as "write the new file, then rename it over the old one". A power
# cut at any byte leaves either the old file (the new one is incomplete and its
# frame does not check) or the new one (rename is atomic on littlefs and on
# POSIX); load() never returns a mix. A complete "<name>.new" left by a cut
# between the write and the rename is the newest state and is taken.
import binascii
from lwm2m.codec import cbor

_MAGIC = b"LS1"
_HEAD = 11  # magic + length + crc


class OsFs:
    """The board's filesystem (os + open); tests pass a fake with the same calls."""

    def read(self, path):
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return None

    def write(self, path, data):
        with open(path, "wb") as f:
            f.write(data)

    def rename(self, old, new):
        import os

        os.rename(old, new)

    def remove(self, path):
        import os

        try:
            os.remove(path)
        except OSError:
            pass


def frame(body):
    n = len(body)
    crc = binascii.crc32(body) & 0xFFFFFFFF
    return _MAGIC + n.to_bytes(4, "big") + crc.to_bytes(4, "big") + body


def unframe(data):
    """The body of a complete frame, or None (missing, cut short, corrupt)."""
    if data is None or len(data) < _HEAD or data[:3] != _MAGIC:
        return None
    n = int.from_bytes(data[3:7], "big")
    if len(data) != _HEAD + n:
        return None
    body = data[_HEAD:]
    if binascii.crc32(body) & 0xFFFFFFFF != int.from_bytes(data[7:11], "big"):
        return None
    return bytes(body)


class Store:
    def __init__(self, path="lwm2m.state", fs=None):
        self.path = path
        self.fs = fs or OsFs()
        self.writes = 0
        self.bytes_written = 0

    def save(self, value):
        """Replace the stored value (any CBOR-encodable value)."""
        data = frame(cbor.dumps(value))
        tmp = self.path + ".new"
        self._recover()  # a complete .new from an interrupted save is the state to keep
        self.fs.write(tmp, data)
        self.fs.rename(tmp, self.path)
        self.writes += 1
        self.bytes_written += len(data)

    def _recover(self):
        tmp = self.path + ".new"
        data = self.fs.read(tmp)
        if data is None:
            return
        if unframe(data) is not None:
            self.fs.rename(tmp, self.path)
        else:
            self.fs.remove(tmp)

    def load(self, default=None):
        """The last value saved completely, or default."""
        self._recover()
        body = unframe(self.fs.read(self.path))
        if body is not None:
            try:
                return cbor.loads(body)
            except Exception:
                pass
        return default

    def clear(self):
        self.fs.remove(self.path + ".new")
        self.fs.remove(self.path)
