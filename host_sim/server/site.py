"""The CoAP resources a device talks to: /rd (Register, Update, De-register),
/dp (Send) and /bs (Bootstrap-Request), as one aiocoap resource."""
import logging

import aiocoap
import aiocoap.resource
from aiocoap.numbers.codes import Code

from lwm2m.error import INTERNAL, METHOD_NOT_ALLOWED, NOT_FOUND, CoapError

_log = logging.getLogger("host_sim.server")


class Site(aiocoap.resource.Resource):
    def __init__(self, server):
        super().__init__()
        self.server = server

    async def needs_blockwise_assembly(self, request):
        # Packages (host_sim/server/firmware.py) are sliced statelessly, so a
        # device can resume a download at any block.
        return not (request.opt.uri_path[:1] == ("fw",) and getattr(self.server, "firmware", None) is not None)

    async def render(self, request):
        try:
            return self._route(request)
        except CoapError as e:
            return aiocoap.Message(code=Code(e.code), payload=e.message.encode())
        except Exception as e:  # a bug must not take the server down: 5.00 and a log line
            _log.exception("handling %s %s", request.code, request.opt.uri_path)
            return aiocoap.Message(code=Code(INTERNAL), payload=str(e).encode())

    def _route(self, request):
        server, code, path = self.server, request.code, tuple(request.opt.uri_path)
        if path == ("rd",):
            self._method(code, Code.POST)
            return server.register(request)
        if len(path) == 2 and path[0] == "rd":
            self._method(code, Code.POST, Code.DELETE)
            if code == Code.POST:
                return server.update(request, path[1])
            return server.deregister(request, path[1])
        if path == ("dp",):
            self._method(code, Code.POST)
            return server.send_op(request)
        if path == ("bs",) and server.bootstrap is not None:
            self._method(code, Code.POST)
            return server.bootstrap.request(server, request)
        if path[:1] == ("fw",) and getattr(server, "firmware", None) is not None:  # host_sim/server/firmware.py
            self._method(code, Code.GET)
            return server.firmware.render(request, path[1:])
        raise CoapError(NOT_FOUND, "no such resource")

    @staticmethod
    def _method(code, *allowed):
        if code not in allowed:
            raise CoapError(METHOD_NOT_ALLOWED, "method not allowed here")
