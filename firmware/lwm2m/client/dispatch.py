# The Device Management and Information Reporting requests a server sends
# (LwM2M 1.1.1 6.3, 6.4; Transport 6.3/6.4), mapped onto the data model:
#   GET            Read; Accept 40: Discover; Observe 0/1: Observe / cancel
#   PUT            Write (replace); query only, no payload: Write-Attributes
#   POST           on an object: Create; on an instance: Write (partial
#                  update); on a resource: Execute
#   DELETE         Delete an instance
#   FETCH / iPATCH Read-Composite (+Observe: Observe-Composite) / Write-Composite
# `handle(req, server)` returns a Reply or raises CoapError (the engine
# answers with its code). req: anything with code, payload, uri_path(),
# uri_query(), content_format(), accept(), observe() (a coap Message).
#
# The model it drives is lwm2m.model.Model (docs/model.md): read, write,
# write_composite, execute, create, delete, discover, dim, instances,
# type_of, tables. Those raise CoapError for bad requests themselves; this
# layer adds the CoAP mapping, content negotiation, access control and the
# Security object rule (any operation: 4.01).
from lwm2m.compat import const
from lwm2m.error import CoapError

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_INTERNAL = const(0xA0)  # 5.00
_METHOD_NOT_ALLOWED = const(0x85)  # 4.05
_MULTIPLE = const(0x80)
_NOT_ACCEPTABLE = const(0x86)  # 4.06
_NOT_FOUND = const(0x84)  # 4.04
_UNAUTHORIZED = const(0x81)  # 4.01
_UNSUPPORTED_FORMAT = const(0x8F)  # 4.15

_GET = const(1)
_POST = const(2)
_PUT = const(3)
_DELETE = const(4)
_FETCH = const(5)
_IPATCH = const(7)
_CREATED = const(0x41)
_DELETED = const(0x42)
_CHANGED = const(0x44)
_CONTENT = const(0x45)
# Access Control operations (the bits of lwm2m.client.acl, which is imported
# only when access control applies: with more than one server)
_A_READ = const(1)
_A_WRITE = const(2)
_A_EXECUTE = const(4)
_A_DELETE = const(8)
_A_CREATE = const(16)
_LINK_FORMAT = const(40)
_SENML_CBOR = const(112)
# Objects no LwM2M server may touch (1.1.1 6.3: 4.01 Unauthorized).
_PROTECTED = (0, 21)


def _acl():
    from lwm2m.client import acl  # feature: acl (several servers; Create)

    return acl


class Reply:
    """What the client answers: code, payload, Content-Format; location
    for Create; observe = "start" / "cancel" / None with the observed paths
    (a list; composite when the request was a FETCH) and the format."""

    def __init__(self, code, payload=b"", ct=None):
        self.code = code
        self.payload = payload
        self.ct = ct
        self.location = None
        self.observe = None
        self.paths = None
        self.composite = False
        self.records = None  # what a Read returned, the first observed value


class Server:
    """What the dispatcher knows of the server a request came from: its
    Short Server ID and its attribute store (lwm2m.client.attrs)."""

    def __init__(self, ssid, attrs):
        self.ssid = ssid
        self.attrs = attrs


def parse_path(segments):
    """Uri-Path segments -> tuple of ints (at most 4); 4.04 if not a path."""
    if len(segments) > 4:
        raise CoapError(_NOT_FOUND, "path too deep")
    out = []
    for s in segments:
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses
        if not s or len(s) > 5 or [c for c in s if c not in "0123456789"] or int(s) > 65535:
            raise CoapError(_NOT_FOUND, "no such path")
        out.append(int(s))
    return tuple(out)


def _codec_get(fmt):
    from lwm2m import codec

    return codec.get(fmt)


class Dispatcher:
    def __init__(self, model, default_format=_SENML_CBOR, acos=None, codecs=_codec_get):
        """default_format: for reads without Accept. acos: callable giving the
        Access Control instances (lwm2m.client.acl), or None when there is one
        server and access control does not apply. codecs: content format ->
        codec module (lwm2m.codec.get)."""
        self.model = model
        self.default_format = default_format
        self.acos = acos
        self.codecs = codecs
        # on_created(path, server) / on_deleted(path): with access control on,
        # the client keeps the Access Control instances in step (E.3)
        self.on_created = None
        self.on_deleted = None

    def codec_for(self, fmt, accept=False):
        """The codec module for fmt; an unknown Accept is 4.06, an unknown
        Content-Format 4.15. Link format carries no resource values."""
        try:
            if fmt == _LINK_FORMAT:
                raise CoapError(_UNSUPPORTED_FORMAT, "link format carries no values")
            return self.codecs(fmt)
        except CoapError as e:
            if accept:
                raise CoapError(_NOT_ACCEPTABLE, e.message)
            raise

    def handle(self, req, server):
        try:
            return self._handle(req, server)
        except CoapError:
            raise
        except Exception as e:  # a bug or a failing callable: 5.00, never a crash
            raise CoapError(_INTERNAL, repr(e))

    def _handle(self, req, server):
        code = req.code
        path = parse_path(req.uri_path())
        if code == _FETCH or code == _IPATCH or (code == _POST and len(path) == 1) \
                or (code == _GET and path and req.accept() == _LINK_FORMAT):
            # Read-/Observe-Composite, Write-Composite, Create and Discover:
            # lwm2m.client.ops, loaded when a server first asks for one.
            from lwm2m.client import ops  # feature: ops

            return ops.handle(self, req, path, server)
        if not path:
            raise CoapError(_METHOD_NOT_ALLOWED, "not on the root path")
        if path[0] in _PROTECTED:
            raise CoapError(_UNAUTHORIZED, "security object")
        n = len(path)
        if code == _GET:
            return self._read(req, path, server)
        if code == _PUT:
            if req.content_format() is None and not req.payload:
                self._check(server, _A_READ, path)
                server.attrs.write(path, req.uri_query(), self.model.type_of)
                return Reply(_CHANGED)
            if n < 2:
                raise CoapError(_METHOD_NOT_ALLOWED, "write on an object")
            self._check(server, _A_WRITE, path)
            self.model.write(path, self._decode(req, path), True)
            return Reply(_CHANGED)
        if code == _POST:
            if n == 2:
                self._check(server, _A_WRITE, path)
                self.model.write(path, self._decode(req, path), False)
                return Reply(_CHANGED)
            if n == 3:
                self._check(server, _A_EXECUTE, path)
                args = bytes(req.payload or b"")
                if args:  # malformed arguments: 4.00 before any effect
                    from lwm2m.client import execargs  # loaded only when arguments come

                    execargs.parse(args)
                self.model.execute(path, args)
                return Reply(_CHANGED)
            raise CoapError(_METHOD_NOT_ALLOWED, "execute on a resource instance")
        if code == _DELETE:
            if n != 2:
                raise CoapError(_METHOD_NOT_ALLOWED, "delete needs an instance")
            self._check(server, _A_DELETE, path)
            self.model.delete(path)
            if self.on_deleted is not None:
                self.on_deleted(path)
            return Reply(_DELETED)
        raise CoapError(_METHOD_NOT_ALLOWED, "method")

    # -- access control ----------------------------------------------------
    def _check(self, server, op, path):
        acos = self.acos() if self.acos else None
        if acos is None or len(path) < 2:
            return
        if path[1] not in self.model.instances(path[0]):
            raise CoapError(_NOT_FOUND, "no such instance")
        _acl().require(acos, op, path[0], path[1], server.ssid)

    def _readable(self, server, records):
        """An object-level read returns only the instances the server may read."""
        acos = self.acos() if self.acos else None
        if acos is None:
            return records
        allowed = _acl().allowed
        out = [r for r in records if allowed(acos, _A_READ, r[0][0], r[0][1], server.ssid)]
        if records and not out:
            raise CoapError(_UNAUTHORIZED, "access denied")
        return out

    # -- Read / Observe ----------------------------------------------------
    def read_path(self, server, path):
        """The records a Read of path gives server (a notification reads so
        too): access rights checked, an object only with the instances the
        server may read."""
        self._check(server, _A_READ, path)
        records = self.model.read(path)
        return self._readable(server, records) if len(path) == 1 else records

    def _read(self, req, path, server):
        self._check(server, _A_READ, path)  # before the format: 4.01 wins over 4.06
        fmt = req.accept()
        if fmt is None:
            fmt = self.default_format
        codec = self.codec_for(fmt, True)
        records = self.read_path(server, path)
        reply = Reply(_CONTENT, codec.encode(records, path), fmt)
        reply.records = records
        self._observe(req, reply, [path], False)
        return reply

    def _observe(self, req, reply, paths, composite):
        obs = req.observe()
        if obs == 0:
            reply.observe = "start"
        elif obs == 1:
            reply.observe = "cancel"
        reply.paths = paths
        reply.composite = composite

    def read_records(self, paths, server):
        """Records for a composite read/notify: paths that do not exist are
        left out (int-236, int-280/281); the root path reads every object."""
        out = []
        for p in paths:
            if p and p[0] in _PROTECTED:
                raise CoapError(_UNAUTHORIZED, "security object")
            if not p:
                out.extend(self._readable(server, self.model.read(())))
                continue
            try:
                self._check(server, _A_READ, p)
                recs = self.model.read(p)
            except CoapError as e:
                if e.code == _NOT_FOUND:
                    continue
                raise
            out.extend(self._readable(server, recs) if len(p) == 1 else recs)
        # several paths may overlap; keep one record per path, in path order
        uniq = {}
        for r in out:
            uniq[r[0]] = r
        return [uniq[k] for k in sorted(uniq)]

    # -- Write / Create ----------------------------------------------------
    def _decode(self, req, base):
        ct = req.content_format()
        if ct is None:
            raise CoapError(_BAD_REQUEST, "payload without Content-Format")
        return self.codec_for(ct).decode(req.payload, base, self.model.type_of)
