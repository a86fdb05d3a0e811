# SenML (RFC 8428) records as LwM2M uses them, shared by SenML JSON (110) and
# SenML CBOR (112); the two differ only in how a record is serialized. A record
# here is a dict with RFC 8428 names: bn, bt, n, v, vs, vb, vd, vlo, t.
from lwm2m.error import CodecError
from lwm2m.codec import common as C
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BOOLEAN = const(4)
_CORELNK = const(8)
_FLOAT = const(3)
_INTEGER = const(1)
_NOT_ACCEPTABLE = const(0x86)  # 4.06
_OBJLNK = const(7)
_OPAQUE = const(5)
_STRING = const(0)
_TIME = const(6)
_UNSIGNED = const(2)


def base_name(paths, bn_cost, n_cost):
    """(bn, names) that make the output shortest: no base name, a prefix
    ending in '/' shared by all paths, or (all paths equal) the whole path.
    bn_cost / n_cost: bytes a bn / n field adds beyond its text."""
    texts = [C.path_str(p) for p in paths]
    best = 0
    for t in texts:
        best += len(t) + n_cost
    choice = (None, texts)
    if not paths:
        return choice
    common = paths[0]
    shortest = len(common)
    for p in paths:
        k = 0
        while k < len(common) and k < len(p) and p[k] == common[k]:
            k += 1
        common = common[:k]
        if len(p) < shortest:
            shortest = len(p)
    for k in range(1, len(common) + 1):
        if k == shortest:
            if k < len(common) or any(len(p) != k for p in paths):
                break
            bn = C.path_str(common)  # every path is this one path
            names = ["" for _ in paths]
        else:
            bn = C.path_str(common[:k]) + "/"
            names = ["/".join(str(x) for x in p[k:]) for p in paths]
        cost = len(bn) + bn_cost
        for n in names:
            if n:
                cost += len(n) + n_cost
        if cost < best:
            best = cost
            choice = (bn, names)
    return choice


def base_time(stamps):
    """bt for a list of timestamps (None = no timestamp): only when every
    record has one and there are two or more, the most frequent one (ties: the
    smallest), so most records need no t. Records without a time must keep
    meaning 'now', which a bt would change; float times stay whole, as
    bt + (t - bt) need not give t back."""
    if len(stamps) < 2:
        return None
    best = None
    count = 0
    for s in stamps:
        if not isinstance(s, int):
            return None
        c = 0
        for o in stamps:
            if o == s:
                c += 1
        if c > count or (c == count and s < best):
            best, count = s, c
    return best


def value_field(t, v):
    """(key, value) of a record holding v of datatype t."""
    if t == _INTEGER or t == _UNSIGNED or t == _TIME:
        return "v", v
    if t == _FLOAT:
        return "v", float(v)
    if t == _STRING or t == _CORELNK:
        return "vs", v
    if t == _BOOLEAN:
        return "vb", bool(v)
    if t == _OPAQUE:
        return "vd", bytes(v)
    if t == _OBJLNK:
        return "vlo", C.objlnk_text(v)
    raise CodecError("type %r has no SenML value" % t, _NOT_ACCEPTABLE)


def pack(records, bn_cost, n_cost):
    """LwM2M records -> list of SenML record dicts (names always absolute)."""
    bn, names = base_name([r[0] for r in records], bn_cost, n_cost)
    stamps = [r[3] if len(r) > 3 else None for r in records]
    bt = base_time(stamps)
    out = []
    for i in range(len(records)):
        r = records[i]
        e = {}
        if i == 0:
            if bn is not None:
                e["bn"] = bn
            if bt is not None:
                e["bt"] = bt
        if names[i]:
            e["n"] = names[i]
        k, v = value_field(r[1], r[2])
        e[k] = v
        s = stamps[i]
        if s is not None and (bt is None or s != bt):
            e["t"] = s - bt if bt is not None else s
        out.append(e)
    return out


def pack_paths(paths, bn_cost, n_cost):
    bn, names = base_name(paths, bn_cost, n_cost)
    out = []
    for i in range(len(paths)):
        e = {}
        if i == 0 and bn is not None:
            e["bn"] = bn
        if names[i]:
            e["n"] = names[i]
        out.append(e)
    return out


def decoders(load):
    """decode_timed, decode, decode_paths of a SenML serialization whose
    load(payload) gives the list of record dicts."""

    # The record checks are a module of their own (lwm2m.codec.senml_read),
    # loaded by the first SenML payload to decode.
    def decode_timed(payload, base, type_of):
        # [(path, value, time or None)]: decode() keeping the SenML times (Send)
        from lwm2m.codec import senml_read

        return C.guarded(lambda: senml_read.unpack(load(payload), base, type_of))

    def decode(payload, base, type_of):
        return [(p, v) for p, v, t in decode_timed(payload, base, type_of)]

    def decode_paths(payload):
        from lwm2m.codec import senml_read

        return C.guarded(lambda: senml_read.unpack_paths(load(payload)))

    return decode_timed, decode, decode_paths
