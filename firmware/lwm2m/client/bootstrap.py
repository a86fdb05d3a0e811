# Client-initiated bootstrap (LwM2M 1.1.1 6.1, Transport 6.1): the request,
# as a sans-IO state machine like Registration, and the bootstrap server's
# operations on the model (with its rights: bootstrap=True).
#   POST /bs?ep=NAME[&pct=FMT] -> 2.04, then the server writes / deletes /
#   discovers / reads, and ends with Bootstrap-Finish (POST /bs): 2.04 when
#   the configuration holds at least one usable LwM2M server, else 4.06.
# No Finish within `timeout` seconds (default EXCHANGE_LIFETIME, 247 s), or
# no 2.04 to the request, is a failed attempt: retried after retry_timer *
# 2**(k-1) seconds, retry_count attempts in all.
from lwm2m.compat import const
from lwm2m.error import CoapError, BAD_REQUEST, METHOD_NOT_ALLOWED, NOT_ACCEPTABLE
from lwm2m.codec import linkformat
from lwm2m.client import servers as S
from lwm2m.client.dispatch import Reply, parse_path, LINK_FORMAT, DELETED, CHANGED, CONTENT

_POST = const(2)
_CHANGED = const(0x44)
GET, POST, PUT, DELETE = 1, 2, 3, 4

IDLE = "idle"
WAITING = "waiting"
REQUESTING = "requesting"
BOOTSTRAPPING = "bootstrapping"  # 2.04 received, waiting for Finish
DONE = "done"
FAILED = "failed"


class Bootstrap:
    def __init__(self, ep, pct=None, hold_off=0, timeout=247, retry_timer=60, retry_count=5):
        self.ep = ep
        self.pct = pct
        self.hold_off = hold_off
        self.timeout = timeout
        self.retry_timer = retry_timer
        self.retry_count = retry_count
        self.state = IDLE
        self._at = None
        self._attempt = 0

    def start(self, now):
        """Begin after the Client Hold Off Time (/0/x/11 of the bootstrap account)."""
        self.state = WAITING
        self._attempt = 0
        self._at = now + self.hold_off

    def active(self):
        return self.state in (WAITING, REQUESTING, BOOTSTRAPPING)

    def deadline(self):
        return self._at if self.state in (WAITING, BOOTSTRAPPING) else None

    def step(self, now):
        """The Bootstrap-Request when due, else None; times out a session."""
        if self._at is None or self._at > now:
            return None
        if self.state == BOOTSTRAPPING:  # no Finish in time
            self._failed(now)
            return None
        if self.state != WAITING:
            return None
        self.state = REQUESTING
        self._at = None
        q = ["ep=" + self.ep]
        if self.pct is not None:
            q.append("pct=%d" % self.pct)
        return (_POST, ["bs"], q, None, None)

    def on_response(self, now, code):
        if self.state != REQUESTING:
            return
        if code == _CHANGED:
            self.state = BOOTSTRAPPING
            self._at = now + self.timeout
        else:
            self._failed(now)

    def on_failure(self, now):
        if self.state == REQUESTING:
            self._failed(now)

    def finished(self):
        self.state = DONE
        self._at = None

    def _failed(self, now):
        self._attempt += 1
        if self._attempt >= max(1, self.retry_count):
            self.state = FAILED
            self._at = None
            return
        self.state = WAITING
        self._at = now + self.retry_timer * (1 << (self._attempt - 1))


def bootstrap_account(model):
    """(security iid, uri, hold off seconds) of the bootstrap server, or None."""
    for sec in model.instances(0):
        if S.get(model, (0, sec, 1), False):
            return sec, S.get(model, (0, sec, 0)), S.get(model, (0, sec, 11), 0)
    return None


def consistent(model):
    """Bootstrap-Finish check: at least one LwM2M server with a Security and
    a Server instance that agree on the Short Server ID, and a URI."""
    for ssid, uri, sec, srv in S.find(model):
        if uri:
            return True
    return False


class BootstrapHandler:
    """The bootstrap server's requests on the model. `dispatcher` lends its
    codec lookup (content negotiation answers as for a LwM2M server)."""

    def __init__(self, model, dispatcher, on_finish):
        self.model = model
        self.dispatcher = dispatcher
        self.on_finish = on_finish

    def handle(self, req):
        seg = req.uri_path()
        code = req.code
        if seg == ["bs"]:
            if code != POST:
                raise CoapError(METHOD_NOT_ALLOWED, "Bootstrap-Finish is a POST")
            if not consistent(self.model):
                raise CoapError(NOT_ACCEPTABLE, "no usable LwM2M server account")
            self.on_finish()
            return Reply(CHANGED)
        path = parse_path(seg)
        m = self.model
        if code == DELETE:
            self._delete(path)
            return Reply(DELETED)
        if code == PUT:
            ct = req.content_format()
            if ct is None or not path:
                raise CoapError(BAD_REQUEST, "Bootstrap-Write needs a path and a Content-Format")
            values = self.dispatcher.codec_for(ct).decode(req.payload, path, m.type_of)
            m.write(path, values, True, bootstrap=True)
            return Reply(CHANGED)
        if code == GET:
            if req.accept() == LINK_FORMAT:
                return self._discover(path)
            if not path or path[0] not in (1, 2):  # 1.1.1: Bootstrap-Read on Server, Access Control
                raise CoapError(METHOD_NOT_ALLOWED, "Bootstrap-Read only on /1 and /2")
            fmt = req.accept()
            if fmt is None:
                fmt = self.dispatcher.default_format
            codec = self.dispatcher.codec_for(fmt, True)
            return Reply(CONTENT, codec.encode(m.read(path, bootstrap=True), path), fmt)
        raise CoapError(METHOD_NOT_ALLOWED, "not a bootstrap operation")

    def _delete(self, path):
        if len(path) > 2:
            raise CoapError(BAD_REQUEST, "Bootstrap-Delete on an object or instance")
        self.model.delete(path, bootstrap=True)

    def _discover(self, path):
        if len(path) > 1:
            raise CoapError(BAD_REQUEST, "Bootstrap-Discover on / or an object")
        m = self.model
        links = [((), [("lwm2m", "1.1")])] if not path else []
        for p in m.discover(path, bootstrap=True):
            a = []
            if len(p) == 1:
                ver = m.tables.ver_attr(p[0])
                if ver:
                    a.append(("ver", ver))
            elif p[0] == 0 and not S.get(m, p + (1,), False):
                ssid = S.get(m, p + (10,))
                if ssid is not None:
                    a.append(("ssid", ssid))
                uri = S.get(m, p + (0,))
                if uri:
                    a.append(("uri", uri))
            elif p[0] == 1:
                ssid = S.get(m, p + (0,))
                if ssid is not None:
                    a.append(("ssid", ssid))
            links.append((p, a))
        return Reply(CONTENT, linkformat.encode(links), LINK_FORMAT)
