# Golden vectors: the exact bytes of three reads in every format that can carry
# them. Expected bytes were computed independently of our encoders: TLV by hand
# from OMA-TS-LightweightM2M_Core (the Device object example of the TLV
# section), CBOR with cbor2 (canonical=True) and JSON with json.dumps on CPython.
#   TEMP:  Read /3303/0/5700 = 22.5 (float)
#   DEV:   Read /3/0 (manufacturer, model, serial, firmware, power sources {0: 1, 1: 5})
#   MULTI: Read /3/0/6, the multiple resource alone
from lwm2m import codec, datatype as T
from lwm2m.error import CodecError, NOT_ACCEPTABLE
from support import unhex, raises

TEMP_PATH = (3303, 0, 5700)
TEMP = [(TEMP_PATH, T.FLOAT, 22.5)]
DEV_PATH = (3, 0)
DEV = [
    ((3, 0, 0), T.STRING, "Open Mobile Alliance"),
    ((3, 0, 1), T.STRING, "Lightweight M2M Client"),
    ((3, 0, 2), T.STRING, "345000123"),
    ((3, 0, 3), T.STRING, "1.0"),
    ((3, 0, 6, 0), T.INTEGER, 1),
    ((3, 0, 6, 1), T.INTEGER, 5),
]
MULTI_PATH = (3, 0, 6)
MULTI = DEV[4:]

TYPES = {(3, 0, 0): T.STRING, (3, 0, 1): T.STRING, (3, 0, 2): T.STRING, (3, 0, 3): T.STRING, (3, 0, 6, 0): T.INTEGER, (3, 0, 6, 1): T.INTEGER, TEMP_PATH: T.FLOAT}
type_of = TYPES.get

TEMP_TEXT = "32322e35"  # "22.5"
TEMP_CBOR = "f94da0"  # half float 22.5
TEMP_TLV = "e4 1644 41b40000"  # resource, 16-bit id 5700, length 4; float32 22.5
TEMP_SENML_JSON = "5b7b226e 223a222f 33333033 2f302f35 37303022 2c227622 3a32322e 357d5d"
TEMP_SENML_CBOR = "81a2006c 2f333330 332f302f 35373030 02f94da0"
TEMP_LWM2M_CBOR = "a183190c e7001916 44f94da0"
TEMP_LWM2M_JSON = "7b22626e 223a222f 33333033 2f302f35 37303022 2c226522 3a5b7b22 76223a32 322e357d 5d7d"

DEV_TLV = (
    "c8 00 14 4f70656e204d6f62696c6520416c6c69616e6365"  # res 0, 20 bytes
    "c8 01 16 4c69676874776569676874204d324d20436c69656e74"  # res 1, 22 bytes
    "c8 02 09 333435303030313233"  # res 2, 9 bytes
    "c3 03 312e30"  # res 3, 3 bytes in the type byte
    "86 06 4100 01 4101 05"  # multiple res 6: instance 0 = 1, instance 1 = 5
)
DEV_SENML_JSON = (
    "5b7b2262 6e223a22 2f332f30 2f222c22 6e223a22 30222c22 7673223a 224f7065 6e204d6f 62696c65 "
    "20416c6c 69616e63 65227d2c 7b226e22 3a223122 2c227673 223a224c 69676874 77656967 6874204d "
    "324d2043 6c69656e 74227d2c 7b226e22 3a223222 2c227673 223a2233 34353030 30313233 227d2c7b "
    "226e223a 2233222c 22767322 3a22312e 30227d2c 7b226e22 3a22362f 30222c22 76223a31 7d2c7b22 "
    "6e223a22 362f3122 2c227622 3a357d5d "
)
DEV_SENML_CBOR = (
    "86a30061 3003744f 70656e20 4d6f6269 6c652041 6c6c6961 6e636521 652f332f 302fa200 61310376 "
    "4c696768 74776569 67687420 4d324d20 436c6965 6e74a200 61320369 33343530 30303132 33a20061 "
    "33036331 2e30a200 63362f30 0201a200 63362f31 0205 "
)
DEV_LWM2M_CBOR = (
    "a103a100 a500744f 70656e20 4d6f6269 6c652041 6c6c6961 6e636501 764c6967 68747765 69676874 "
    "204d324d 20436c69 656e7402 69333435 30303031 32330363 312e3006 a2000101 05 "
)
DEV_LWM2M_JSON = (
    "7b22626e 223a222f 332f302f 222c2265 223a5b7b 226e223a 2230222c 22737622 3a224f70 656e204d "
    "6f62696c 6520416c 6c69616e 6365227d 2c7b226e 223a2231 222c2273 76223a22 4c696768 74776569 "
    "67687420 4d324d20 436c6965 6e74227d 2c7b226e 223a2232 222c2273 76223a22 33343530 30303132 "
    "33227d2c 7b226e22 3a223322 2c227376 223a2231 2e30227d 2c7b226e 223a2236 2f30222c 2276223a "
    "317d2c7b 226e223a 22362f31 222c2276 223a357d 5d7d "
)

MULTI_TLV = "86 06 4100 01 4101 05"
# two full names (30 bytes of fields) beat bn "/3/0/6/" plus two short ones (31)
MULTI_SENML_JSON = "5b7b226e 223a222f 332f302f 362f3022 2c227622 3a317d2c 7b226e22 3a222f33 2f302f36 2f31222c 2276223a 357d5d"
MULTI_SENML_CBOR = "82a30061 30020121 672f332f 302f362f a2006131 0205"
MULTI_LWM2M_CBOR = "a1830300 06a20001 0105"
MULTI_LWM2M_JSON = (
    "7b22626e 223a222f 332f302f 362f222c 2265223a 5b7b226e 223a2230 222c2276 223a317d 2c7b226e "
    "223a2231 222c2276 223a357d 5d7d "
)


def _golden(cf, records, base, hexbytes):
    m = codec.get(cf)
    wire = unhex(hexbytes)
    got = m.encode(records, base)
    assert got == wire, (cf, got)
    assert m.decode(wire, base, type_of) == [(r[0], r[2]) for r in records], cf


def _not_acceptable(cf, records, base):
    e = raises(CodecError, codec.get(cf).encode, records, base)
    assert e.code == NOT_ACCEPTABLE


def test_temperature_text():
    _golden(codec.TEXT, TEMP, TEMP_PATH, TEMP_TEXT)


def test_temperature_cbor():
    _golden(codec.CBOR, TEMP, TEMP_PATH, TEMP_CBOR)


def test_temperature_tlv():
    _golden(codec.TLV, TEMP, TEMP_PATH, TEMP_TLV)


def test_temperature_senml_json():
    _golden(codec.SENML_JSON, TEMP, TEMP_PATH, TEMP_SENML_JSON)


def test_temperature_senml_cbor():
    _golden(codec.SENML_CBOR, TEMP, TEMP_PATH, TEMP_SENML_CBOR)


def test_temperature_lwm2m_cbor():
    _golden(codec.LWM2M_CBOR, TEMP, TEMP_PATH, TEMP_LWM2M_CBOR)


def test_temperature_lwm2m_json():
    _golden(codec.LWM2M_JSON, TEMP, TEMP_PATH, TEMP_LWM2M_JSON)


def test_temperature_opaque_not_acceptable():
    _not_acceptable(codec.OPAQUE, TEMP, TEMP_PATH)


def test_device_instance_tlv():
    _golden(codec.TLV, DEV, DEV_PATH, DEV_TLV)


def test_device_instance_senml_json():
    _golden(codec.SENML_JSON, DEV, DEV_PATH, DEV_SENML_JSON)


def test_device_instance_senml_cbor():
    _golden(codec.SENML_CBOR, DEV, DEV_PATH, DEV_SENML_CBOR)


def test_device_instance_lwm2m_cbor():
    _golden(codec.LWM2M_CBOR, DEV, DEV_PATH, DEV_LWM2M_CBOR)


def test_device_instance_lwm2m_json():
    _golden(codec.LWM2M_JSON, DEV, DEV_PATH, DEV_LWM2M_JSON)


def test_device_instance_single_value_formats_not_acceptable():
    for cf in (codec.TEXT, codec.OPAQUE, codec.CBOR):
        _not_acceptable(cf, DEV, DEV_PATH)


def test_multiple_resource_tlv():
    _golden(codec.TLV, MULTI, MULTI_PATH, MULTI_TLV)


def test_multiple_resource_senml_json():
    _golden(codec.SENML_JSON, MULTI, MULTI_PATH, MULTI_SENML_JSON)


def test_multiple_resource_senml_cbor():
    _golden(codec.SENML_CBOR, MULTI, MULTI_PATH, MULTI_SENML_CBOR)


def test_multiple_resource_lwm2m_cbor():
    _golden(codec.LWM2M_CBOR, MULTI, MULTI_PATH, MULTI_LWM2M_CBOR)


def test_multiple_resource_lwm2m_json():
    _golden(codec.LWM2M_JSON, MULTI, MULTI_PATH, MULTI_LWM2M_JSON)


def test_multiple_resource_single_value_formats_not_acceptable():
    for cf in (codec.TEXT, codec.OPAQUE, codec.CBOR):
        _not_acceptable(cf, MULTI, MULTI_PATH)
