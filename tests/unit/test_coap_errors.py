from lwm2m.error import CoapError, CodecError, NOT_FOUND, UNSUPPORTED_FORMAT


def test_coap_error_carries_code_and_message_on_both_runtimes():
    try:
        raise CoapError(NOT_FOUND, "no such object")
    except CoapError as e:
        assert e.code == NOT_FOUND and e.message == "no such object"
    e = CodecError("bad format", UNSUPPORTED_FORMAT)
    assert isinstance(e, CoapError) and e.code == UNSUPPORTED_FORMAT
