# LwM2M JSON (11543), the LwM2M 1.0 format kept for old servers:
#   {"bn":"/3/0/","bt":T,"e":[{"n":"0","sv":"..","t":dT}, ...]}
# bn is the request path (with a trailing '/' when the entries lie below it);
# values: v number, sv string (opaque as standard base64), bv boolean,
# ov object link "obj:inst".
from lwm2m.error import CodecError
from lwm2m.codec import common as C, jsonw, senml
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


def _field(t, v):
    if t == _INTEGER or t == _UNSIGNED or t == _TIME:
        return "v", str(v)
    if t == _FLOAT:
        return "v", C.float_text(float(v))
    if t == _STRING or t == _CORELNK:
        return "sv", jsonw.string(v)
    if t == _OPAQUE:
        return "sv", jsonw.string(jsonw.b64(v, False))
    if t == _BOOLEAN:
        return "bv", "true" if v else "false"
    if t == _OBJLNK:
        return "ov", jsonw.string(C.objlnk_text(v))
    raise CodecError("type %r has no LwM2M JSON value" % t, _NOT_ACCEPTABLE)


def encode(records, base):
    n = len(base)
    below = False
    for r in records:
        C.check_under(r[0], base)
        if len(r[0]) > n:
            below = True
    bn = C.path_str(base)
    if below and n:
        bn += "/"
    stamps = [r[3] if len(r) > 3 else None for r in records]
    bt = senml.base_time(stamps)
    head = [("bn", jsonw.string(bn))]
    if bt is not None:
        head.append(("bt", jsonw.value(bt)))
    entries = []
    for i in range(len(records)):
        r = records[i]
        pairs = []
        name = "/".join(str(x) for x in r[0][n:])
        if name:
            pairs.append(("n", jsonw.string(name)))
        pairs.append(_field(r[1], r[2]))
        s = stamps[i]
        if s is not None and s != bt:
            pairs.append(("t", jsonw.value(s - bt if bt is not None else s)))
        entries.append(jsonw.obj(pairs))
    return (jsonw.obj(head)[:-1] + ',"e":[' + ",".join(entries) + "]}").encode("utf-8")


_KEYS = ("v", "sv", "bv", "ov")


def _value(ty, key, v):
    if key == "v":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise CodecError("v must be a number")
        if ty is not None and ty not in (_INTEGER, _UNSIGNED, _TIME, _FLOAT):
            raise CodecError("number for a non-numeric resource")
        return C.check(ty, v)
    if key == "bv":
        if ty is not None and ty != _BOOLEAN:
            raise CodecError("bv for a non-boolean resource")
        return C.check(_BOOLEAN, v)
    if not isinstance(v, str):
        raise CodecError("%s must be text" % key)
    if key == "ov":
        if ty is not None and ty != _OBJLNK:
            raise CodecError("ov for a non-link resource")
        return C.parse_objlnk(v)
    if ty == _OPAQUE:
        return jsonw.unb64(v, False)
    if ty is not None and ty != _STRING and ty != _CORELNK:
        raise CodecError("sv for a non-string resource")
    return v


def _decode(payload, base, type_of):
    doc = jsonw.loads(payload)
    if not isinstance(doc, dict) or not isinstance(doc.get("e"), list):
        raise CodecError("LwM2M JSON needs an object with an e array")
    bn = doc.get("bn", "")
    bt = doc.get("bt")
    if not isinstance(bn, str) or (bt is not None and (isinstance(bt, bool) or not isinstance(bt, (int, float)))):
        raise CodecError("bad bn or bt")
    out = []
    for e in doc["e"]:
        if not isinstance(e, dict):
            raise CodecError("LwM2M JSON entry must be an object")
        n = e.get("n", "")
        if not isinstance(n, str):
            raise CodecError("n must be text")
        path, key = C.leaf(bn + n, base, e, _KEYS)
        out.append((path, _value(type_of(path), key, e[key])))
    return out


def decode(payload, base, type_of):
    return C.guarded(_decode, payload, base, type_of)
