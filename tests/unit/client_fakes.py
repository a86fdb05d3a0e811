# Tiny stand-ins for the model, codecs and CoAP requests, so the client's
# logic is tested before (and independently of) the real layers.
from lwm2m.error import CoapError, CodecError, NOT_FOUND, METHOD_NOT_ALLOWED, UNSUPPORTED_FORMAT
from lwm2m import datatype as T

# (oid, rid) -> (type, multiple, ops)
DEFS = {
    (1, 0): (T.INTEGER, False, "R"), (1, 1): (T.INTEGER, False, "RW"),
    (1, 8): (T.NONE, False, "E"),
    (2, 0): (T.INTEGER, False, "R"), (2, 1): (T.INTEGER, False, "R"),
    (2, 2): (T.INTEGER, True, "RW"), (2, 3): (T.INTEGER, False, "RW"),
    (3, 0): (T.STRING, False, "R"), (3, 4): (T.NONE, False, "E"),
    (3, 7): (T.INTEGER, True, "R"), (3, 9): (T.INTEGER, False, "R"),
    (3303, 5700): (T.FLOAT, False, "R"), (3303, 5750): (T.STRING, False, "RW"),
    (0, 0): (T.STRING, False, ""),
}


class FakeModel:
    def __init__(self):
        self.data = {
            0: {0: {0: "coap://x"}},
            1: {0: {0: 101, 1: 300, 8: None}},
            3: {0: {0: "ACME", 4: None, 7: {0: 3800, 1: 5000}, 9: 90}},
            3303: {0: {5700: 21.5, 5750: "in"}, 1: {5700: 19.0}},
        }
        self.versions = {1: "1.1", 3303: "1.1"}
        self.executed = []
        self.log = []

    def _get(self, path):
        node = self.data
        for p in path:
            if not isinstance(node, dict) or p not in node:
                raise CoapError(NOT_FOUND, "no " + repr(path))
            node = node[p]
        return node

    def type_of(self, path):
        d = DEFS.get((path[0], path[2])) if len(path) >= 3 else None
        return d[0] if d else None

    def multiple(self, path):
        return DEFS[(path[0], path[2])][1]

    def children(self, path):
        node = self._get(path)
        return sorted(node) if isinstance(node, dict) else []

    def objects(self):
        return [(o, self.versions.get(o), sorted(self.data[o])) for o in self.data]

    def read(self, path):
        node = self._get(path)
        out = []
        self._walk(path, node, out)
        if len(path) >= 3 and "R" not in DEFS[(path[0], path[2])][2]:
            raise CoapError(METHOD_NOT_ALLOWED, "not readable")
        return sorted(out)

    def _walk(self, path, node, out):
        if len(path) == 3:
            t, mult, ops = DEFS[(path[0], path[2])]
            if "R" not in ops:
                return
            if mult:
                for ri in node:
                    out.append((path + (ri,), t, node[ri]))
                return
            out.append((path, t, node))
        elif len(path) == 4:
            out.append((path, DEFS[(path[0], path[2])][0], node))
        else:
            for k in node:
                self._walk(path + (k,), node[k], out)

    def write(self, base, values, replace):
        self.log.append(("write", base, values, replace))
        for p, v in values:
            self._get(p[:2])[p[2]] = v

    def execute(self, path, args):
        node = self._get(path)
        if "E" not in DEFS[(path[0], path[2])][2]:
            raise CoapError(METHOD_NOT_ALLOWED, "not executable")
        self.executed.append((path, args))

    def create(self, oid, values):
        insts = self._get((oid,))
        iid = values[0][0][1] if values and len(values[0][0]) > 1 else 0
        while iid in insts:
            iid += 1
        insts[iid] = {}
        for p, v in values:
            insts[iid][p[-1]] = v
        return iid

    def delete(self, path):
        self._get(path)
        del self.data[path[0]][path[1]]


class FakeCodec:
    """Format 9999: records as their repr; 9998: same, but with paths list."""

    def __init__(self, fmt):
        self.fmt = fmt

    def encode(self, records, base):
        return repr((base, [tuple(r) for r in records])).encode()

    def decode(self, payload, base, type_of):
        values = eval(bytes(payload).decode())
        for p, _ in values:
            if tuple(p[:len(base)]) != tuple(base):
                raise CodecError("outside the base path")
        return [(tuple(p), v) for p, v in values]

    def decode_paths(self, payload):
        return [tuple(p) for p in eval(bytes(payload).decode())]


def fake_codecs(fmt):
    if fmt in (9999, 9998):
        return FakeCodec(fmt)
    raise CodecError("unsupported %s" % fmt, UNSUPPORTED_FORMAT)


class Req:
    """The parts of a CoAP request the client reads (a coap Message has them)."""

    def __init__(self, code, path, payload=b"", ct=None, accept=None, observe=None, query=()):
        self.code = code
        self.path = [s for s in path.split("/") if s]
        self.payload = payload
        self.ct = ct
        self.acc = accept
        self.obs = observe
        self.query = list(query)

    def uri_path(self):
        return self.path

    def uri_query(self):
        return self.query

    def content_format(self):
        return self.ct

    def accept(self):
        return self.acc

    def observe(self):
        return self.obs
