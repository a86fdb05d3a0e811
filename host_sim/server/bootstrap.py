"""Bootstrap-server mode: POST /bs?ep=NAME[&pct=FMT] -> 2.04, then the
configured script runs against the device (Bootstrap-Delete / -Write /
-Discover / -Read) and ends with Bootstrap-Finish (POST /bs). DTLS comes later."""
import asyncio

import aiocoap
from aiocoap.numbers.codes import Code

from lwm2m.error import BAD_REQUEST, CoapError

from ..names import content_format
from .registration import parse_query


def script_for(uri, ssid=101, lifetime=300, binding="U", identity=None, key=None):
    """The usual bootstrap script: delete what the device has (Bootstrap-Delete
    on /, which spares the bootstrap account), then one Security instance
    (NoSec, or PSK with identity and key) and one Server instance for the LwM2M
    server at `uri`."""
    security = {0: uri, 1: False, 2: 3, 10: ssid}
    if identity is not None:
        security.update({2: 0, 3: identity.encode(), 5: bytes(key)})
    return [
        ("delete", "/"),
        ("write", "/0/1", security),
        ("write", "/1/0", {0: ssid, 1: lifetime, 6: False, 7: binding}),
    ]


class Session:
    """A device being bootstrapped: where to reach it (what a Registration
    gives the request path to a registered device)."""

    def __init__(self, ep, remote, pct):
        self.ep = ep
        self.remote = remote
        self.pct = pct
        self.root = "/"
        self.queue = False


class Bootstrap:
    """scripts: {endpoint name: [step, ...]}, `default` for any other name.
    Steps: ("delete", path), ("write", path, values or bytes[, fmt]),
    ("discover", path), ("read", path[, accept]). Bootstrap-Finish follows the
    last step by itself (unless finish=False: a test then drives the session
    with the server's API and calls server.bootstrap_finish)."""

    def __init__(self, scripts=None, default=None, fmt="senml-cbor", finish=True):
        self.scripts = dict(scripts or {})
        self.default = default
        self.fmt = content_format(fmt)
        self.finish = finish
        self.sessions = {}

    def request(self, server, request):
        params = parse_query(request.opt.uri_query)
        ep = params.get("ep")
        if not ep:
            raise CoapError(BAD_REQUEST, "ep is missing")
        script = self.scripts.get(ep, self.default)
        if script is None:
            raise CoapError(BAD_REQUEST, "no bootstrap configuration for %s" % ep)
        pct = params.get("pct")
        if pct is not None and not pct.isdigit():
            raise CoapError(BAD_REQUEST, "pct must be a content format number")
        session = Session(ep, request.remote, None if pct is None else int(pct))
        self.sessions[ep] = session
        server.events.emit("bootstrap-request", ep, pct=session.pct)
        # after the 2.04 has left
        asyncio.get_running_loop().call_soon(server.spawn, self._run(server, session, list(script)))
        return aiocoap.Message(code=Code.CHANGED)

    async def _run(self, server, session, script):
        ep, results = session.ep, []
        fmt = session.pct or self.fmt
        try:
            for step in script:
                op, path = step[0], step[1]
                if op == "delete":
                    result = await server.delete(ep, path)
                elif op == "write":
                    data = step[2]
                    step_fmt = step[3] if len(step) > 3 else fmt
                    if isinstance(data, (bytes, bytearray)):
                        result = await server.write(ep, path, payload=data, fmt=step_fmt)
                    else:
                        result = await server.write(ep, path, data, fmt=step_fmt)
                elif op == "discover":
                    result = await server.discover(ep, path)
                elif op == "read":
                    result = await server.read(ep, path, step[2] if len(step) > 2 else None)
                else:
                    raise ValueError("unknown bootstrap step %r" % (op,))
                results.append((step, result))
                if not result.ok:
                    break
            else:
                if self.finish:
                    result = await server.bootstrap_finish(ep)
                    results.append((("finish",), result))
        except Exception as e:  # a timeout or a bad script ends the session, never the server
            results.append((("error",), e))
        ok = all(getattr(r, "ok", False) for _, r in results)
        if not ok:
            self.sessions.pop(ep, None)
        if self.finish or not ok:  # the session is over
            server.events.emit("bootstrap-finished", ep, ok=ok, results=results)
