# Every difference between CPython and MicroPython lives here; the rest of
# firmware/ imports from this module and never asks which runtime it is on.
# Also the few tiny helpers that layers which must not import each other
# share (hex text for AT modems and packages, trace hooks): this module is the lowest layer.
try:
    from micropython import const
except ImportError:  # pragma: no cover - CPython

    def const(x):
        return x


try:
    from time import ticks_ms, ticks_diff, ticks_add, sleep_ms
except ImportError:  # pragma: no cover - CPython
    import time as _time

    # Same wrap-around as MicroPython's ticks (2**30 ms, ~12.4 days), so
    # code that forgets ticks_diff fails on CPython too.
    _PERIOD = 1 << 30
    _HALF = _PERIOD >> 1
    _T0 = _time.monotonic()

    def ticks_ms():
        return int((_time.monotonic() - _T0) * 1000) & (_PERIOD - 1)

    def ticks_add(ticks, delta):
        return (ticks + delta) & (_PERIOD - 1)

    def ticks_diff(end, start):
        return ((end - start + _HALF) & (_PERIOD - 1)) - _HALF

    def sleep_ms(ms):
        _time.sleep(ms / 1000)


import time as _time_mod


def time():
    """Whole seconds from the real-time clock, which on a board keeps counting
    through deep sleep (CPython gives a float, MicroPython an int)."""
    return int(_time_mod.time())

try:
    from random import getrandbits
except ImportError:  # pragma: no cover - ports built without random
    from os import urandom as _urandom

    def getrandbits(bits):
        n = int.from_bytes(_urandom((bits + 7) >> 3), "big")
        return n & ((1 << bits) - 1)


def oserror_code(exc):
    """The errno of an OSError; .errno differs between runtimes, args[0] not."""
    return exc.args[0] if exc.args else 0


def hexstr(data, upper=False):
    """Hex text of bytes, lower case unless upper (AT modems' manuals write
    upper case): bytes.hex() is not on every MicroPython port."""
    f = "%02X" if upper else "%02x"
    return "".join(f % b for b in data)


def say(trace, text):
    """trace(text) when there is a hook; a hook that fails is ignored, so a
    broken trace never takes a main loop down."""
    if trace is not None:
        try:
            trace(text)
        except Exception:
            pass


def sockaddr(host, port):
    """A socket address usable with sendto/bind on this runtime."""
    import socket

    return socket.getaddrinfo(host, port)[0][-1]


def read_ready(stream):
    """Bytes that a stream poll() found readable has now (b"" at its end),
    without waiting for more. CPython buffers sys.stdin, so read once from the
    raw file below it; MicroPython's stdin is unbuffered: read one line."""
    raw = getattr(getattr(stream, "buffer", None), "raw", None)
    if raw is not None:  # pragma: no cover - CPython's stdin
        return raw.read(512) or b""
    line = stream.readline()
    return line.encode() if isinstance(line, str) else line


def tls():
    """The `tls` module: MicroPython's own (mbedTLS), or on CPython host_sim's
    shim of the same API over python-mbedtls (host_sim/mbedtls_tls.py).
    A function, so that importing compat loads neither."""
    try:
        import tls as m

        return m
    except ImportError:  # pragma: no cover - CPython, or a board built without tls
        pass
    try:
        from host_sim import mbedtls_tls as m
    except ImportError:  # pragma: no cover - CPython with only firmware/ on sys.path
        import os
        import sys

        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if not os.path.isdir(os.path.join(root, "host_sim")):
            raise ImportError("no DTLS here: no tls module (MicroPython built without mbedTLS?)")
        sys.path.append(root)
        from host_sim import mbedtls_tls as m
    return m


def mem_free():
    """Free heap bytes (MicroPython gc); 0 where the runtime cannot say."""
    import gc

    try:
        return gc.mem_free()
    except AttributeError:  # pragma: no cover - CPython
        return 0


def mem_total():
    """Total heap bytes (free + allocated) on MicroPython, 0 on CPython."""
    import gc

    try:
        return gc.mem_free() + gc.mem_alloc()
    except AttributeError:  # pragma: no cover - CPython
        return 0
