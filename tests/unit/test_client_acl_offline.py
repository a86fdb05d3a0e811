# Access Control object semantics (1.1.1 E.3) and notification storing (/1/x/6).
from support import raises, cpython_only
from lwm2m.client import acl
from lwm2m.client.offline import NotificationStore
from lwm2m.error import CoapError

ACOS = [(3, 0, {101: acl.READ, 0: acl.READ | acl.WRITE}, 102),
        (3303, 65535, {101: acl.CREATE}, 101),
        (3303, 0, {}, 101),
        (5, 0, {}, 102)]


@cpython_only("MicroPython inlines the private const() copies")
def test_acl_operation_bits_the_dispatcher_uses_are_acl_s():
    # dispatch keeps its own const() copies so that acl is
    # imported only when access control applies (several servers)
    from lwm2m.client import dispatch

    assert (dispatch._A_READ, dispatch._A_WRITE, dispatch._A_EXECUTE, dispatch._A_DELETE, dispatch._A_CREATE) == (
        acl.READ, acl.WRITE, acl.EXECUTE, acl.DELETE, acl.CREATE)


def test_acl_entry_for_the_server_wins_over_default():
    assert acl.allowed(ACOS, acl.READ, 3, 0, 101)
    assert not acl.allowed(ACOS, acl.WRITE, 3, 0, 101)
    assert acl.allowed(ACOS, acl.WRITE, 3, 0, 103)  # default entry (ACL instance 0)


def test_acl_owner_without_entry_has_full_rights():
    assert acl.allowed(ACOS, acl.DELETE, 3303, 0, 101)
    assert acl.allowed(ACOS, acl.EXECUTE, 5, 0, 102)
    assert not acl.allowed(ACOS, acl.READ, 5, 0, 101)


def test_acl_create_checks_the_object_level_instance_65535():
    assert acl.allowed(ACOS, acl.CREATE, 3303, None, 101)
    assert not acl.allowed(ACOS, acl.CREATE, 3303, None, 102)
    assert not acl.allowed(ACOS, acl.CREATE, 3, None, 101)


def test_acl_no_access_control_instance_means_unauthorized():
    e = raises(CoapError, acl.require, ACOS, acl.READ, 4, 0, 101)
    assert e.code == 0x81


def test_notification_storing_keeps_order_and_bound():
    s = NotificationStore(limit=3)
    for i in range(5):
        s.push("a" if i % 2 else "b", i)
    assert s.dropped == 2
    assert s.drain() == [("b", 2), ("a", 3), ("b", 4)]
    assert len(s) == 0


def test_notification_storing_hqmax_bounds_one_observation():
    s = NotificationStore(limit=10)
    for i in range(4):
        s.push("t", i, per_key=2)
        s.push("u", 10 + i)
    assert s.drain() == [("u", 10), ("u", 11), ("t", 2), ("u", 12), ("t", 3), ("u", 13)]
    s.push("t", 1, per_key=0)
    assert len(s) == 0


def test_cancelled_observation_forgets_its_stored_notifications():
    s = NotificationStore()
    s.push("a", 1)
    s.push("b", 2)
    s.forget("a")
    assert s.drain() == [("b", 2)]
