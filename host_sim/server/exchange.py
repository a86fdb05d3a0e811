"""One request to a device and its answer, decoded; observations."""
import asyncio

import aiocoap
import aiocoap.error
from aiocoap.numbers.codes import EMPTY
from aiocoap.numbers.types import NON, RST
from aiocoap.tokenmanager import TokenManager

from . import content
from ..names import code_str, format_name, path_str


class Result:
    """A device's answer: `code` an int like the firmware's (2.05 = 0x45),
    `content` the decoded payload (list of (path, value), or of (path, attrs)
    for link-format), `error` why it could not be decoded."""

    def __init__(self, code, fmt=None, payload=b"", content=None, error=None, location=(), observe=None,
                 timed=None):
        self.code = code
        self.format = fmt
        self.payload = payload
        self.content = content
        self.error = error
        self.location = location
        self.observe = observe
        self.timed = timed  # SenML formats: [(path, value, time or None)] (stored notifications carry times)

    @property
    def ok(self):
        return self.code >> 5 == 2

    @property
    def code_str(self):
        return code_str(self.code)

    def values(self):
        """{path tuple: value} of a decoded resource payload."""
        return dict(self.content or ())

    def __repr__(self):
        return "<Result %s>" % self.describe()

    def describe(self):
        text = code_str(self.code)
        if not self.ok and self.payload and self.format is None:
            return text + " " + repr(bytes(self.payload).decode("utf-8", "replace"))  # diagnostic payload
        if self.location:
            text += " location=/" + "/".join(self.location)
        if self.format is not None or self.payload:
            text += " %s" % format_name(self.format)
        if self.content is not None:
            if self.format == content.LINK_FORMAT:
                text += " " + ",".join("<%s>%s" % (p, "".join(";%s=%s" % a for a in attrs)) for p, attrs in self.content)
            else:
                text += " " + " ".join("%s=%r" % (path_str(p), v) for p, v in self.content)
        elif self.payload:
            text += " %d bytes %s" % (len(self.payload), bytes(self.payload[:32]).hex())
        if self.error:
            text += " (%s)" % self.error
        return text


def to_result(response, base, type_of):
    fmt = response.opt.content_format
    fmt = None if fmt is None else int(fmt)
    payload = bytes(response.payload)
    decoded, timed, error = content.decode_timed(fmt, payload, base, type_of) if payload else (None, None, None)
    return Result(
        int(response.code), fmt, payload, decoded, error,
        tuple(response.opt.location_path), response.opt.observe, timed,
    )


def uri_path(root, path):
    return tuple(p for p in root.split("/") if p) + tuple(str(i) for i in path)


def build(reg, code, path, payload=b"", fmt=None, accept=None, query=(), observe=None):
    msg = aiocoap.Message(code=code, payload=bytes(payload), uri_path=uri_path(reg.root, path))
    msg.remote = reg.remote
    if fmt is not None:
        msg.opt.content_format = fmt
    if accept is not None:
        msg.opt.accept = accept
    if query:
        msg.opt.uri_query = tuple(query)
    if observe is not None:
        msg.opt.observe = observe
    return msg


_FORCED_TOKENS = {}


def _token_managers(ctx):
    return [tm for tm in ctx.request_interfaces if isinstance(tm, TokenManager)]


def install_hooks(ctx, stray=None):
    """What aiocoap does not do that a LwM2M server must:
    - a cancel by GET Observe=1 carries the observation's token (RFC 7641
      3.6), but aiocoap picks every request's token: let a message ask for one;
    - a notification from a new address (NAT rebinding) on a token the server
      observes is the same device: stray(response) -> True once it moved it
      (with rekey()); aiocoap matches on (token, address) only;
    - a notification nobody waits for any more is rejected with RST even when
      it is NON (int-302; aiocoap only RSTs CON ones)."""
    for tm in _token_managers(ctx):
        if "request" in vars(tm):
            continue
        request, process_response = tm.request, tm.process_response

        def forced_request(pipe, tm=tm, request=request):
            token = _FORCED_TOKENS.pop(id(pipe.request), None)
            if token is None:
                return request(pipe)
            tm.next_token = lambda: token
            try:
                return request(pipe)
            finally:
                del tm.next_token

        def rematch(response, tm=tm, process_response=process_response):
            known = process_response(response)
            if not known and response.opt.observe is not None:
                if stray is not None and stray(response):
                    known = process_response(response)
                elif response.mtype == NON:
                    rst = aiocoap.Message(_mtype=RST, _mid=response.mid, code=EMPTY, payload=b"")
                    rst.remote = response.remote.as_response_address()
                    tm.token_interface._send_initially(rst)
            return known

        tm.request = forced_request
        tm.process_response = rematch


def rekey(ctx, token, old, new):
    """The exchange on `token` with `old` now expects its answers from `new`."""
    for tm in _token_managers(ctx):
        pending = tm.outgoing_requests.pop((token, old), None)
        if pending is not None:
            tm.outgoing_requests[(token, new)] = pending


async def send(ctx, msg, base, type_of, token=None):
    """One exchange -> Result. Bounded by the Outbox caller's timeout."""
    if token is not None:
        _FORCED_TOKENS[id(msg)] = token
        request = ctx.request(msg, handle_blockwise=False)
    else:
        request = ctx.request(msg)
    try:
        response = await request.response
    except aiocoap.error.NetworkError as e:
        raise ConnectionError("%s: %s" % (msg.remote.hostinfo, e)) from e
    finally:
        _FORCED_TOKENS.pop(id(msg), None)
    return to_result(response, base, type_of), request, response


class Observation:
    """An observation the server holds on a device: `result` the first answer,
    `next()` the notifications after it, `cancel()` to end it."""

    def __init__(self, server, ep, path, paths, fmt, result, request, response):
        self.server = server
        self.ep = ep
        self.path = path
        self.paths = paths  # Observe-Composite: the observed paths, else None
        self.format = fmt
        self.result = result
        self.token = response.token
        self.remote = response.remote
        self.active = result.ok and response.opt.observe is not None
        self._request = request
        self._notes = asyncio.Queue()
        if self.active and request.observation is not None:
            request.observation.register_callback(self._notified, _suppress_deprecation=True)
            request.observation.register_errback(self._ended, _suppress_deprecation=True)

    def _notified(self, response):
        result = to_result(response, self.path, self.server.type_of)
        self._notes.put_nowait(result)
        self.server.on_notification(self, result)

    def _ended(self, exc):
        self.active = False
        self._notes.put_nowait(None)

    async def next(self, timeout=5.0):
        """The next notification's Result; None once the observation ended;
        asyncio.TimeoutError when none comes in time."""
        return await asyncio.wait_for(self._notes.get(), timeout)

    def forget(self, ctx):
        """Stop listening; the device's next notification gets a Reset (int-302)."""
        for tm in _token_managers(ctx):
            tm.outgoing_requests.pop((self.token, self.remote), None)
        if self._request.observation is not None and not self._request.observation.cancelled:
            self._request.observation.cancel()
        if self.active:
            self.active = False
            self._notes.put_nowait(None)

    def __repr__(self):
        return "<Observation %s %s %s>" % (self.ep, path_str(self.path), "active" if self.active else "ended")
