# LwM2M CBOR (11544, LwM2M 1.2): nested maps keyed by path ids,
#   {3: {0: {0: "Open Mobile Alliance", 6: {0: 1, 1: 5}}}}
# A key may also be an array of ids standing for several levels at once. The
# encoder folds a chain of single-child levels into one array key when the
# chain is 3 or more ids long ({[3303, 0, 5700]: 22.5}): from 3 on the array
# head costs less than the map heads it replaces; at 2 they tie and plain
# nesting is kept. Leaf values as in CBOR (60); no timestamps in this format.
from lwm2m.error import CodecError
from lwm2m.codec import cbor, cbor_value, common as C
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_NOT_ACCEPTABLE = const(0x86)  # 4.06


def _tree(paths, leaves):
    root = {}
    for i in range(len(paths)):
        path = paths[i]
        node = root
        for k in path[:-1]:
            if k not in node:
                node[k] = {}
            nxt = node[k]
            if not isinstance(nxt, dict):
                return None  # a path that is the prefix of another
            node = nxt
        if path[-1] in node:
            return None
        node[path[-1]] = leaves[i]
    return root


def _fold(node):
    out = {}
    for k in node:
        chain = [k]
        child = node[k]
        while isinstance(child, dict) and len(child) == 1:
            for k2 in child:
                chain.append(k2)
            child = child[chain[-1]]
        if len(chain) >= 3:
            out[tuple(chain)] = _fold(child) if isinstance(child, dict) else child
        else:
            child = node[k]
            out[k] = _fold(child) if isinstance(child, dict) else child
    return out


def encode(records, base):
    paths = []
    leaves = []
    for r in records:
        if len(r) > 3 and r[3] is not None:
            raise CodecError("LwM2M CBOR carries no timestamps", _NOT_ACCEPTABLE)
        C.check_under(r[0], base)
        paths.append(r[0])
        leaves.append(cbor_value.to_item(r[1], r[2]))
    if any(len(p) < 3 for p in paths):
        raise CodecError("LwM2M CBOR values belong to resources", _NOT_ACCEPTABLE)
    tree = _tree(paths, leaves)
    if tree is None:
        raise CodecError("duplicate path", _NOT_ACCEPTABLE)
    return cbor.dumps(_fold(tree))


def encode_paths(paths):
    """Read-/Observe-Composite path list: the paths as a tree with null leaves
    (a flat map of array keys when one path lies inside another)."""
    tree = None
    if all(len(p) for p in paths):
        tree = _tree(paths, [None] * len(paths))
    if tree is None:
        tree = {}
        for p in paths:
            tree[p[0] if len(p) == 1 else tuple(p)] = None
        return cbor.dumps(tree)
    return cbor.dumps(_fold(tree))


def _walk(m, prefix, out):
    if not isinstance(m, dict):
        raise CodecError("LwM2M CBOR levels must be maps")
    for k in m:
        ids = k if isinstance(k, tuple) else (k,)
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i <= 0xFFFF:
                raise CodecError("LwM2M CBOR key must be ids 0..65535")
        path = prefix + ids
        if len(path) > 4:
            raise CodecError("LwM2M CBOR path too deep")
        v = m[k]
        if isinstance(v, dict):
            _walk(v, path, out)
        elif isinstance(v, list):
            raise CodecError("LwM2M CBOR leaf cannot be an array")
        else:
            out.append((path, v))


def _leaves(payload):
    out = []
    _walk(cbor.loads(payload), (), out)
    # maps have no order on MicroPython: sort so both runtimes agree
    out.sort(key=lambda pv: pv[0])
    for i in range(1, len(out)):
        if out[i][0] == out[i - 1][0]:
            raise CodecError("LwM2M CBOR path given twice")
    return out


def _decode(payload, base, type_of):
    out = []
    for path, v in _leaves(payload):
        if len(path) < 3:
            raise CodecError("LwM2M CBOR value needs a resource path")
        C.check_under(path, base)
        out.append((path, C.check(type_of(path), v)))
    return out


def decode(payload, base, type_of):
    return C.guarded(_decode, payload, base, type_of)


def _decode_paths(payload):
    out = []
    for path, v in _leaves(payload):
        if v is not None:
            raise CodecError("composite path list leaves must be null")
        out.append(path)
    return out


def decode_paths(payload):
    return C.guarded(_decode_paths, payload)
