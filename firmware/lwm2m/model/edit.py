# The model operations outside the core profile: Write-Composite, Create,
# Delete and Discover (the Model's methods of those names call these). A
# module of its own, loaded when a server first asks for one of them.
from lwm2m.compat import const
from lwm2m.model.stage import Stage, current, err

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_METHOD_NOT_ALLOWED = const(0x85)  # 4.05
_NOT_FOUND = const(0x84)  # 4.04
_OBJ_MANDATORY = const(2)
_OBJ_MULTIPLE = const(1)
_R = const(0x10)
_W = const(0x20)


def write_composite(model, records, bootstrap=False):
    stage = Stage(model, _W, bootstrap, False)
    for rec in records:
        rpath = tuple(rec[0])
        if not 3 <= len(rpath) <= 4:
            raise err(_BAD_REQUEST, rpath, "composite write needs resource paths")
        model._access(rpath, bootstrap)
        stage.put(rpath, rec[1])
    stage.apply()


def create(model, oid, iid, records, bootstrap=False):
    model._access((oid,), bootstrap)
    insts = model._objs[oid]
    auto = iid is None
    if auto:
        iid = 0
        while iid in insts:
            iid += 1
    elif iid in insts:
        raise err(_BAD_REQUEST, (oid, iid), "instance exists")
    stage = Stage(model, _R | _W, bootstrap, True)
    stage.need_instance(oid, iid, True)
    for rec in records:
        rpath = tuple(rec[0])
        if not 3 <= len(rpath) <= 4 or rpath[0] != oid or (rpath[1] != iid and not auto):
            raise err(_BAD_REQUEST, rpath, "record outside the new instance")
        stage.put((oid, iid) + rpath[2:], rec[1])
    stage.apply()
    return iid


def delete(model, path, bootstrap=False):
    path = tuple(path)
    if len(path) < 2 and bootstrap:
        model._access(path, True)
        for oid in (path if path else model.objects(True)):
            for iid in model.instances(oid):
                if not _kept(model, oid, iid):
                    model.remove((oid, iid))
        return
    model._access(path, bootstrap)
    if len(path) != 2:
        raise err(_METHOD_NOT_ALLOWED, path, "delete needs an instance")
    if _kept(model, path[0], path[1]):
        raise err(_BAD_REQUEST if bootstrap else _METHOD_NOT_ALLOWED, path, "instance may not be deleted")
    model.remove(path)


def _kept(model, oid, iid):
    # The Device instance (a mandatory single-instance object) and the
    # Security instance of the bootstrap server (/0/x/1 true) stay.
    flags = model.tables.object_flags(oid)
    if flags & (_OBJ_MULTIPLE | _OBJ_MANDATORY) == _OBJ_MANDATORY:
        return True
    return oid == 0 and model.get((0, iid, 1), False) is True


def discover(model, path, bootstrap=False):
    path = tuple(path)
    if len(path) == 0 and not bootstrap or len(path) == 4:
        raise err(_METHOD_NOT_ALLOWED, path, "discover target")
    model._access(path, bootstrap)
    if bootstrap and len(path) < 2:
        out = []
        for oid in (path if path else model.objects(True)):
            out.append((oid,))
            out.extend((oid, iid) for iid in model.instances(oid))
        return out
    oid = path[0]
    if len(path) == 3:
        model._info(path, 0, bootstrap)
        inst = model._objs[oid][path[1]]
        if path[2] not in inst:
            raise err(_NOT_FOUND, path, "no value")
        v = current(inst[path[2]])
        return [path] + ([path + (ri,) for ri in sorted(v)] if isinstance(v, dict) else [])
    out = [path]
    for iid in (model.instances(oid) if len(path) == 1 else path[1:]):
        if len(path) == 1:
            out.append((oid, iid))
        out.extend((oid, iid, rid) for rid in sorted(model._objs[oid][iid]))
    return out
