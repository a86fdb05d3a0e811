# CoAP's numbers by name (RFC 7252, 7641, 7959): message types, method and
# response codes, option numbers. Codes are ints: class << 5 | detail, so 4.04
# is 0x84. lwm2m.coap.message and lwm2m.error hand these names out on demand
# (their module __getattr__), so `from lwm2m.coap.message import CON` works as
# before; the firmware's core modules use private const() copies instead and
# never load this module: a public module constant costs a dict slot and a
# qstr on the heap in every module that imports it (docs/footprint.md).
from lwm2m.compat import const

# Message types
CON = const(0)
NON = const(1)
ACK = const(2)
RST = const(3)

# Method codes (class 0) and the success codes; error codes are in lwm2m.error
EMPTY = const(0)
GET = const(1)
POST = const(2)
PUT = const(3)
DELETE = const(4)
FETCH = const(5)
PATCH = const(6)
IPATCH = const(7)
CREATED = const(0x41)
DELETED = const(0x42)
VALID = const(0x43)
CHANGED = const(0x44)
CONTENT = const(0x45)
CONTINUE = const(0x5F)

# Option numbers
IF_MATCH = const(1)
URI_HOST = const(3)
ETAG = const(4)
IF_NONE_MATCH = const(5)
OBSERVE = const(6)
URI_PORT = const(7)
LOCATION_PATH = const(8)
URI_PATH = const(11)
CONTENT_FORMAT = const(12)
MAX_AGE = const(14)
URI_QUERY = const(15)
ACCEPT = const(17)
LOCATION_QUERY = const(20)
BLOCK2 = const(23)
BLOCK1 = const(27)
SIZE2 = const(28)
PROXY_URI = const(35)
PROXY_SCHEME = const(39)
SIZE1 = const(60)

# Error response codes (raised as lwm2m.error.CoapError)
BAD_REQUEST = const(0x80)  # 4.00
UNAUTHORIZED = const(0x81)  # 4.01
BAD_OPTION = const(0x82)  # 4.02
NOT_FOUND = const(0x84)  # 4.04
METHOD_NOT_ALLOWED = const(0x85)  # 4.05
NOT_ACCEPTABLE = const(0x86)  # 4.06
INCOMPLETE = const(0x88)  # 4.08
PRECONDITION_FAILED = const(0x8C)  # 4.12
TOO_LARGE = const(0x8D)  # 4.13
UNSUPPORTED_FORMAT = const(0x8F)  # 4.15
INTERNAL = const(0xA0)  # 5.00
NOT_IMPLEMENTED = const(0xA1)  # 5.01
