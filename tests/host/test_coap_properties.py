"""Property tests of the CoAP codec and of the endpoint's answers to bad input
(RFC 7252 sections 3, 4.2, 4.3, 5.4.1)."""
from hypothesis import given, settings, strategies as st

from coap_fakes import endpoint
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message, ParseError, decode

_KNOWN_CRITICAL = {3, 7, 11, 15, 17, 23, 27}


@st.composite
def messages(draw):
    code = draw(st.integers(0, 255))
    m = Message(code, draw(st.integers(0, 3)), draw(st.integers(0, 0xFFFF)))
    if code == 0:
        return m  # an empty message is the bare header
    m.token = draw(st.binary(max_size=8))
    for num, value in draw(st.lists(st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=300)), max_size=8)):
        m.add_option(num, value)
    m.payload = draw(st.binary(max_size=200))
    return m


@given(messages())
@settings(max_examples=400)
def test_decode_of_encode_is_identity(m):
    assert decode(m.encode()) == m
    assert len(m.encode()) == m.size()


@given(st.binary(max_size=64))
@settings(max_examples=1000)
def test_random_bytes_raise_only_parse_error(data):
    try:
        decode(data)
    except ParseError:
        pass


@st.composite
def mutated(draw):
    raw = bytearray(draw(messages()).encode())
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.integers(0, 2))
        i = draw(st.integers(0, len(raw)))
        if op == 0 and i < len(raw):
            raw[i] = draw(st.integers(0, 255))
        elif op == 1:
            del raw[i:]
        else:
            raw[i:i] = draw(st.binary(min_size=1, max_size=3))
    return bytes(raw)


@given(mutated())
@settings(max_examples=1000)
def test_mutated_messages_raise_only_parse_error(data):
    try:
        m = decode(data)
    except ParseError:
        return
    assert decode(m.encode()) == m


def _ok(r, peer):
    return Message(cm.CONTENT, payload=b"x")


@given(st.one_of(mutated(), st.binary(max_size=40)))
@settings(max_examples=1000)
def test_endpoint_answers_bad_input_as_rfc7252_says(data):
    ep, link, clock = endpoint(_ok)
    errors = []
    ep.trace = lambda d, peer, x: d == "err" and errors.append(x)
    ep.receive(data, "P")
    out = link.take()
    assert errors == []
    try:
        m = decode(data)
    except ParseError:
        con = len(data) >= 4 and data[0] >> 4 == 4
        # A malformed CON is rejected with RST; any other malformed message is dropped.
        assert [(o.type, o.code, o.mid) for o in out] == ([(cm.RST, 0, data[2] << 8 | data[3])] if con else [])
        return
    cls = m.code >> 5
    if m.code == 0:
        assert [(o.type, o.code) for o in out] == ([(cm.RST, 0)] if m.type == cm.CON else [])
    elif cls == 0 and m.type in (cm.CON, cm.NON):
        # RFC 7252 5.4.3: a value outside an option's length range makes it an
        # unrecognized option (a Block1/Block2 value is at most 3 bytes)
        crit = [m.opts[i] for i in range(0, len(m.opts), 2)  # a decoded value is offset << 16 | length
                if m.opts[i] & 1 and (m.opts[i] not in _KNOWN_CRITICAL
                                      or (m.opts[i] in (cm.BLOCK1, cm.BLOCK2) and m.len_at(i) > 3))]
        if m.type == cm.NON and crit:
            assert out == []
        else:
            assert len(out) == 1 and out[0].token == m.token
            r = out[0]
            assert r.type == (cm.ACK if m.type == cm.CON else cm.NON)
            if m.type == cm.CON:
                assert r.mid == m.mid
            if crit and cm.PROXY_URI not in m.opts[::2] and cm.PROXY_SCHEME not in m.opts[::2]:
                assert r.code == 0x82
    elif cls in (2, 4, 5):
        # no exchange is waiting: a CON response is rejected, others dropped
        assert [(o.type, o.mid) for o in out] == ([(cm.RST, m.mid)] if m.type == cm.CON else [])
    else:
        assert [(o.type, o.mid) for o in out] == ([(cm.RST, m.mid)] if m.type == cm.CON else [])


@given(messages(), messages())
@settings(max_examples=300)
def test_decode_into_a_reused_message_equals_a_fresh_decode(a, b):
    m = decode(a.encode())
    assert decode(b.encode(), m) == b and m.size() == b.size()
