# Building an update package (the format lwm2m.fota.package reads; see
# docs/fota.md). Host side: tools/mkpackage.py and the tests use it; a board
# never needs it.
import hashlib
from lwm2m.compat import hexstr
from lwm2m.fota import package
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_FORMAT = const(1)


def build(files, board, name, version, sig_type=0, sign=None):
    """files: [(path, bytes)] in the order to unpack; sign(header_digest) ->
    signature bytes (of sig_type) or None for an unsigned package."""
    lines = ["board=%s" % board, "name=%s" % name, "version=%s" % version]
    for path, data in files:
        lines.append("file=%d %s %s" % (len(data), hexstr(hashlib.sha256(data).digest()), path))
    text = ("\n".join(lines) + "\n").encode()
    size = 0
    for path, data in files:
        size += len(data)
    # The signature length is part of the declared total, so sign first.
    pre = bytearray(package.MAGIC)
    pre.append(_FORMAT)
    pre.append(sig_type if sign else 0)
    pre.extend(len(text).to_bytes(2, "big"))
    pre.extend(bytes(4))
    digest_of = lambda p: hashlib.sha256(bytes(p) + text).digest()
    sig = sign(digest_of(pre)) if sign else b""
    # The digest covers the declared total; the signature length does not
    # change with the total, so compute the total and sign again.
    total = len(pre) + len(text) + 32 + 2 + len(sig) + size
    pre[8:12] = total.to_bytes(4, "big")
    digest = digest_of(pre)
    sig = sign(digest) if sign else b""
    out = bytearray(pre)
    out.extend(text)
    out.extend(digest)
    out.extend(len(sig).to_bytes(2, "big"))
    out.extend(sig)
    for path, data in files:
        out.extend(data)
    return bytes(out)
