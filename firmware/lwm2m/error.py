# Errors that end in a CoAP response code. Codes are ints: class << 5 | detail,
# so 4.04 is 0x84. Every layer raises CoapError (or a subclass) and the engine
# answers with its code; nothing else may escape the main loop.
BAD_REQUEST = 0x80  # 4.00
UNAUTHORIZED = 0x81  # 4.01
BAD_OPTION = 0x82  # 4.02
NOT_FOUND = 0x84  # 4.04
METHOD_NOT_ALLOWED = 0x85  # 4.05
NOT_ACCEPTABLE = 0x86  # 4.06
INCOMPLETE = 0x88  # 4.08
PRECONDITION_FAILED = 0x8C  # 4.12
TOO_LARGE = 0x8D  # 4.13
UNSUPPORTED_FORMAT = 0x8F  # 4.15
INTERNAL = 0xA0  # 5.00
NOT_IMPLEMENTED = 0xA1  # 5.01


class CoapError(Exception):
    """An error with the CoAP response code it must be answered with."""

    def __init__(self, code, message=""):
        super().__init__(message)  # MicroPython has no Exception.__init__ to call
        self.code = code
        self.message = message


class CodecError(CoapError):
    """Malformed or unsupported payload: 4.00 by default, 4.15 for an unknown format."""

    def __init__(self, message, code=BAD_REQUEST):
        CoapError.__init__(self, code, message)
