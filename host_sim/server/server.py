"""The embedded LwM2M server: the registration directory and what devices send
(Register, Update, De-register, Send, notifications); the operations on
devices are in operations.py (see docs/server.md)."""
import asyncio
import secrets

import aiocoap
from aiocoap.numbers.codes import Code

from lwm2m.error import BAD_REQUEST, NOT_FOUND, CoapError

from . import content
from .events import Events
from .exchange import install_hooks, rekey
from ..names import LINK_FORMAT
from .operations import Operations
from .outbox import Outbox
from .registration import Registration, parse_objects, parse_query, parse_register, parse_update
from .site import Site

DEFAULT_PORT = 5683


def _free_tcp_port(host):
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LwM2MServer(Operations):
    """`async with LwM2MServer(port=0) as server:` ... `server.port` is the port
    it listens on. Settings: awake_time (queue mode, seconds a device listens
    after it spoke), timeout (default bound of every API call), lifetime_grace
    (seconds past a lifetime before a registration expires), type_of (path ->
    datatype code, for formats without types; default: the object tables),
    bootstrap (a Bootstrap, or None for a plain LwM2M server), psk ({identity:
    key}: also listen for DTLS 1.2 PSK on dtls_port, see dtls.py), tcp (also
    CoAP over TCP, RFC 8323, on the same port number: the T binding)."""

    def __init__(self, host="127.0.0.1", port=DEFAULT_PORT, awake_time=93.0, timeout=30.0,
                 lifetime_grace=0.0, type_of=None, bootstrap=None, psk=None, dtls_port=5684, tcp=False,
                 certs=None):
        self.host = host
        self.port = port
        self.awake_time = awake_time
        self.timeout = timeout
        self.lifetime_grace = lifetime_grace
        self.type_of = type_of or content.table_types()
        self.bootstrap = bootstrap
        self.psk = psk
        self.certs = certs  # (chain [DER], key DER, client CA DER): DTLS with certificates too
        self.dtls_port = dtls_port
        self.tcp = tcp
        self.dtls = None
        self.events = Events()
        self.ctx = None
        self._regs = {}  # registration id -> Registration
        self._ids = {}  # endpoint name -> registration id
        self._outboxes = {}  # endpoint name -> Outbox (survives a re-register)
        self._observations = {}  # endpoint name -> [Observation]
        self._timers = {}  # registration id -> expiry TimerHandle
        self._tasks = set()

    # -- life cycle ---------------------------------------------------------
    def site(self):
        """The aiocoap resource for /rd, /dp and /bs, for a context built elsewhere."""
        return Site(self)

    async def start(self, ctx=None):
        """Listen on UDP (host, port); or serve on `ctx`, an aiocoap context built
        elsewhere (a simulated network) whose serversite is self.site()."""
        if ctx is None:
            ctx = await (self._udp_and_tcp() if self.tcp else self._udp(self.port))
        self.ctx = ctx
        install_hooks(ctx, self._stray)
        if self.psk is not None or self.certs is not None:
            from .dtls import DtlsFront  # python-mbedtls only when DTLS is asked for

            self.dtls = await DtlsFront(self.psk or {}, ("127.0.0.1", self.port), self.host, self.dtls_port,
                                        certs=self.certs).start()
            self.dtls_port = self.dtls.port
        return self

    async def _udp(self, port, transports=("udp6",)):
        ctx = await aiocoap.Context.create_server_context(self.site(), bind=(self.host, port),
                                                          transports=list(transports))
        for ri in ctx.request_interfaces:
            interface = getattr(ri.token_interface, "message_interface", None)
            if interface is not None:
                self.port = interface._local_port()
        return ctx

    async def _udp_and_tcp(self):
        # aiocoap binds TCP to the UDP port number, and port 0 would mean 5683 to
        # it: with port 0, take a free TCP port and hope UDP has it free too.
        for _ in range(5):
            port = self.port or _free_tcp_port(self.host)
            try:
                return await self._udp(port, ("udp6", "tcpserver"))
            except OSError:
                if self.port:
                    raise
        raise OSError("no port free for both UDP and TCP")

    async def stop(self):
        if self.dtls is not None:
            await self.dtls.stop()
            self.dtls = None
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

    def forget(self, ep):
        """Drop the registration of `ep` without telling the device (its next
        Update gets 4.04 and it registers again: int-105). Requests queued for it
        wait for the new registration. Returns the Registration, or None."""
        reg = self.registration(ep)
        if reg is not None:
            self._remove(reg, None)
        return reg

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

    def _identity(self, remote):
        """The PSK identity of a device that came through the DTLS front, else None."""
        return None if self.dtls is None else self.dtls.identity(remote.sockaddr[:2])

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
        reg.identity = self._identity(request.remote)
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
        old = reg.remote
        changed = reg.update(fields, request.remote, objects)
        reg.identity = self._identity(request.remote)
        if "address" in changed:
            self._rekey(reg.ep, old, reg.remote)
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
        timed, error = content.decode_send(fmt, request.payload, self.type_of)
        records = None if timed is None else [(p, v) for p, v, t in timed]
        self._heard(reg.ep)
        self.events.emit("send", reg.ep, format=fmt, payload=bytes(request.payload), records=records, timed=timed,
                         error=error)
        return aiocoap.Message(code=Code.CHANGED)

    @staticmethod
    def _check_link_format(request):
        fmt = request.opt.content_format
        if fmt is not None and int(fmt) != LINK_FORMAT:
            raise CoapError(BAD_REQUEST, "the object list must be link-format")

    def _rekey(self, ep, old, new):
        # The device's observations now notify from `new`.
        for obs in self._observations.get(ep, ()):
            if obs.remote == old:
                rekey(self.ctx, obs.token, old, new)
                obs.remote = new

    def _stray(self, response):
        """A notification aiocoap could not place: from a new address of a
        device we observe (its NAT rebound), it moves the device there."""
        for ep, observations in self._observations.items():
            for obs in observations:
                if obs.token == response.token and obs.active:
                    reg = self.registration(ep)
                    if reg is None:
                        return False
                    old = reg.remote
                    self._rekey(ep, old, response.remote)
                    reg.remote = response.remote
                    self.events.emit("moved", ep, registration=reg, old=old.hostinfo)
                    return True
        return False

    def on_notification(self, observation, result):
        """Called by an Observation (exchange.py) for each notification it gets."""
        self.outbox(observation.ep).heard()
        self.events.emit("notification", observation.ep, path=observation.path, result=result,
                         observation=observation)
