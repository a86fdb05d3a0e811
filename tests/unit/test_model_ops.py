# The data model's operations as the client calls them for a LwM2M server
# (int-2xx device management cases) and for the bootstrap server.
from support import raises
from lwm2m import datatype as dt
from lwm2m.error import CoapError, BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, METHOD_NOT_ALLOWED, INTERNAL
from lwm2m.model import Model, Bound, CHANGED, CREATED, DELETED


def device():
    m = Model()
    m.add(0, 0, {0: "coap://127.0.0.1:5683", 1: False, 2: 3, 10: 1})
    m.add(1, 0, {0: 1, 1: 300, 6: False, 7: "U"})
    m.add(3, 0, {0: "ACME", 1: "M1", 6: {0: 1, 1: 5}, 4: lambda args: None, 14: "+01"})
    m.add(3303, 0, {5700: 21.5, 5701: "Cel"})
    return m


def code(fn, *args):
    return raises(CoapError, fn, *args).code


def snapshot(m):
    return m.read((), True)


# ---- read (int-222..225) ---------------------------------------------------


def test_read_object_instance_resource_and_resource_instance():
    m = device()
    assert m.read((3303,)) == [((3303, 0, 5700), dt.FLOAT, 21.5), ((3303, 0, 5701), dt.STRING, "Cel")]
    assert m.read((3303, 0)) == m.read((3303,))
    assert m.read((3, 0, 6)) == [((3, 0, 6, 0), dt.INTEGER, 1), ((3, 0, 6, 1), dt.INTEGER, 5)]
    assert m.read((3, 0, 6, 1)) == [((3, 0, 6, 1), dt.INTEGER, 5)]
    # Executable resources are left out of an instance read.
    assert [r[0] for r in m.read((3, 0))] == [(3, 0, 0), (3, 0, 1), (3, 0, 6, 0), (3, 0, 6, 1), (3, 0, 14)]


def test_read_root_hides_security_object_from_a_server():
    m = device()
    paths = [r[0][0] for r in m.read(())]
    assert 0 not in paths and 1 in paths and 3303 in paths
    assert 0 in [r[0][0] for r in m.read((), True)]


def test_read_unknown_paths_is_not_found():
    m = device()
    for path in ((4,), (3303, 1), (3303, 0, 5601), (3303, 0, 9999), (3, 0, 6, 7), (3, 0, 0, 0), (77,)):
        assert code(m.read, path) == NOT_FOUND, path


def test_read_of_executable_or_write_only_resource_is_method_not_allowed():
    m = device()
    assert code(m.read, (3, 0, 4)) == METHOD_NOT_ALLOWED
    m.add(5, 0, {3: 0, 5: 0})
    assert code(m.read, (5, 0, 0)) == METHOD_NOT_ALLOWED  # Package is W only


def test_security_object_refused_to_a_server_int221():
    m = device()
    assert code(m.read, (0,)) == UNAUTHORIZED
    assert code(m.read, (0, 0, 0)) == UNAUTHORIZED
    assert code(m.read, (0, 5)) == UNAUTHORIZED  # even an absent instance
    assert code(m.write, (0, 0, 0), [((0, 0, 0), "coap://x")]) == UNAUTHORIZED
    assert code(m.write_composite, [((0, 0, 0), "coap://x")]) == UNAUTHORIZED
    assert code(m.execute, (0, 0, 0)) == UNAUTHORIZED
    assert code(m.create, 0, None, []) == UNAUTHORIZED
    assert code(m.delete, (0, 0)) == UNAUTHORIZED
    assert code(m.discover, (0,)) == UNAUTHORIZED
    assert m.objects() == [1, 3, 3303] and m.objects(True) == [0, 1, 3, 3303]


def test_bootstrap_server_reads_and_writes_security_object():
    m = device()
    m.write((0, 0, 0), [((0, 0, 0), "coaps://10.0.0.1:5684")], bootstrap=True)
    assert m.read((0, 0, 0), True) == [((0, 0, 0), dt.STRING, "coaps://10.0.0.1:5684")]
    m.write((0, 1), [((0, 1, 0), "coap://b"), ((0, 1, 1), True)], bootstrap=True)
    assert m.instances(0) == [0, 1]
    assert m.read((0, 1, 1), True) == [((0, 1, 1), dt.BOOLEAN, True)]


# ---- write (int-226..228, int-256) ------------------------------------------


def test_write_replace_resource_and_partial_update_instance():
    m = device()
    m.write((1, 0, 1), [((1, 0, 1), 600)])
    assert m.get((1, 0, 1)) == 600
    m.write((1, 0), [((1, 0, 6), True), ((1, 0, 7), "UQ")], replace=False)
    assert m.get((1, 0, 6)) is True and m.get((1, 0, 7)) == "UQ" and m.get((1, 0, 1)) == 600


def test_write_replace_instance_drops_optional_writable_resources_not_given():
    m = device()
    m.write((1, 0), [((1, 0, 2), 10)], replace=False)  # Default Minimum Period, optional
    m.write((1, 0), [((1, 0, 1), 60), ((1, 0, 6), True), ((1, 0, 7), "U")])
    assert [r[0] for r in m.read((1, 0))] == [(1, 0, 0), (1, 0, 1), (1, 0, 6), (1, 0, 7)]


def test_write_multiple_resource_replace_versus_merge():
    m = device()
    m.write((3, 0, 14), [((3, 0, 14), "+02")])
    m.add(3303, 1, {5700: 1.0})
    m.add(2, 0, {0: 3303, 1: 1, 2: {0: 7}, 3: 1})
    m.write((2, 0, 2), [((2, 0, 2, 5), 3)])
    assert m.get((2, 0, 2)) == {5: 3}
    m.write((2, 0, 2), [((2, 0, 2, 6), 1)], replace=False)
    assert m.get((2, 0, 2)) == {5: 3, 6: 1}
    m.write((2, 0, 2, 5), [((2, 0, 2, 5), 15)])
    assert m.get((2, 0, 2)) == {5: 15, 6: 1}


def test_write_to_read_only_or_executable_is_method_not_allowed():
    m = device()
    assert code(m.write, (3, 0, 0), [((3, 0, 0), "X")]) == METHOD_NOT_ALLOWED
    assert code(m.write, (3, 0, 4), [((3, 0, 4), "X")]) == METHOD_NOT_ALLOWED
    assert code(m.write, (3, 0), [((3, 0, 0), "X")], False) == METHOD_NOT_ALLOWED
    assert code(m.write, (1,), [((1, 0, 1), 5)]) == METHOD_NOT_ALLOWED


def test_write_bad_value_or_stray_record_is_bad_request():
    m = device()
    assert code(m.write, (1, 0, 1), [((1, 0, 1), "300")]) == BAD_REQUEST
    assert code(m.write, (1, 0, 1), [((1, 0, 6), True)]) == BAD_REQUEST
    assert code(m.write, (1, 0), [((3303, 0, 5700), 1.0)]) == BAD_REQUEST
    assert code(m.write, (1, 0, 1), [((1, 0, 1, 0), 5)]) == BAD_REQUEST
    assert code(m.write, (1, 0), [((1, 0, 1), 1 << 63)]) == BAD_REQUEST


def test_rejected_write_leaves_model_exactly_as_it_was():
    m = device()
    events = []
    m.listen(lambda p, e: events.append(p))
    before = snapshot(m)
    # The first records are fine, the last is not: nothing may be applied.
    recs = [((1, 0, 1), 60), ((1, 0, 7), "UQ"), ((1, 0, 6), "yes")]
    assert code(m.write, (1, 0), recs, False) == BAD_REQUEST
    assert code(m.write, (1, 0), recs, True) == BAD_REQUEST
    assert code(m.write_composite, [((1, 0, 1), 60), ((3303, 0, 5700), 1.0)]) == METHOD_NOT_ALLOWED
    assert code(m.write_composite, [((1, 0, 1), 60), ((1, 7, 1), 1)]) == NOT_FOUND
    assert snapshot(m) == before and events == []


def test_failing_write_callable_rolls_back_earlier_values():
    m = device()
    stored = [300]

    def fail(v):
        raise ValueError("flash full")

    m.bind((1, 0, 1), read=lambda: stored[0], write=lambda v: stored.__setitem__(0, v))
    m.bind((1, 0, 7), read=lambda: "U", write=fail)
    before = snapshot(m)
    assert code(m.write, (1, 0), [((1, 0, 1), 60), ((1, 0, 6), True), ((1, 0, 7), "UQ")], False) == INTERNAL
    assert snapshot(m) == before and stored == [300]


def test_write_composite_across_objects():
    m = device()
    m.write_composite([((1, 0, 1), 120), ((3, 0, 14), "+03")])
    assert m.get((1, 0, 1)) == 120 and m.get((3, 0, 14)) == "+03"


# ---- execute, create, delete, discover ----------------------------------------


def test_execute_calls_the_callable_with_arguments():
    m = device()
    got = []
    m.bind((3, 0, 4), execute=got.append)
    m.execute((3, 0, 4), b"0='x'")
    assert got == [b"0='x'"]
    assert code(m.execute, (3, 0, 0)) == METHOD_NOT_ALLOWED
    assert code(m.execute, (3, 0)) == METHOD_NOT_ALLOWED
    assert code(m.execute, (3, 0, 5)) == NOT_FOUND  # Factory Reset not implemented
    m.bind((3, 0, 5), execute=lambda a: 1 // 0)
    assert code(m.execute, (3, 0, 5)) == INTERNAL


def test_create_picks_lowest_free_id_or_takes_the_given_one():
    m = device()
    events = []
    m.listen(lambda p, e: events.append((p, e)))
    assert m.create(3303, None, [((3303, 0, 5700), 2.5)]) == 1
    assert m.create(3303, 7, [((3303, 7, 5700), 3.5), ((3303, 7, 5701), "K")]) == 7
    assert m.instances(3303) == [0, 1, 7] and m.get((3303, 7, 5701)) == "K"
    assert ((3303, 1), CREATED) in events and ((3303, 7), CREATED) in events


def test_create_rejections_change_nothing():
    m = device()
    before = snapshot(m)
    assert code(m.create, 3303, 0, []) == BAD_REQUEST  # exists
    assert code(m.create, 3, None, []) == BAD_REQUEST  # single-instance object
    assert code(m.create, 3303, 2, [((3303, 2, 5700), "hot")]) == BAD_REQUEST
    assert code(m.create, 3303, 2, [((3303, 3, 5700), 1.0)]) == BAD_REQUEST
    assert code(m.create, 3303, 2, [((3303, 2, 9), 1.0)]) == NOT_FOUND
    assert code(m.create, 3304, None, []) == NOT_FOUND  # object not present
    assert snapshot(m) == before and m.instances(3303) == [0]


def test_delete_instance():
    m = device()
    events = []
    m.listen(lambda p, e: events.append((p, e)))
    m.delete((3303, 0))
    assert m.instances(3303) == [] and events == [((3303, 0), DELETED)]
    assert code(m.delete, (3303, 0)) == NOT_FOUND
    assert code(m.delete, (3, 0)) == METHOD_NOT_ALLOWED  # the Device instance stays
    assert code(m.delete, (1,)) == METHOD_NOT_ALLOWED
    assert code(m.delete, (1, 0, 1)) == METHOD_NOT_ALLOWED
    m.delete((0,), bootstrap=True)
    assert m.instances(0) == []


def test_bootstrap_delete_spares_its_own_account_and_the_device():
    m = device()
    m.write((0, 1), [((0, 1, 0), "coaps://bs"), ((0, 1, 1), True)], bootstrap=True)
    m.add(3303, 1, {5700: 1.0})
    m.delete((), bootstrap=True)
    assert m.objects(True) == [0, 1, 3, 3303]  # objects stay declared
    assert m.instances(0) == [1] and m.instances(1) == [] and m.instances(3) == [0] and m.instances(3303) == []
    assert code(m.delete, (0, 1), True) == BAD_REQUEST
    assert code(m.delete, (3, 0), True) == BAD_REQUEST
    m.write((0, 2), [((0, 2, 0), "coap://dm"), ((0, 2, 1), False)], bootstrap=True)
    m.delete((0,), bootstrap=True)
    assert m.instances(0) == [1]


def test_discover_lists_object_instances_resources():
    m = device()
    assert m.discover((3303,)) == [(3303,), (3303, 0), (3303, 0, 5700), (3303, 0, 5701)]
    assert m.discover((3, 0)) == [(3, 0), (3, 0, 0), (3, 0, 1), (3, 0, 4), (3, 0, 6), (3, 0, 14)]
    assert m.discover((3, 0, 6)) == [(3, 0, 6), (3, 0, 6, 0), (3, 0, 6, 1)]
    assert m.dim((3, 0, 6)) == 2
    assert m.discover((), bootstrap=True) == [(0,), (0, 0), (1,), (1, 0), (3,), (3, 0), (3303,), (3303, 0)]
    assert code(m.discover, ()) == METHOD_NOT_ALLOWED


# ---- the application's side ---------------------------------------------------


def test_change_listeners_see_sets_writes_and_explicit_changes():
    m = device()
    events = []
    m.listen(lambda p, e: events.append((p, e)))
    m.set((3303, 0, 5700), 22.0)
    m.set((3303, 0, 5700), 22.0)  # same value: no event
    m.changed((3303, 0, 5700))
    m.write((1, 0, 1), [((1, 0, 1), 90)])
    assert events == [((3303, 0, 5700), CHANGED), ((3303, 0, 5700), CHANGED), ((1, 0, 1), CHANGED)]


def test_bound_read_callable_backs_a_resource():
    m = device()
    temp = [20.25]
    m.bind((3303, 0, 5700), read=lambda: temp[0])
    temp[0] = 23.5
    assert m.read((3303, 0, 5700)) == [((3303, 0, 5700), dt.FLOAT, 23.5)]
    assert code(m.write, (3303, 0, 5700), [((3303, 0, 5700), 1.0)]) == METHOD_NOT_ALLOWED
    m.bind((3303, 0, 5700), read=lambda: "hot")  # a wrong type from the app is a 5.00, not a crash
    assert code(m.read, (3303, 0)) == INTERNAL


def test_set_validates_and_add_rejects_unknown_definitions():
    m = device()
    assert code(m.set, (3303, 0, 5700), "hot") == BAD_REQUEST
    assert code(m.add, 4242) == NOT_FOUND
    assert code(m.add, 3303, 1, {9: 1}) == NOT_FOUND
    assert code(m.add, 3, 1, {4: 5}) == BAD_REQUEST  # executable needs a callable
    m.set((3, 0, 6, 2), 7)
    assert m.get((3, 0, 6)) == {0: 1, 1: 5, 2: 7}


def test_type_of_for_codecs():
    m = device()
    assert m.type_of((3303, 0, 5700)) == dt.FLOAT and m.type_of((3, 0, 6, 0)) == dt.INTEGER
    assert m.type_of((3303, 0, 1)) is None and m.type_of((3303, 0)) is None


def test_application_callable_errors_become_coap_errors():
    m = device()

    def not_ready():
        raise CoapError(NOT_FOUND, "sensor asleep")

    m.bind((3303, 0, 5700), read=not_ready)
    assert code(m.read, (3303, 0, 5700)) == NOT_FOUND
    m.bind((3303, 0, 5700), read=lambda: [][1])
    assert code(m.read, (3303, 0)) == INTERNAL


def test_bootstrap_write_on_object_creates_and_replaces_instances():
    m = device()
    recs = [((0, 0, 0), "coap://bs"), ((0, 0, 1), True), ((0, 1, 0), "coaps://dm"), ((0, 1, 10), 2)]
    m.write((0,), recs, bootstrap=True)
    assert m.instances(0) == [0, 1]
    # Replace: the optional Short Server ID (10) not given goes, mandatory Security Mode (2) stays.
    assert [r[0] for r in m.read((0, 0), True)] == [(0, 0, 0), (0, 0, 1), (0, 0, 2)]
    assert m.get((0, 1, 10)) == 2 and m.get((0, 0, 10), None) is None
    # A bootstrap write that fails changes nothing either, created instances included.
    before = snapshot(m)
    assert code(m.write, (0,), [((0, 5, 0), "coap://x"), ((0, 5, 1), "no")], True, True) == BAD_REQUEST
    assert snapshot(m) == before and m.instances(0) == [0, 1]


def test_write_to_defined_but_absent_optional_resource_adds_it():
    m = device()
    m.write((1, 0, 3), [((1, 0, 3), 3600)])  # Default Maximum Period
    assert m.get((1, 0, 3)) == 3600


def test_get_default_and_not_found():
    m = device()
    assert m.get((3, 0, 6, 1)) == 5 and m.get((3, 0, 6, 9), -1) == -1
    assert code(m.get, (3, 0, 2)) == NOT_FOUND
    assert code(m.get, (3, 4, 2)) == NOT_FOUND


def test_docs_example_temperature_sensor():
    # docs/model.md, with a fake sensor driver.
    class Sensor:
        value = 19.0
        resets = 0

        def celsius(self):
            return self.value

        def reset_min_max(self):
            self.resets += 1

    sensor = Sensor()
    model = Model()
    seen = []
    model.listen(lambda path, event: seen.append((path, event)))
    model.add(3, 0, {0: "ACME", 1: "Node-1", 4: lambda args: None, 6: {0: 1}, 16: "U"})
    model.add(3303, 0, {5701: "Cel", 5601: 100.0, 5602: -100.0})
    model.bind((3303, 0, 5700), read=sensor.celsius)
    model.bind((3303, 0, 5605), execute=lambda args: sensor.reset_min_max())
    model.set((3303, 0, 5601), 18.5)
    sensor.value = 20.5
    model.changed((3303, 0, 5700))
    assert model.read((3303, 0, 5700)) == [((3303, 0, 5700), dt.FLOAT, 20.5)]
    model.execute((3303, 0, 5605), None)
    assert sensor.resets == 1
    assert seen[-2:] == [((3303, 0, 5601), CHANGED), ((3303, 0, 5700), CHANGED)]
    assert model.objects() == [3, 3303] and model.tables.ver_attr(3303) == "1.1"


def test_registration_links_carry_ver_only_where_it_differs():
    m = device()
    m.add(6)  # declared, no instance yet
    m.add(3311, 0, {5850: True})
    assert m.links() == [
        ((1, 0), []),
        ((3, 0), []),
        ((6,), []),
        ((3303,), [("ver", "1.1")]), ((3303, 0), []),
        ((3311, 0), []),
    ]


def test_malformed_paths_get_clean_errors():
    m = device()
    assert code(m.read, (3, 0, 0, 0, 0)) == BAD_REQUEST
    assert code(m.read, (3, "x")) == NOT_FOUND
    assert code(m.read, (3, 70000)) == NOT_FOUND
    assert code(m.write, (), []) == METHOD_NOT_ALLOWED
