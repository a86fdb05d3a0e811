"""One-line description of a CoAP datagram for the trace (RFC 7252 section 3).

Reads only what a reader of the trace wants: type, code, MID, token,
Uri-Path/Query, Location-Path, Observe, Block1/Block2, Content-Format and the
payload size. Returns None for anything that is not a well-formed CoAP message.
"""
_TYPES = ("CON", "NON", "ACK", "RST")
_METHODS = {1: "GET", 2: "POST", 3: "PUT", 4: "DELETE", 5: "FETCH", 6: "PATCH", 7: "iPATCH"}
_OBSERVE, _LOCATION_PATH, _URI_PATH, _CONTENT_FORMAT, _URI_QUERY = 6, 8, 11, 12, 15
_BLOCK2, _BLOCK1 = 23, 27


def code_name(code):
    if code == 0:
        return "EMPTY"
    if code < 32:
        return _METHODS.get(code, "0.%02d" % code)
    return "%d.%02d" % (code >> 5, code & 31)


def _uint(value):
    n = 0
    for b in value:
        n = (n << 8) | b
    return n


def _extended(nibble, data, i):
    if nibble < 13:
        return nibble, i
    if nibble == 13:
        return data[i] + 13, i + 1
    if nibble == 14:
        return (data[i] << 8 | data[i + 1]) + 269, i + 2
    raise ValueError("reserved option nibble")


def parse(data):
    """(type, code, mid, token, [(number, value)], payload); raises ValueError/IndexError."""
    data = bytes(data)
    if len(data) < 4 or data[0] >> 6 != 1:
        raise ValueError("not CoAP version 1")
    tkl = data[0] & 15
    if tkl > 8 or len(data) < 4 + tkl:
        raise ValueError("bad token length")
    mtype, code, mid = (data[0] >> 4) & 3, data[1], data[2] << 8 | data[3]
    token = data[4:4 + tkl]
    i, number, options = 4 + tkl, 0, []
    while i < len(data) and data[i] != 0xFF:
        head = data[i]
        delta, j = _extended(head >> 4, data, i + 1)
        length, j = _extended(head & 15, data, j)
        if j + length > len(data):
            raise ValueError("option runs past the end")
        number += delta
        options.append((number, data[j:j + length]))
        i = j + length
    payload = b""
    if i < len(data):
        payload = data[i + 1:]
        if not payload:
            raise ValueError("payload marker without payload")
    return mtype, code, mid, token, options, payload


def _block(value):
    n = _uint(value)
    return "%d/%d/%d" % (n >> 4, (n >> 3) & 1, 16 << (n & 7))


def describe(data):
    """'CON GET mid=1 tok=7a1c /3/0 obs=0 ...' or None if data is not CoAP."""
    try:
        mtype, code, mid, token, options, payload = parse(data)
    except (ValueError, IndexError):
        return None
    words = [_TYPES[mtype], code_name(code), "mid=%d" % mid]
    if token:
        words.append("tok=" + token.hex())
    path = [v.decode("utf-8", "replace") for n, v in options if n == _URI_PATH]
    query = [v.decode("utf-8", "replace") for n, v in options if n == _URI_QUERY]
    location = [v.decode("utf-8", "replace") for n, v in options if n == _LOCATION_PATH]
    if path or query:
        words.append("/" + "/".join(path) + ("?" + "&".join(query) if query else ""))
    if location:
        words.append("loc=/" + "/".join(location))
    for number, value in options:
        if number == _OBSERVE:
            words.append("obs=%d" % _uint(value))
        elif number == _BLOCK1:
            words.append("B1:" + _block(value))
        elif number == _BLOCK2:
            words.append("B2:" + _block(value))
        elif number == _CONTENT_FORMAT:
            words.append("cf=%d" % _uint(value))
    if payload:
        words.append("payload=%dB" % len(payload))
    return " ".join(words)
