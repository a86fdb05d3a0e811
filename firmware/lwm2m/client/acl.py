# Access Control (LwM2M 1.1.1 7.3.2, Appendix E.3, object 2), as pure
# functions over a list of Access Control object instances, each
# (object_id, instance_id, acl dict {short_server_id: bits}, owner ssid).
# ACL resource instance 0 is the default for servers without their own entry;
# instance_id 65535 guards Create on the object. With a single server the
# client does not check ACLs at all (E.3): `allowed` is not even called.
from lwm2m.error import CoapError
from lwm2m.client.servers import get
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_UNAUTHORIZED = const(0x81)  # 4.01

READ = 1  # Read, Observe, Discover, Write-Attributes, Read/Observe-Composite
WRITE = 2
EXECUTE = 4
DELETE = 8
CREATE = 16
FULL = READ | WRITE | EXECUTE | DELETE  # the owner without an own ACL entry
OBJECT_LEVEL = 65535


def rights(acos, oid, iid, ssid):
    """Bits server `ssid` has on instance (oid, iid) (iid 65535: Create)."""
    for a_oid, a_iid, acl, owner in acos:
        if a_oid == oid and a_iid == iid:
            if ssid in acl:
                return acl[ssid]
            if owner == ssid:
                return FULL if iid != OBJECT_LEVEL else CREATE
            return acl.get(0, 0)
    return 0


def allowed(acos, op, oid, iid, ssid):
    if op == CREATE:
        return bool(rights(acos, oid, OBJECT_LEVEL, ssid) & CREATE)
    return bool(rights(acos, oid, iid, ssid) & op)


def require(acos, op, oid, iid, ssid):
    """Raise 4.01 Unauthorized unless ssid may do op on (oid, iid)."""
    if not allowed(acos, op, oid, iid, ssid):
        raise CoapError(_UNAUTHORIZED, "access denied")


# -- the Access Control object (2) in the model -----------------------------
def from_model(model):
    """The model's Access Control instances as `rights` takes them."""
    out = []
    for iid in model.instances(2):
        p = (2, iid)
        out.append((get(model, p + (0,)), get(model, p + (1,)), dict(get(model, p + (2,), {})),
                    get(model, p + (3,))))
    return out


def own(model, path, ssid):
    """Server ssid created instance path: it owns it (E.3: a new Access
    Control instance naming it as owner, with no ACL entries)."""
    used = model.instances(2)
    iid = 0
    while iid in used:
        iid += 1
    model.add(2, iid, {0: path[0], 1: path[1], 3: ssid})


def forget(model, path):
    """Instance path was deleted: so is its Access Control instance."""
    for iid in model.instances(2):
        if get(model, (2, iid, 0)) == path[0] and get(model, (2, iid, 1)) == path[1]:
            model.remove((2, iid))
