"""Paths and content-format names as a person types them, and back."""

FORMATS = {
    "text": 0,
    "plain": 0,
    "link": 40,
    "opaque": 42,
    "cbor": 60,
    "senml-json": 110,
    "senml-cbor": 112,
    "tlv": 11542,
    "json": 11543,
    "lwm2m-json": 11543,
    "lwm2m-cbor": 11544,
}
LINK_FORMAT = 40
SENML_CBOR = 112

_FORMAT_NAMES = {}
for _name, _number in FORMATS.items():
    _FORMAT_NAMES.setdefault(_number, _name)


def content_format(fmt):
    """A Content-Format number from a number, a digit string or a name; None stays None."""
    if fmt is None or isinstance(fmt, int):
        return fmt
    text = str(fmt).strip().lower()
    if text.isdigit():
        return int(text)
    try:
        return FORMATS[text]
    except KeyError:
        raise ValueError("unknown content format %r (one of %s)" % (fmt, ", ".join(sorted(FORMATS))))


def format_name(number):
    if number is None:
        return "none"
    return _FORMAT_NAMES.get(number, str(number))


def parse_path(path):
    """'/3/0/1' or (3, 0, 1) -> (3, 0, 1); '/' or '' -> (). ValueError on anything else."""
    if isinstance(path, (tuple, list)):
        parts = tuple(path)
    else:
        text = str(path).strip().strip("/")
        parts = tuple(text.split("/")) if text else ()
    try:
        ids = tuple(int(p) for p in parts)
    except (TypeError, ValueError):
        raise ValueError("bad LwM2M path %r" % (path,))
    if len(ids) > 4 or any(i < 0 or i > 65535 for i in ids):
        raise ValueError("bad LwM2M path %r" % (path,))
    return ids


def path_str(path):
    return "/" + "/".join(str(i) for i in path)


def code_str(code):
    """0x45 -> '2.05'."""
    return "%d.%02d" % (code >> 5, code & 0x1F)


def now():
    """Seconds on the running event loop's clock: virtual under the simulator's
    loop (host_sim/aio.py), monotonic otherwise."""
    import asyncio

    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        import time

        return time.monotonic()
