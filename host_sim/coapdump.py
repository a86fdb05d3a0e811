"""One-line description of a CoAP datagram for the trace, read with the
engine's own decoder (lwm2m.coap.message.decode).

Shows what a reader of the trace wants: type, code, MID, token,
Uri-Path?Query, Location-Path, Observe, Block1/Block2, Content-Format and the
payload size. Returns None for anything that is not a well-formed CoAP message.
"""
from lwm2m.coap import message as m

_TYPES = ("CON", "NON", "ACK", "RST")
_METHODS = {1: "GET", 2: "POST", 3: "PUT", 4: "DELETE", 5: "FETCH", 6: "PATCH", 7: "iPATCH"}


def code_name(code):
    if code == 0:
        return "EMPTY"
    if code < 32:
        return _METHODS.get(code, "0.%02d" % code)
    return "%d.%02d" % (code >> 5, code & 31)


def _block(value):
    num, more, szx = value
    return "%d/%d/%d" % (num, more, 16 << szx)


def describe(data):
    """'CON GET mid=1 tok=7a1c /3/0 obs=0 ...' or None if data is not CoAP."""
    try:
        msg = m.decode(bytes(data))
    except m.ParseError:
        return None
    words = [_TYPES[msg.type], code_name(msg.code), "mid=%d" % msg.mid]
    if msg.token:
        words.append("tok=" + msg.token.hex())
    path, query = msg.options(m.URI_PATH), msg.options(m.URI_QUERY)
    if path or query:
        words.append("/" + "/".join(_text(path)) + ("?" + "&".join(_text(query)) if query else ""))
    location = msg.options(m.LOCATION_PATH)
    if location:
        words.append("loc=/" + "/".join(_text(location)))
    if msg.observe() is not None:
        words.append("obs=%d" % msg.observe())
    if msg.content_format() is not None:
        words.append("cf=%d" % msg.content_format())
    if msg.block1() is not None:
        words.append("B1:" + _block(msg.block1()))
    if msg.block2() is not None:
        words.append("B2:" + _block(msg.block2()))
    if msg.payload:
        words.append("payload=%dB" % len(msg.payload))
    return " ".join(words)


def _text(values):
    return [v.decode("utf-8", "replace") for v in values]
