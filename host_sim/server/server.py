"""The embedded LwM2M server: registration directory, Send, bootstrap, and the
device-management operations as an async API (see docs/server.md)."""
import asyncio
import secrets

import aiocoap
from aiocoap.numbers.codes import Code

from lwm2m.error import BAD_REQUEST, NOT_FOUND, CoapError

from . import content
from .events import Events
from .exchange import Observation, build, send
from .names import LINK_FORMAT, SENML_CBOR, content_format, parse_path
from .outbox import Outbox
from .registration import Registration, parse_objects, parse_query, parse_register, parse_update
from .site import Site

DEFAULT_PORT = 5683


class UnknownEndpoint(LookupError):
    pass


class LwM2MServer:
    """`async with LwM2MServer(port=0) as server:` ... `server.port` is the port
    it listens on. Settings: awake_time (queue mode, seconds a device listens
    after it spoke), timeout (default bound of every API call), lifetime_grace
    (seconds past a lifetime before a registration expires), type_of (path ->
    datatype code, for formats without types), bootstrap (a Bootstrap, or None
    for a plain LwM2M server)."""

    def __init__(self, host="127.0.0.1", port=DEFAULT_PORT, awake_time=93.0, timeout=30.0,
                 lifetime_grace=0.0, type_of=None, bootstrap=None):
        self.host = host
        self.port = port
        self.awake_time = awake_time
        self.timeout = timeout
        self.lifetime_grace = lifetime_grace
        self.type_of = type_of or content.no_types
        self.bootstrap = bootstrap
        self.events = Events()
        self.ctx = None
        self._regs = {}  # registration id -> Registration
        self._ids = {}  # endpoint name -> registration id
        self._outboxes = {}  # endpoint name -> Outbox (survives a re-register)
        self._observations = {}  # endpoint name -> [Observation]
        self._timers = {}  # registration id -> expiry TimerHandle
        self._tasks = set()

    # -- life cycle ---------------------------------------------------------
    async def start(self):
        self.ctx = await aiocoap.Context.create_server_context(
            Site(self), bind=(self.host, self.port), transports=["udp6"])
        for ri in self.ctx.request_interfaces:
            self.port = ri.token_interface.message_interface._local_port()
        return self

    async def stop(self):
        for timer in self._timers.values():
            timer.cancel()
        for outbox in self._outboxes.values():
            outbox.close("server stopped")
        for task in list(self._tasks):
            task.cancel()
        if self.ctx is not None:
            await asyncio.wait_for(self.ctx.shutdown(), 5)
            self.ctx = None

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc):
        await self.stop()

    def spawn(self, coro):
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- the directory ------------------------------------------------------
    def registration(self, ep):
        """The Registration of endpoint `ep`, or None."""
        return self._regs.get(self._ids.get(ep))

    def registrations(self):
        return sorted(self._regs.values(), key=lambda r: r.ep)

    def by_id(self, reg_id):
        return self._regs.get(reg_id)

    def by_remote(self, remote):
        for reg in self._regs.values():
            if reg.remote == remote:
                return reg
        return None

    def outbox(self, ep):
        if ep not in self._outboxes:
            self._outboxes[ep] = Outbox(self.awake_time)
        return self._outboxes[ep]

    def _schedule_expiry(self, reg):
        old = self._timers.pop(reg.id, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._timers[reg.id] = loop.call_later(max(0.0, reg.expires_in()), self._expire, reg.id)

    def _expire(self, reg_id):
        reg = self._regs.get(reg_id)
        if reg is None:
            return
        if reg.expires_in() > 0:  # updated meanwhile
            self._schedule_expiry(reg)
            return
        self._remove(reg, "expired")

    def _remove(self, reg, kind):
        self._regs.pop(reg.id, None)
        if self._ids.get(reg.ep) == reg.id:
            del self._ids[reg.ep]
        timer = self._timers.pop(reg.id, None)
        if timer is not None:
            timer.cancel()
        for obs in self._observations.pop(reg.ep, ()):
            obs.forget(self.ctx)
        if kind is not None:
            outbox = self._outboxes.pop(reg.ep, None)
            if outbox is not None:
                outbox.close("%s %s" % (reg.ep, kind))
            self.events.emit(kind, reg.ep, registration=reg)

    def _heard(self, ep):
        # Let the response to what the device sent leave first, then wake its queue.
        asyncio.get_running_loop().call_soon(self.outbox(ep).heard)

    # -- what devices send (called by the Site) -----------------------------
    def register(self, request):
        fields = parse_register(parse_query(request.opt.uri_query))
        self._check_link_format(request)
        objects, root, formats = parse_objects(request.payload)
        old = self.registration(fields["ep"])
        if old is not None:
            self._remove(old, None)  # a new Register replaces the old one
        reg_id = secrets.token_hex(4)
        reg = Registration(reg_id, fields, objects, root, formats, request.remote, self.lifetime_grace)
        self._regs[reg_id] = reg
        self._ids[reg.ep] = reg_id
        self._schedule_expiry(reg)
        self.outbox(reg.ep).queue_mode = reg.queue
        self._heard(reg.ep)
        self.events.emit("registered", reg.ep, registration=reg, replaced=old is not None)
        return aiocoap.Message(code=Code.CREATED, location_path=("rd", reg_id))

    def update(self, request, reg_id):
        reg = self._regs.get(reg_id)
        if reg is None:
            raise CoapError(NOT_FOUND, "no registration %s" % reg_id)
        fields = parse_update(parse_query(request.opt.uri_query))
        objects = None
        if request.payload:
            self._check_link_format(request)
            objects = parse_objects(request.payload)
        changed = reg.update(fields, request.remote, objects)
        self._schedule_expiry(reg)
        self.outbox(reg.ep).queue_mode = reg.queue
        self._heard(reg.ep)
        self.events.emit("updated", reg.ep, registration=reg, changed=changed)
        return aiocoap.Message(code=Code.CHANGED)

    def deregister(self, request, reg_id):
        reg = self._regs.get(reg_id)
        if reg is None:
            raise CoapError(NOT_FOUND, "no registration %s" % reg_id)
        self._remove(reg, "deregistered")
        return aiocoap.Message(code=Code.DELETED)

    def send_op(self, request):
        reg = self.by_remote(request.remote)
        if reg is None:
            raise CoapError(NOT_FOUND, "Send from %s, which is not registered" % request.remote.hostinfo)
        fmt = request.opt.content_format
        if fmt is None:
            raise CoapError(BAD_REQUEST, "Send without a Content-Format")
        fmt = int(fmt)
        records, error = content.decode_strict(fmt, request.payload, (), self.type_of)
        self._heard(reg.ep)
        self.events.emit("send", reg.ep, format=fmt, payload=bytes(request.payload), records=records, error=error)
        return aiocoap.Message(code=Code.CHANGED)

    @staticmethod
    def _check_link_format(request):
        fmt = request.opt.content_format
        if fmt is not None and int(fmt) != LINK_FORMAT:
            raise CoapError(BAD_REQUEST, "the object list must be link-format")

    def _notified(self, observation, result):
        self.outbox(observation.ep).heard()
        self.events.emit("notification", observation.ep, path=observation.path, result=result,
                         observation=observation)

    # -- device management: the API a test calls ----------------------------
    def _reg(self, ep):
        """Where device `ep` is: its registration, or its bootstrap session."""
        reg = self.registration(ep)
        if reg is None and self.bootstrap is not None:
            reg = self.bootstrap.sessions.get(ep)
        if reg is None:
            raise UnknownEndpoint("%s is not registered" % ep)
        return reg

    async def request(self, ep, code, path, payload=b"", fmt=None, accept=None, query=(), observe=None,
                      timeout=None, base=None, token=None, full=False, uri=None):
        """One request to device `ep`, through its outbox (in order; held while a
        queue-mode device sleeps) -> Result; `full` also gives the aiocoap request
        and response; `uri` a literal Uri-Path instead of `path`.
        asyncio.TimeoutError after `timeout` seconds."""
        self._reg(ep)
        path = parse_path(path)
        outbox = self.outbox(ep)

        async def run():
            msg = build(self._reg(ep), code, path, payload, fmt, accept, query, observe)
            if uri is not None:
                msg.opt.uri_path = uri
            answer = await send(self.ctx, msg, path if base is None else base, self.type_of, token)
            outbox.heard()  # it answered: it is awake
            return answer

        result, req, resp = await asyncio.wait_for(outbox.submit(run), self.timeout if timeout is None else timeout)
        return (result, req, resp) if full else result

    async def read(self, ep, path, accept=None, timeout=None):
        return await self.request(ep, Code.GET, path, accept=content_format(accept), timeout=timeout)

    async def discover(self, ep, path, timeout=None):
        return await self.request(ep, Code.GET, path, accept=LINK_FORMAT, timeout=timeout)

    def _payload(self, path, values, fmt, payload):
        if payload is not None:
            return bytes(payload)
        if values is None:
            return b""
        return content.encode(fmt, content.records(values, path), path)

    async def write(self, ep, path, values=None, fmt=SENML_CBOR, payload=None, replace=True, timeout=None):
        """Write (replace: PUT; partial update: POST on an instance). values:
        {path or resource id: value}, [(path, value)] or [(path, type, value)],
        encoded with the firmware codec of `fmt`; or a ready `payload`."""
        path, fmt = parse_path(path), content_format(fmt)
        body = self._payload(path, values, fmt, payload)
        return await self.request(ep, Code.PUT if replace else Code.POST, path, body, fmt, timeout=timeout)

    async def write_attributes(self, ep, path, attrs, timeout=None):
        """attrs: {'pmin': 10, 'gt': 20.5, 'lt': None} (None: the bare name, which
        removes the attribute), or ['pmin=10', ...]."""
        if isinstance(attrs, dict):
            query = [k if v is None else "%s=%s" % (k, v) for k, v in sorted(attrs.items())]
        else:
            query = list(attrs)
        return await self.request(ep, Code.PUT, path, query=query, timeout=timeout)

    async def execute(self, ep, path, args=None, timeout=None):
        body = b"" if args is None else (args if isinstance(args, bytes) else str(args).encode())
        return await self.request(ep, Code.POST, path, body, 0 if body else None, timeout=timeout)

    async def create(self, ep, path, values=None, fmt=SENML_CBOR, payload=None, timeout=None):
        """Create in object `path` (POST); the new instance is in result.location."""
        path, fmt = parse_path(path), content_format(fmt)
        body = self._payload(path, values, fmt, payload)
        return await self.request(ep, Code.POST, path, body, fmt, timeout=timeout)

    async def delete(self, ep, path, timeout=None):
        return await self.request(ep, Code.DELETE, path, timeout=timeout)

    def _paths_payload(self, paths, fmt, payload):
        return bytes(payload) if payload is not None else content.encode_paths(fmt, paths)

    async def read_composite(self, ep, paths, fmt=SENML_CBOR, accept=None, payload=None, timeout=None):
        """FETCH on the root with the path list encoded in `fmt`; answer in `accept` (default fmt)."""
        fmt = content_format(fmt)
        accept = fmt if accept is None else content_format(accept)
        body = self._paths_payload(paths, fmt, payload)
        return await self.request(ep, Code.FETCH, (), body, fmt, accept, timeout=timeout)

    async def write_composite(self, ep, values=None, fmt=SENML_CBOR, payload=None, timeout=None):
        """iPATCH on the root; values with absolute paths."""
        fmt = content_format(fmt)
        body = self._payload((), values, fmt, payload)
        return await self.request(ep, Code.iPATCH, (), body, fmt, timeout=timeout)

    async def observe(self, ep, path, accept=None, timeout=None):
        """GET Observe=0 -> Observation (observation.result is the first answer;
        notifications also arrive as 'notification' events)."""
        path = parse_path(path)
        accept = content_format(accept)
        result, req, resp = await self.request(ep, Code.GET, path, accept=accept, observe=0,
                                               timeout=timeout, full=True)
        return self._track(Observation(self, ep, path, None, accept, result, req, resp))

    async def observe_composite(self, ep, paths, fmt=SENML_CBOR, accept=None, payload=None, timeout=None):
        fmt = content_format(fmt)
        accept = fmt if accept is None else content_format(accept)
        body = self._paths_payload(paths, fmt, payload)
        result, req, resp = await self.request(ep, Code.FETCH, (), body, fmt, accept, observe=0,
                                               timeout=timeout, full=True)
        obs = Observation(self, ep, (), [parse_path(p) for p in paths], accept, result, req, resp)
        obs.body, obs.body_format = body, fmt
        return self._track(obs)

    def _track(self, obs):
        if obs.active:
            self._observations.setdefault(obs.ep, []).append(obs)
        return obs

    async def cancel(self, obs, reset=False, timeout=None):
        """End an observation: by GET (FETCH for composite) Observe=1 with its
        token (int-303/305) -> Result; with reset=True only forget it, so the
        device's next notification is answered with a Reset (int-302) -> None."""
        obs.forget(self.ctx)
        mine = self._observations.get(obs.ep, [])
        if obs in mine:
            mine.remove(obs)
        if reset:
            return None
        if obs.paths is None:
            return await self.request(obs.ep, Code.GET, obs.path, accept=obs.format, observe=1,
                                      token=obs.token, timeout=timeout)
        return await self.request(obs.ep, Code.FETCH, (), obs.body, obs.body_format, obs.format, observe=1,
                                  token=obs.token, timeout=timeout)

    async def bootstrap_finish(self, ep, timeout=None):
        """Bootstrap-Finish: POST /bs -> 2.04, or 4.06 if the device finds its configuration inconsistent."""
        try:
            return await self.request(ep, Code.POST, (), uri=("bs",), timeout=timeout)
        finally:
            if self.bootstrap is not None:
                self.bootstrap.sessions.pop(ep, None)

    def observations(self, ep=None):
        if ep is not None:
            return list(self._observations.get(ep, ()))
        return [o for obs in self._observations.values() for o in obs]
