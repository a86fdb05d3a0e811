# SenML JSON (110). Fields in the order bn, bt, n, value, t; opaque as
# base64url without padding (RFC 8428 vd); names relative to the base name
# that makes the text shortest (see senml.base_name).
from lwm2m.compat import const
from lwm2m.codec import jsonw, senml

_BN_COST = const(8)  # "bn":"",
_N_COST = const(7)  # "n":"",
_ORDER = ("bn", "bt", "n", "v", "vs", "vb", "vd", "vlo", "t")


def _dump(entries):
    out = []
    for e in entries:
        pairs = []
        for k in _ORDER:
            if k in e:
                v = e[k]
                pairs.append((k, jsonw.string(jsonw.b64(v, True)) if k == "vd" else jsonw.value(v)))
        out.append(jsonw.obj(pairs))
    return ("[" + ",".join(out) + "]").encode("utf-8")


def encode(records, base):
    return _dump(senml.pack(records, _BN_COST, _N_COST))


def encode_paths(paths):
    return _dump(senml.pack_paths(paths, _BN_COST, _N_COST))


def _load(payload):
    entries = jsonw.loads(payload)
    if isinstance(entries, list):
        for e in entries:
            if isinstance(e, dict) and "vd" in e:
                e["vd"] = jsonw.unb64(e["vd"], True)
    return entries


decode_timed, decode, decode_paths = senml.decoders(_load)
