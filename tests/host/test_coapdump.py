# The trace's one-line CoAP decode, checked against messages aiocoap encodes.
import aiocoap
from aiocoap.optiontypes import BlockOption

from host_sim.coapdump import describe


def message(mtype, mid, token, **options):
    # Header fields set after construction: aiocoap deprecates passing them in.
    msg = aiocoap.Message(**options)
    msg.mtype, msg.mid, msg.token = mtype, mid, token
    return msg


def test_rfc7252_figure_example_get():
    # RFC 7252 appendix-style CON GET /temperature, MID 0x7d34, no token.
    data = bytes.fromhex("40017d34bb74656d7065726174757265")
    assert describe(data) == "CON GET mid=32052 /temperature"


def test_observe_block_and_payload_fields():
    msg = message(aiocoap.CON, 7, b"\x1a\x2b", code=aiocoap.CONTENT,
                  payload=b"x" * 64, observe=12, content_format=11542)
    msg.opt.block2 = BlockOption.BlockwiseTuple(3, True, 2)
    assert describe(msg.encode()) == "CON 2.05 mid=7 tok=1a2b obs=12 cf=11542 B2:3/1/64 payload=64B"


def test_query_location_and_block1():
    msg = message(aiocoap.CON, 1, b"\x01", code=aiocoap.POST,
                  uri_path=("rd",), uri_query=("ep=dev", "lt=300"))
    msg.opt.block1 = BlockOption.BlockwiseTuple(0, True, 6)
    assert describe(msg.encode()) == "CON POST mid=1 tok=01 /rd?ep=dev&lt=300 B1:0/1/1024"
    ack = message(aiocoap.ACK, 1, b"\x01", code=aiocoap.CREATED,
                  location_path=("rd", "5a3f"))
    assert describe(ack.encode()) == "ACK 2.01 mid=1 tok=01 loc=/rd/5a3f"


def test_empty_ack_and_rst():
    assert describe(bytes.fromhex("60001234")) == "ACK EMPTY mid=4660"
    assert describe(bytes.fromhex("70001234")) == "RST EMPTY mid=4660"


def test_garbage_is_not_coap():
    for data in (b"", b"\x40", b"hello", bytes.fromhex("4f010001"), bytes.fromhex("400100 01ff".replace(" ", "")),
                 bytes.fromhex("40010001 f0".replace(" ", "")), bytes.fromhex("400100010d")):
        assert describe(data) is None, data
