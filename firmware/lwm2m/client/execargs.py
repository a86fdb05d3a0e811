# Execute arguments (LwM2M 1.1.1 5.4.5, Transport 7.4): text like
#   0='on',3,7='a b'
# one digit per argument, an optional single-quoted value without quotes
# inside. Anything else is answered 4.00.
from lwm2m.error import CoapError
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00


def parse(payload):
    """bytes/str -> list of (digit int, value str or None) in the given order."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            text = bytes(payload).decode()
        except Exception:
            raise CoapError(_BAD_REQUEST, "arguments are not UTF-8")
    else:
        text = payload
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if not "0" <= c <= "9":
            raise CoapError(_BAD_REQUEST, "argument must start with a digit")
        i += 1
        value = None
        if i < n and text[i] == "=":
            if i + 1 >= n or text[i + 1] != "'":
                raise CoapError(_BAD_REQUEST, "argument value must be quoted")
            end = text.find("'", i + 2)
            if end < 0:
                raise CoapError(_BAD_REQUEST, "unterminated argument value")
            value = text[i + 2:end]
            i = end + 1
        out.append((int(c), value))
        if i < n:
            if text[i] != "," or i + 1 == n:
                raise CoapError(_BAD_REQUEST, "arguments are separated by ','")
            i += 1
    return out
