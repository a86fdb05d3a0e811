"""Payloads in and out, through the firmware codecs (`lwm2m.codec.get(fmt)`,
docs/design.md "Codecs"): the server has no codecs of its own."""
from lwm2m import datatype
from lwm2m.error import UNSUPPORTED_FORMAT, CodecError

from .names import LINK_FORMAT, format_name, parse_path, path_str


class NoCodec(ValueError):
    """The firmware has no codec for this content format (yet)."""


def _codec(fmt):
    try:
        from lwm2m import codec
    except ImportError:
        raise NoCodec("no lwm2m.codec package in firmware/")
    try:
        return codec.get(fmt)
    except CodecError as e:
        if e.code == UNSUPPORTED_FORMAT:
            raise NoCodec("no codec for content format %s" % format_name(fmt))
        raise


def no_types(path):
    return None


def decode(fmt, payload, base=(), type_of=no_types):
    """-> (content, error): content is a list of (path, value) for resource
    formats, of (path, attrs) for link-format, None when there is nothing to
    decode or decoding failed; error says why, None when all went well."""
    payload = bytes(payload)
    if fmt is None:
        return None, None
    if fmt == LINK_FORMAT:
        try:
            return decode_links(payload), None
        except ValueError as e:
            return None, "malformed link-format: %s" % e
    try:
        return _codec(fmt).decode(payload, tuple(base), type_of), None
    except NoCodec as e:
        return None, str(e)
    except CodecError as e:
        return None, "malformed %s payload: %s" % (format_name(fmt), e.message)


def decode_strict(fmt, payload, base=(), type_of=no_types):
    """Like decode() for payloads a device sends unasked (Send): a malformed one
    raises CodecError (the request is answered with its code); a format the
    codecs do not know yet gives (None, reason)."""
    try:
        return _codec(fmt).decode(bytes(payload), tuple(base), type_of), None
    except NoCodec as e:
        return None, str(e)


def encode(fmt, records, base=()):
    """records: list of (path, type, value[, timestamp]) -> bytes (NoCodec if absent)."""
    return _codec(fmt).encode(records, tuple(base))


def encode_paths(fmt, paths):
    return _codec(fmt).encode_paths([parse_path(p) for p in paths])


def decode_links(payload):
    """Link-format -> list of ('/path', [(name, value), ...]) in payload order;
    ValueError when malformed."""
    payload = bytes(payload)
    try:
        from lwm2m.codec import linkformat
    except ImportError:
        links = _aiocoap_links(payload)
    else:
        try:
            links = linkformat.decode(payload)
        except CodecError as e:
            raise ValueError(e.message)
    out = []
    for path, attrs in links:
        if not isinstance(path, str):
            path = path_str(path)
        out.append((path, [(n, v) for n, v in attrs]))
    return out


def _aiocoap_links(payload):
    # Until firmware/lwm2m/codec/linkformat.py lands: aiocoap's parser.
    from aiocoap.util import linkformat as aio_links

    try:
        text = payload.decode("utf-8")
        if not text.strip():
            return []
        return [(l.href, [tuple(p) for p in l.attr_pairs]) for l in aio_links.parse(text).links]
    except Exception as e:
        raise ValueError(str(e) or type(e).__name__)


def infer_type(value):
    if isinstance(value, bool):
        return datatype.BOOLEAN
    if isinstance(value, int):
        return datatype.INTEGER
    if isinstance(value, float):
        return datatype.FLOAT
    if isinstance(value, (bytes, bytearray)):
        return datatype.OPAQUE
    if isinstance(value, tuple):
        return datatype.OBJLNK
    return datatype.STRING


def records(values, base=()):
    """What a person gives -> codec records [(path, type, value)] in path order.
    values: {path: value}, [(path, value)] or [(path, type, value)]; paths may be
    relative to base when they are ints (a resource id under an instance)."""
    items = values.items() if isinstance(values, dict) else values
    out = []
    for item in items:
        path = item[0]
        path = tuple(base) + (path,) if isinstance(path, int) else parse_path(path)
        if len(item) == 2:
            out.append((path, infer_type(item[1]), item[1]))
        else:
            out.append((path, item[1], item[2]))
    out.sort(key=lambda r: r[0])
    return out
