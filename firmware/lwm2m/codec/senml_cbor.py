# SenML CBOR (112): SenML records as CBOR maps with the RFC 8428 integer
# labels (bn -2, bt -3, n 0, v 2, vs 3, vb 4, t 6, vd 8) and LwM2M's text
# label "vlo"; keys in deterministic order (RFC 8949 4.2.1), so n comes first.
from lwm2m.compat import const
from lwm2m.codec import cbor, senml

_BN_COST = const(2)  # key and text head, for names under 24 bytes
_N_COST = const(2)
# name, label, name, label, ...: one flat tuple (a tuple of pairs would put
# fifteen more tuple objects on the heap when the module loads)
_LABELS = ("bn", -2, "bt", -3, "n", 0, "u", 1, "v", 2, "vs", 3, "vb", 4, "s", 5, "t", 6, "ut", 7, "vd", 8,
           "bver", -1, "bu", -4, "bv", -5, "bs", -6)


def _to_cbor(entries):
    out = []
    for e in entries:
        m = {}
        for i in range(0, len(_LABELS), 2):
            if _LABELS[i] in e:
                m[_LABELS[i + 1]] = e[_LABELS[i]]
        if "vlo" in e:
            m["vlo"] = e["vlo"]
        out.append(m)
    return cbor.dumps(out)


def encode(records, base):
    return _to_cbor(senml.pack(records, _BN_COST, _N_COST))


def encode_paths(paths):
    return _to_cbor(senml.pack_paths(paths, _BN_COST, _N_COST))


def _load(payload):
    entries = cbor.loads(payload)
    if not isinstance(entries, list):
        return entries
    out = []
    for m in entries:
        if not isinstance(m, dict):
            return entries  # senml reports it
        e = {}
        for k in m:
            name = k
            if isinstance(k, int):
                name = None
                for i in range(1, len(_LABELS), 2):
                    if _LABELS[i] == k:
                        name = _LABELS[i - 1]
                if name is None:
                    name = "?%d" % k  # unknown label: ignored (RFC 8428 4.4)
            e[name] = m[k]
        out.append(e)
    return out


decode_timed, decode, decode_paths = senml.decoders(_load)
