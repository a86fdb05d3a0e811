# Mutated golden messages on both runtimes: whatever the bytes, a decoder
# returns a whole result or raises CodecError, nothing else (MicroPython's
# json, str and struct fail with their own exception types; none may escape).
from lwm2m import codec
from lwm2m.codec import cbor, linkformat
from lwm2m.error import CodecError
import test_codec_golden as g
from support import unhex

_M = (1 << 32) - 1


class _Rand:
    # xorshift32: the same mutations on both runtimes
    def __init__(self, seed):
        self.s = seed

    def next(self, n):
        s = self.s
        s ^= (s << 13) & _M
        s ^= s >> 17
        s ^= (s << 5) & _M
        self.s = s
        return s % n if n else 0


def _any_type(path):
    return None if None in path else (sum(path) * 7 + len(path)) % 10


def _mutants(wire, rnd, count):
    for _ in range(count):
        b = bytearray(wire)
        for _ in range(1 + rnd.next(3)):
            i = rnd.next(len(b))
            op = rnd.next(4)
            if op == 0 and b:
                b[i] ^= 1 << rnd.next(8)
            elif op == 1:
                b = b[:i]
            elif op == 2:
                b = b[:i] + bytes([rnd.next(256)]) + b[i:]
            elif b:
                b = b[:i] + b[i + 1 :]
        yield bytes(b)


def _survives(fn, data):
    try:
        fn(data)
    except CodecError:
        pass


def _check(cf, wire, seed, count=150):
    m = codec.get(cf)
    bases = ((), (3,), (3, 0), (3, 0, 6), (3303, 0, 5700))
    rnd = _Rand(seed)
    for data in _mutants(wire, rnd, count):
        for base in bases:
            _survives(lambda d: m.decode(d, base, _any_type), data)
        if hasattr(m, "decode_paths"):
            _survives(m.decode_paths, data)


def test_mutated_tlv():
    _check(codec.TLV, unhex(g.DEV_TLV), 1)


def test_mutated_senml_json():
    _check(codec.SENML_JSON, unhex(g.DEV_SENML_JSON), 2)


def test_mutated_senml_cbor():
    _check(codec.SENML_CBOR, unhex(g.DEV_SENML_CBOR), 3)


def test_mutated_lwm2m_cbor():
    _check(codec.LWM2M_CBOR, unhex(g.DEV_LWM2M_CBOR), 4)


def test_mutated_lwm2m_json():
    _check(codec.LWM2M_JSON, unhex(g.DEV_LWM2M_JSON), 5)


def test_mutated_single_values():
    _check(codec.TEXT, b"-22.5e3", 6)
    _check(codec.CBOR, unhex("c1 fb41d452d9ec200000"), 7)


def test_mutated_cbor_and_link_format():
    rnd = _Rand(8)
    for data in _mutants(cbor.dumps({"a": [1, -2.5, b"x", {"b": None}], 3: "z" * 30, (1, 2): True}), rnd, 300):
        _survives(cbor.loads, data)
    for data in _mutants(b'</>;rt="oma.lwm2m";ct="60 110",</1>;ver=1.1,</1/0>,</3/0>;obs', rnd, 300):
        _survives(linkformat.decode, data)
