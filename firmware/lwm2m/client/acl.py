# Access Control (LwM2M 1.1.1 7.3.2, Appendix E.3, object 2), as pure
# functions over a list of Access Control object instances, each
# (object_id, instance_id, acl dict {short_server_id: bits}, owner ssid).
# ACL resource instance 0 is the default for servers without their own entry;
# instance_id 65535 guards Create on the object. With a single server the
# client does not check ACLs at all (E.3): `allowed` is not even called.
from lwm2m.error import CoapError, UNAUTHORIZED

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
        raise CoapError(UNAUTHORIZED, "access denied")
