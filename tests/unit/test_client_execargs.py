# Execute arguments (1.1.1 5.4.5).
from support import raises
from lwm2m.client.execargs import parse
from lwm2m.error import CoapError


def test_execute_arguments_digits_with_optional_quoted_values():
    assert parse(b"") == []
    assert parse(b"0='on',3,7='a, b'") == [(0, "on"), (3, None), (7, "a, b")]
    assert parse("5=''") == [(5, "")]


def test_execute_arguments_malformed_is_4_00():
    for bad in (b"x", b"10", b"0=on", b"0='on", b"0,", b",0", b"0;1", b"\xff"):
        assert raises(CoapError, parse, bad).code == 0x80, bad
