# Errors that end in a CoAP response code. Codes are ints: class << 5 | detail,
# so 4.04 is 0x84. Every layer raises CoapError (or a subclass) and the engine
# answers with its code; nothing else may escape the main loop.
from lwm2m.compat import const

# Codes copied from lwm2m.coap.codes as private constants (tests/host/test_private_consts.py).
_BAD_REQUEST = const(0x80)


class CoapError(Exception):
    """An error with the CoAP response code it must be answered with."""

    def __init__(self, code, message=""):
        super().__init__(message)  # MicroPython has no Exception.__init__ to call
        self.code = code
        self.message = message


class CodecError(CoapError):
    """Malformed or unsupported payload: 4.00 by default, 4.15 for an unknown format."""

    def __init__(self, message, code=_BAD_REQUEST):
        CoapError.__init__(self, code, message)


def __getattr__(name):
    # The public names of the error codes (BAD_REQUEST, NOT_FOUND, ...)
    # come from lwm2m.coap.codes, loaded on first use (tests, tools, optional
    # modules); the core uses the private copies above and never loads it.
    from lwm2m.coap import codes  # feature: names

    return getattr(codes, name)
