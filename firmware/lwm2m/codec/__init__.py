# Content formats -> codec modules, imported on first use so a board pays
# (in RAM and, when not frozen, flash) only for the formats it speaks.
from lwm2m.error import CodecError
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_UNSUPPORTED_FORMAT = const(0x8F)  # 4.15

TEXT = 0
LINK = 40
OPAQUE = 42
CBOR = 60
SENML_JSON = 110
SENML_CBOR = 112
TLV = 11542
LWM2M_JSON = 11543
LWM2M_CBOR = 11544

# format, module, format, module, ...: one flat tuple (pairs would be nine
# more tuple objects on the heap)
_MODULES = (
    TEXT, "text",
    LINK, "linkformat",
    OPAQUE, "opaque",
    CBOR, "cbor_value",
    SENML_JSON, "senml_json",
    SENML_CBOR, "senml_cbor",
    TLV, "tlv",
    LWM2M_JSON, "lwm2m_json",
    LWM2M_CBOR, "lwm2m_cbor",
)


def module_name(content_format):
    for i in range(0, len(_MODULES), 2):
        if _MODULES[i] == content_format:
            return "lwm2m.codec." + _MODULES[i + 1]
    return None


def get(content_format):
    """The codec module for a content format; CodecError 4.15 if there is none
    (or it was left off this board's build)."""
    import sys

    name = module_name(content_format)
    if name is None:
        raise CodecError("unsupported content format %s" % content_format, _UNSUPPORTED_FORMAT)
    mod = sys.modules.get(name)
    if mod is None:
        try:
            __import__(name)
        except ImportError:
            raise CodecError("content format %s not built in" % content_format, _UNSUPPORTED_FORMAT)
        mod = sys.modules[name]
    return mod


def formats():
    """Every content format this build knows, in number order."""
    return list(_MODULES[::2])
