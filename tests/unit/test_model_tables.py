# Lookups in the generated object tables (firmware/lwm2m/objects/tables.py).
from lwm2m import datatype as dt
from lwm2m.model.table import Tables, R, W, E, MULTIPLE, MANDATORY, TYPE_MASK, version_str
from lwm2m.model.table import OBJ_MULTIPLE, OBJ_MANDATORY, OBJ_BOOTSTRAP_ONLY

T = Tables()


def test_tables_hold_core_objects_and_ipso_sensors():
    ids = T.object_ids()
    for oid in (0, 1, 2, 3, 4, 5, 6, 7, 3300, 3301, 3303, 3304, 3311, 3336):
        assert oid in ids and T.has_object(oid)
    assert ids == sorted(ids)
    assert not T.has_object(8) and not T.has_object(65535) and T.object_flags(9999) == -1


def test_device_resources_types_and_operations():
    info = T.info(3, 0)  # Manufacturer: R, single, optional, string
    assert info & TYPE_MASK == dt.STRING and info & R and not info & W and not info & MULTIPLE
    reboot = T.info(3, 4)
    assert reboot & TYPE_MASK == dt.NONE and reboot & E and reboot & MANDATORY
    sources = T.info(3, 6)  # Available Power Sources: multiple integer
    assert sources & MULTIPLE and sources & TYPE_MASK == dt.INTEGER
    assert T.info(3, 13) & TYPE_MASK == dt.TIME and T.info(3, 13) & W
    assert T.info(3, 9999) == -1 and T.info(4242, 0) == -1


def test_every_type_appears_with_its_code():
    assert T.info(1, 1) & TYPE_MASK == dt.INTEGER  # Lifetime
    assert T.info(1, 6) & TYPE_MASK == dt.BOOLEAN  # Notification Storing
    assert T.info(0, 3) & TYPE_MASK == dt.OPAQUE  # Public Key or Identity
    assert T.info(0, 13) & TYPE_MASK == dt.UNSIGNED  # Matching Type
    assert T.info(3303, 5700) & TYPE_MASK == dt.FLOAT
    assert T.info(2, 0) & TYPE_MASK == dt.INTEGER
    assert T.info(1, 1) & (R | W) == R | W


def test_object_flags():
    assert T.object_flags(3) & OBJ_MANDATORY and not T.object_flags(3) & OBJ_MULTIPLE
    assert T.object_flags(1) & OBJ_MULTIPLE and T.object_flags(3303) & OBJ_MULTIPLE
    assert T.object_flags(0) & OBJ_BOOTSTRAP_ONLY and not T.object_flags(1) & OBJ_BOOTSTRAP_ONLY


def test_ver_attr_only_where_version_differs_from_enabler_default():
    # LwM2M 1.1 implies Security 1.1, Server 1.1, Device 1.1, Connectivity
    # Monitoring 1.2 and 1.0 for the rest; the tables hold the current versions
    # but Server and Device 1.1 (tools/gen_tables.py CARRIED).
    assert T.enabler == "1.1"
    assert T.ver_attr(3303) == "1.1" and T.ver_attr(3336) == "2.0"
    assert T.ver_attr(6) is None and T.ver_attr(7) is None and T.ver_attr(3311) is None
    assert T.ver_attr(3) is None and T.ver_attr(1) is None and T.ver_attr(4) == "1.3"
    assert version_str(T.version(3)) == "1.1" and T.version(9999) == -1


def test_resource_ids_ascending():
    rids = T.resource_ids(3303)
    assert 5700 in rids and 5701 in rids and rids == sorted(rids)
    assert T.resource_ids(4242) == []
    # Binary search finds every listed id, first and last included.
    for oid in T.object_ids():
        for rid in T.resource_ids(oid):
            assert T.info(oid, rid) >= 0


def test_lookups_allocate_nothing():
    import support

    if not support.ON_MICROPYTHON:
        return
    import micropython

    micropython.heap_lock()
    try:
        info = T.info(3303, 5700)
        flags = T.object_flags(3)
        missing = T.info(3303, 1)
    finally:
        micropython.heap_unlock()
    assert info >= 0 and flags >= 0 and missing == -1
