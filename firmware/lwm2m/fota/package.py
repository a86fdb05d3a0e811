# The update package (docs/fota.md): a 12-byte prefix, a text header with the
# board, name, version and one line per file (size, SHA-256, path), the
# header's SHA-256, a signature over that digest, then the files back to back.
# Everything here reads the package from the store in small pieces: nothing
# holds the whole package, or even the whole file list, in RAM.
import hashlib
from lwm2m.compat import const, hexstr
from lwm2m.fota import sig as _sig

MAGIC = b"LWFW"
FORMAT = 1
PREFIX = const(12)
_CHUNK = const(512)
_MAX_TEXT = const(16384)
_MAX_LINE = const(512)

# Update Result codes a package check can end in (object 5, resource 5).
NO_SPACE = 2
INTEGRITY = 5
BAD_TYPE = 6


class PackageError(Exception):
    """A package that must not be installed; result is the Update Result."""

    def __init__(self, result, message):
        super().__init__(message)
        self.result = result


def declared_length(prefix):
    """The package length its first 12 bytes announce, or -1 when they are not
    a package of this format."""
    if len(prefix) < PREFIX or bytes(prefix[:4]) != MAGIC or prefix[4] != FORMAT:
        return -1
    return int.from_bytes(bytes(prefix[8:12]), "big")


class Header:
    def __init__(self):
        self.board = self.name = self.version = ""
        self.sig_type = 0
        self.signature = b""
        self.total = 0
        self.files = 0
        self.data_size = 0
        self.data_offset = 0
        self.digest_ok = False


def _entry(line):
    # "file=SIZE SHA256HEX PATH"
    parts = line[5:].split(" ")
    if len(parts) != 3 or len(parts[1]) != 64 or not parts[0].isdigit():
        raise PackageError(BAD_TYPE, "bad file line")
    for c in parts[1]:
        if c not in "0123456789abcdef":
            raise PackageError(BAD_TYPE, "bad file hash")
    size = int(parts[0])
    path = parts[2]
    for seg in path.split("/"):
        if seg in ("", ".", "..") or not _safe(seg):
            raise PackageError(BAD_TYPE, "bad file path %r" % path)
    return size, parts[1], path


def _safe(seg):
    for c in seg:
        if not (c < "\x80" and (c.isalpha() or c.isdigit()) or c in "._-"):
            return False
    return True


def _lines(f, left, h=None):
    """Header text lines (str, without the newline), read one at a time."""
    while left > 0:
        raw = f.readline(min(left, _MAX_LINE))  # bounded: a line without "\n" must not fill the heap
        if not raw or raw[-1:] != b"\n":
            raise PackageError(INTEGRITY, "header cut short")
        left -= len(raw)
        if h is not None:
            h.update(raw)
        try:
            yield raw[:-1].decode()
        except UnicodeError:
            raise PackageError(BAD_TYPE, "header is not text")


def read_header(f):
    """Parse and hash the header of the package open in f."""
    f.seek(0)
    pre = f.read(PREFIX)
    total = declared_length(pre)
    if total < 0:
        raise PackageError(BAD_TYPE, "not an update package")
    hd = Header()
    hd.total = total
    hd.sig_type = pre[5]
    tlen = (pre[6] << 8) | pre[7]
    if tlen > _MAX_TEXT:
        raise PackageError(BAD_TYPE, "header too long")
    h = hashlib.sha256(pre)
    for line in _lines(f, tlen, h):
        if line.startswith("file="):
            size = _entry(line)[0]
            hd.files += 1
            hd.data_size += size
        elif line.startswith("board="):
            hd.board = line[6:]
        elif line.startswith("name="):
            hd.name = line[5:]
        elif line.startswith("version="):
            hd.version = line[8:]
    digest = f.read(32)
    n = f.read(2)
    if len(digest) != 32 or len(n) != 2:
        raise PackageError(INTEGRITY, "header cut short")
    hd.digest = h.digest()
    hd.digest_ok = digest == hd.digest
    slen = (n[0] << 8) | n[1]
    hd.signature = f.read(slen)
    if len(hd.signature) != slen:
        raise PackageError(INTEGRITY, "signature cut short")
    hd.data_offset = PREFIX + tlen + 34 + slen
    return hd


def entries(f):
    """(size, sha256 hex, path) of each file, in package order, read from f."""
    f.seek(6)
    b = f.read(2)
    f.seek(PREFIX)
    for line in _lines(f, (b[0] << 8) | b[1]):
        if line.startswith("file="):
            yield _entry(line)


def check(store, name, board, keys=None, length=None):
    """Everything about package `name` that can be checked before unpacking
    (raises PackageError): format, header digest, signature (when the board
    has a key: keys = {sig type: key}), board, declared length, free flash."""
    f = store.open(name, "rb")
    try:
        hd = read_header(f)
    finally:
        f.close()
    if not hd.digest_ok:
        raise PackageError(INTEGRITY, "header digest mismatch")
    if keys:
        key = keys.get(hd.sig_type)
        if key is None or not _sig.verify(hd.sig_type, key, hd.digest, hd.signature):
            raise PackageError(INTEGRITY, "bad or missing signature")
    if hd.board != board:
        raise PackageError(BAD_TYPE, "package for board %r, not %r" % (hd.board, board))
    size = store.size(name) if length is None else length
    if size != hd.total or hd.data_offset + hd.data_size != hd.total:
        raise PackageError(INTEGRITY, "package length %d, header says %d" % (size, hd.total))
    if hd.data_size > store.free():
        raise PackageError(NO_SPACE, "%d bytes to unpack, %d free" % (hd.data_size, store.free()))
    return hd


def makedirs(store, path):
    p = ""
    for seg in path.split("/"):
        p = p + "/" + seg if p else seg
        store.mkdir(p)


def rmtree(store, path):
    if store.isdir(path):
        for n in store.listdir(path):
            rmtree(store, path + "/" + n)
        store.rmdir(path)
    elif store.size(path) >= 0:
        store.remove(path)


def unpack(store, name, hd, into):
    """Copy each file of package `name` into folder `into`, checking its
    SHA-256 on the way; the first mismatch raises PackageError(INTEGRITY)."""
    lst = store.open(name, "rb")
    data = store.open(name, "rb")
    buf = bytearray(_CHUNK)
    try:
        data.seek(hd.data_offset)
        for size, hexd, path in entries(lst):
            parent = path.rfind("/")
            makedirs(store, into + ("/" + path[:parent] if parent > 0 else ""))
            out = store.open(into + "/" + path, "wb")
            h = hashlib.sha256()
            try:
                left = size
                while left:
                    n = data.readinto(memoryview(buf)[: min(left, _CHUNK)])
                    if not n:
                        raise PackageError(INTEGRITY, "package cut short")
                    chunk = memoryview(buf)[:n]
                    h.update(chunk)
                    out.write(chunk)
                    left -= n
            finally:
                out.close()
            if hexstr(h.digest()) != hexd:
                raise PackageError(INTEGRITY, "%s: SHA-256 mismatch" % path)
    finally:
        lst.close()
        data.close()
