# Client-initiated bootstrap (LwM2M 1.1.1 6.1, Transport 6.1), as a sans-IO
# state machine beside the registrations:
#   POST /bs?ep=NAME[&pct=FMT]  Bootstrap-Request, after the Client Hold Off
#                               Time (/0/x/11) of the bootstrap account
#   PUT      Bootstrap-Write    (missing instances are created)
#   DELETE   Bootstrap-Delete   (/, an object or an instance)
#   GET+40   Bootstrap-Discover (</>;lwm2m=1.1, instances, ssid and uri)
#   GET      Bootstrap-Read     (Server and Access Control objects only)
#   POST /bs Bootstrap-Finish   2.04, or 4.06 when the result cannot work
# The bootstrap server must finish within the Bootstrap-Server Account
# Timeout (/0/x/12) or EXCHANGE_LIFETIME; otherwise the client starts over.
from lwm2m.error import CoapError
from lwm2m.codec import linkformat
from lwm2m.client import servers as S
from lwm2m.client.dispatch import parse_path, Reply
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_CHANGED = const(0x44)
_CONTENT = const(0x45)
_DELETED = const(0x42)
_LINK_FORMAT = const(40)
_METHOD_NOT_ALLOWED = const(0x85)  # 4.05
_NOT_ACCEPTABLE = const(0x86)  # 4.06
_UNAUTHORIZED = const(0x81)  # 4.01

GET, POST, PUT, DELETE = 1, 2, 3, 4
_EXCHANGE_LIFETIME = 247  # seconds (RFC 7252 defaults)

IDLE = "idle"
HOLDING = "holding"  # waiting out the Client Hold Off Time
REQUESTING = "requesting"  # Bootstrap-Request in flight
WAITING = "waiting"  # the bootstrap server is configuring us
DONE = "done"


def account(model):
    """(security iid, uri) of the bootstrap server (/0/x/1 true), or None."""
    for sec in model.instances(0):
        if S.get(model, (0, sec, 1), False):
            return sec, S.get(model, (0, sec, 0))
    return None


def inconsistency(model):
    """Why a configuration cannot work (Bootstrap-Finish answers 4.06), or None."""
    servers = [S.get(model, (1, srv, 0)) for srv in model.instances(1)]
    lwm2m = 0
    for sec in model.instances(0):
        if S.get(model, (0, sec, 1), False):
            continue
        lwm2m += 1
        uri = S.get(model, (0, sec, 0))
        if not uri or "://" not in uri:
            return "security instance %d has no server URI" % sec
        ssid = S.get(model, (0, sec, 10))
        if ssid is None or ssid not in servers:
            return "security instance %d has no server instance (ssid %r)" % (sec, ssid)
        mode = S.get(model, (0, sec, 2), 3)
        if mode == 0 and not S.get(model, (0, sec, 5)):
            return "security instance %d: PSK mode without a key" % sec
        if uri.startswith("coaps") and mode == 3:
            return "security instance %d: coaps URI in NoSec mode" % sec
    if not lwm2m:
        return "no LwM2M server account"
    return None


class Bootstrap:
    def __init__(self, model, ep, pct=None):
        self.model = model
        self.ep = ep
        self.pct = pct  # preferred content format announced in the request
        self.state = IDLE
        self.sec = None
        self.uri = None
        self._at = None  # when the next action is due (seconds)
        self.attempts = 0
        self.last_error = None

    # -- inputs -----------------------------------------------------------
    def start(self, now, delay=0):
        """Begin a bootstrap after the hold-off (plus delay seconds); False when
        there is no bootstrap account."""
        acct = account(self.model)
        if acct is None:
            return False
        # Security and Server are mandatory objects: present (maybe without
        # instances) so the bootstrap server's writes can create instances.
        for oid in (0, 1):
            if oid not in self.model.objects(True):
                self.model.add(oid)
        self.sec, self.uri = acct
        self.state = HOLDING
        self._at = now + delay + (S.get(self.model, (0, self.sec, 11), 0) or 0)
        return True

    def active(self):
        return self.state in (HOLDING, REQUESTING, WAITING)

    def deadline(self):
        return self._at if self.active() else None

    def step(self, now):
        """The Bootstrap-Request to send now, as (method, path, query), or None."""
        if self._at is None or now < self._at:
            return None
        if self.state == HOLDING:
            self.state = REQUESTING
            self._at = None
            query = ["ep=" + self.ep]
            if self.pct is not None:
                query.append("pct=%d" % self.pct)
            self.attempts += 1
            return POST, ["bs"], query
        if self.state == WAITING:  # the server never finished: start over
            self.last_error = "bootstrap server did not finish"
            self._retry(now)
        return None

    def on_response(self, now, code):
        if self.state != REQUESTING:
            return
        if code == _CHANGED:
            self.state = WAITING
            timeout = S.get(self.model, (0, self.sec, 12), 0) if self.sec is not None else 0
            self._at = now + (timeout or _EXCHANGE_LIFETIME)
        else:
            self.last_error = "bootstrap request answered %d.%02d" % (code >> 5, code & 31)
            self._retry(now)

    def on_failure(self, now):
        if self.state == REQUESTING:
            self.last_error = "bootstrap request timed out"
            self._retry(now)

    def _retry(self, now):
        # Back off like a registration sequence: 60 s, doubling, at most a day.
        self.state = HOLDING
        self._at = now + min(86400, 60 << min(self.attempts, 10))

    # -- the bootstrap server's requests ------------------------------------
    def handle(self, req, codec_for, now):
        """Answer one request of the bootstrap server (a Reply); CoapError on refusal."""
        if self.state == REQUESTING:
            self.state = WAITING  # its first request may overtake the 2.04
        code = req.code
        segs = req.uri_path()
        if code == POST and segs == ["bs"]:
            return self._finish()
        path = parse_path(segs)
        m = self.model
        if code == PUT:
            if not path:
                raise CoapError(_METHOD_NOT_ALLOWED, "bootstrap write on /")
            ct = req.content_format()
            if ct is None:
                raise CoapError(_BAD_REQUEST, "payload without Content-Format")
            records = codec_for(ct).decode(req.payload, path, m.type_of)
            if len(path) == 1:
                self._write_object(path, records)
            else:
                m.write(path, records, replace=True, bootstrap=True)
            return Reply(_CHANGED)
        if code == DELETE:
            m.delete(path, bootstrap=True)
            return Reply(_DELETED)
        if code == GET:
            if req.accept() == _LINK_FORMAT:
                return Reply(_CONTENT, self._discover(path), _LINK_FORMAT)
            if not path or path[0] not in (1, 2):
                raise CoapError(_UNAUTHORIZED, "bootstrap read is for the Server and Access Control objects")
            fmt = req.accept()
            fmt = self.pct if fmt is None and self.pct is not None else fmt
            codec = codec_for(112 if fmt is None else fmt, True)
            return Reply(_CONTENT, codec.encode(m.read(path, bootstrap=True), path), 112 if fmt is None else fmt)
        raise CoapError(_METHOD_NOT_ALLOWED, "not a bootstrap operation")

    def _write_object(self, path, records):
        # A write on an object carries whole instances: each one is written
        # (and created when missing) as one all-or-nothing step per instance.
        by_inst = []
        for rec in records:
            key = tuple(rec[0][:2])
            for item in by_inst:
                if item[0] == key:
                    item[1].append(rec)
                    break
            else:
                by_inst.append((key, [rec]))
        for key, recs in by_inst:
            self.model.write(key, recs, replace=True, bootstrap=True)

    def _discover(self, path):
        m = self.model
        links = [((), [("lwm2m", "1.1")])] if not path else []
        for p in m.discover(path, bootstrap=True):
            attrs = []
            if len(p) == 1:
                ver = m.tables.ver_attr(p[0])
                if ver:
                    attrs.append(("ver", ver))
            elif p[0] in (0, 1):
                ssid = S.get(m, (p[0], p[1], 10 if p[0] == 0 else 0))
                if ssid is not None and not (p[0] == 0 and S.get(m, (0, p[1], 1), False)):
                    attrs.append(("ssid", ssid))
                if p[0] == 0:
                    attrs.append(("uri", S.get(m, (0, p[1], 0), "")))
            links.append((p, attrs))
        return linkformat.encode(links)

    def _finish(self):
        why = inconsistency(self.model)
        if why is not None:
            self.last_error = why
            raise CoapError(_NOT_ACCEPTABLE, why)
        self.state = DONE
        self._at = None
        return Reply(_CHANGED)
