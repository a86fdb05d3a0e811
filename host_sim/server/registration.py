"""Registration interface data: the Register/Update query, the object list of
the link-format payload, and one device's registration."""
import time

from lwm2m.error import BAD_REQUEST, PRECONDITION_FAILED, CoapError

from .content import decode_links
from ..names import now

VERSIONS = ("1.0", "1.1", "1.2")
_BINDING_LETTERS = "UTSNQ"  # Q: 1.0 style queue mode inside the binding ("UQ")
DEFAULT_LIFETIME = 86400


def parse_query(query):
    """['ep=x', 'lt=60', 'Q'] -> {'ep': 'x', 'lt': '60', 'Q': None}.
    A parameter given twice is a 4.00: which one would count?"""
    params = {}
    for item in query:
        name, eq, value = item.partition("=")
        if not name or name in params:
            raise CoapError(BAD_REQUEST, "bad or repeated query parameter %r" % item)
        params[name] = value if eq else None
    return params


def _lifetime(value):
    try:
        lt = int(value)
    except (TypeError, ValueError):
        raise CoapError(BAD_REQUEST, "lt must be an integer, not %r" % value)
    if lt <= 0:
        raise CoapError(BAD_REQUEST, "lt must be positive")
    return lt


def _binding(value):
    if not value or any(c not in _BINDING_LETTERS for c in value) or len(set(value)) != len(value):
        raise CoapError(BAD_REQUEST, "bad binding %r" % value)
    return value


def parse_register(params):
    """The Register query -> dict of checked fields (4.00 / 4.12 on bad ones)."""
    ep = params.get("ep")
    if not ep:
        raise CoapError(BAD_REQUEST, "ep is missing")
    version = params.get("lwm2m", "1.0")
    if version not in VERSIONS:
        raise CoapError(PRECONDITION_FAILED, "LwM2M version %r not supported" % version)
    binding = _binding(params.get("b", "U"))
    return {
        "ep": ep,
        "lifetime": _lifetime(params.get("lt", DEFAULT_LIFETIME)),
        "version": version,
        "binding": binding.replace("Q", ""),
        "queue": "Q" in params or "Q" in binding,
        "sms": params.get("sms"),
    }


def parse_update(params):
    """The Update query: every field optional."""
    fields = {}
    if "lt" in params:
        fields["lifetime"] = _lifetime(params["lt"])
    if "b" in params:
        binding = _binding(params["b"])
        fields["binding"] = binding.replace("Q", "")
        if "Q" in binding:
            fields["queue"] = True
    if "Q" in params:
        fields["queue"] = True
    if "sms" in params:
        fields["sms"] = params["sms"]
    return fields


def parse_objects(payload):
    """Register/Update link-format -> (objects, root, formats):
    objects {obj_id: {'version': str or None, 'instances': [ids]}}, root the
    alternate path ('/' unless rt="oma.lwm2m" names another), formats the
    content formats the `ct` attribute lists."""
    try:
        links = decode_links(payload)
    except ValueError as e:
        raise CoapError(BAD_REQUEST, "bad link-format: %s" % e)
    root, formats = "/", []
    for path, attrs in links:
        attr = dict(attrs)
        if attr.get("rt") == "oma.lwm2m":
            root = path if path.endswith("/") else path + "/"
            formats = [int(f) for f in str(attr.get("ct", "")).replace('"', "").split() if f.isdigit()]
    objects = {}
    for path, attrs in links:
        if not path.startswith(root) or path.rstrip("/") + "/" == root:
            continue
        parts = path[len(root):].strip("/").split("/")
        try:
            ids = [int(p) for p in parts]
        except ValueError:
            raise CoapError(BAD_REQUEST, "bad object link %r" % path)
        if len(ids) > 2:
            raise CoapError(BAD_REQUEST, "bad object link %r" % path)
        entry = objects.setdefault(ids[0], {"version": None, "instances": []})
        if len(ids) == 1:
            entry["version"] = dict(attrs).get("ver", entry["version"])
        elif ids[1] not in entry["instances"]:
            entry["instances"].append(ids[1])
    for entry in objects.values():
        entry["instances"].sort()
    return objects, root, formats


class Registration:
    """One device as registered: what it said and where it speaks from."""

    def __init__(self, reg_id, fields, objects, root, formats, remote, lifetime_grace=0.0):
        self.id = reg_id
        self.ep = fields["ep"]
        self.lifetime = fields["lifetime"]
        self.version = fields["version"]
        self.binding = fields["binding"]
        self.queue = fields["queue"]
        self.sms = fields["sms"]
        self.objects = objects
        self.root = root
        self.formats = formats
        self.remote = remote
        self.identity = None  # the DTLS PSK identity, when it came that way
        self.registered_at = self.updated_at = time.time()
        self.grace = lifetime_grace
        self.expires_at = now() + self.lifetime + self.grace

    @property
    def address(self):
        """'host:port' the device last registered or updated from."""
        return self.remote.hostinfo

    def update(self, fields, remote, objects=None):
        """Apply an Update; returns the names of what changed."""
        changed = []
        for name, value in fields.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed.append(name)
        if objects is not None and objects[0] != self.objects:
            self.objects, self.root, self.formats = objects
            changed.append("objects")
        if remote.hostinfo != self.remote.hostinfo:
            changed.append("address")
        self.remote = remote
        self.updated_at = time.time()
        self.expires_at = now() + self.lifetime + self.grace
        return changed

    def expires_in(self):
        return self.expires_at - now()

    def summary(self):
        objs = ",".join(
            "%d%s[%s]" % (o, "@" + e["version"] if e["version"] else "", " ".join(map(str, e["instances"])))
            for o, e in sorted(self.objects.items())
        )
        return "%s id=%s addr=%s lt=%d lwm2m=%s b=%s%s objects=%s" % (
            self.ep, self.id, self.address, self.lifetime, self.version, self.binding,
            " Q" if self.queue else "", objs,
        )
