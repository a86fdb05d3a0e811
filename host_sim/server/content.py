"""Payloads in and out, through the firmware codecs (`lwm2m.codec.get(fmt)`,
docs/design.md "Codecs"): the server has no codecs of its own."""
from lwm2m import datatype
from lwm2m.error import UNSUPPORTED_FORMAT, CodecError

from ..names import LINK_FORMAT, format_name, parse_path, path_str


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


def table_types():
    """type_of(path) from the generated object tables (the registry objects),
    for the formats that carry no types; no_types if the tables are absent."""
    try:
        from lwm2m.model import Model
    except ImportError:
        return no_types
    return Model().type_of  # an empty model: type_of only reads the tables


def decode(fmt, payload, base=(), type_of=no_types):
    """-> (content, error): content is a list of (path, value) for resource
    formats, of (path, attrs) for link-format, None when there is nothing to
    decode or decoding failed; error says why, None when all went well."""
    decoded, timed, error = decode_timed(fmt, payload, base, type_of)
    return decoded, error


def decode_timed(fmt, payload, base=(), type_of=no_types):
    """decode() plus the SenML times: -> (content, timed, error), timed a list
    of (path, value, time or None) for the SenML formats, else None."""
    payload = bytes(payload)
    if fmt is None:
        return None, None, None
    if fmt == LINK_FORMAT:
        try:
            return decode_links(payload), None, None
        except ValueError as e:
            return None, None, "malformed link-format: %s" % e
    try:
        codec = _codec(fmt)
        if hasattr(codec, "decode_timed"):
            timed = codec.decode_timed(payload, tuple(base), type_of)
            return [(p, v) for p, v, t in timed], timed, None
        return codec.decode(payload, tuple(base), type_of), None, None
    except NoCodec as e:
        return None, None, str(e)
    except CodecError as e:
        return None, None, "malformed %s payload: %s" % (format_name(fmt), e.message)


def decode_send(fmt, payload, type_of=no_types):
    """A Send payload -> ([(path, value, time or None)], error). A malformed
    one raises CodecError (the request is answered with its code); a format
    the codecs do not know gives (None, reason). SenML times are kept."""
    try:
        codec = _codec(fmt)
    except NoCodec as e:
        return None, str(e)
    payload = bytes(payload)
    if hasattr(codec, "decode_timed"):
        return codec.decode_timed(payload, (), type_of), None
    return [(p, v, None) for p, v in codec.decode(payload, (), type_of)], None


def encode(fmt, records, base=()):
    """records: list of (path, type, value[, timestamp]) -> bytes (NoCodec if absent)."""
    return _codec(fmt).encode(records, tuple(base))


def encode_paths(fmt, paths):
    return _codec(fmt).encode_paths([parse_path(p) for p in paths])


def decode_links(payload):
    """Link-format -> list of ('/path', [(name, value), ...]) in payload order;
    ValueError when malformed."""
    from lwm2m.codec import linkformat

    try:
        links = linkformat.decode(bytes(payload))
    except CodecError as e:
        raise ValueError(e.message)
    return [(p if isinstance(p, str) else path_str(p), [(n, v) for n, v in attrs]) for p, attrs in links]


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


def _coerce(kind, value):
    """A value typed by its look, made the type the object tables say."""
    if kind == datatype.FLOAT and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (datatype.STRING, datatype.CORELNK) and not isinstance(value, str):
        return str(value)
    if kind == datatype.OPAQUE and isinstance(value, str):
        return value.encode()
    if kind == datatype.BOOLEAN and value in (0, 1):
        return bool(value)
    return value


def records(values, base=(), type_of=no_types):
    """What a person gives -> codec records [(path, type, value)] in path order.
    values: {path: value}, [(path, value)] or [(path, type, value)]; an int path
    is a resource id under `base`. Without a type, the tables' (type_of) counts,
    else the Python value's."""
    items = values.items() if isinstance(values, dict) else values
    out = []
    for item in items:
        path = item[0]
        path = tuple(base) + (path,) if isinstance(path, int) else parse_path(path)
        if len(item) == 2:
            kind = type_of(path)
            if kind is None:
                out.append((path, infer_type(item[1]), item[1]))
            else:
                out.append((path, kind, _coerce(kind, item[1])))
        else:
            out.append((path, item[1], item[2]))
    out.sort(key=lambda r: r[0])
    return out
