# Registration interface (LwM2M 1.1.1 6.2; OMA-ETS int-101..105, 107), sans-IO.
from lwm2m.client import reglinks, registration as R
from lwm2m.client.registration import Registration

OBJS = [(3303, "1.1", [1, 0]), (3, None, [0]), (1, "1.1", [0]), (0, None, [0, 1]),
        (5, "1.0", []), (21, None, [0])]


def test_register_query_ep_lt_lwm2m_b_and_queue_flag():
    assert reglinks.register_query("dev1", 300) == ["ep=dev1", "lt=300", "lwm2m=1.1", "b=U"]
    assert reglinks.register_query("d", 60, "UQ"[0], True) == ["ep=d", "lt=60", "lwm2m=1.1", "b=U", "Q"]


def test_compact_register_query_leaves_out_parameters_at_their_default():
    # 1.1.1 Transport 6.2.1: lt defaults to 86400, b to U; a LoRaWAN frame has no room for them
    assert reglinks.register_query("l1", 86400, "U", True, compact=True) == ["ep=l1", "lwm2m=1.1", "Q"]
    assert reglinks.register_query("l1", 3600, "N", False, compact=True) == ["ep=l1", "lt=3600", "lwm2m=1.1", "b=N"]


def test_register_payload_ordered_by_id_versions_only_where_not_default():
    got = reglinks.object_links(OBJS, ct=112)
    assert got == (b'</>;rt="oma.lwm2m";ct=112,</1>;ver=1.1,</1/0>,</3/0>,</5>,'
                   b'</3303>;ver=1.1,</3303/0>,</3303/1>')


def test_register_payload_never_lists_security_or_oscore():
    got = reglinks.object_links([(0, None, [0]), (21, None, [0]), (3, None, [0])])
    assert got == b"</3/0>"


def test_register_payload_alternate_root_path():
    got = reglinks.object_links([(3, None, [0])], root_path="/lwm2m")
    assert got == b'</lwm2m>;rt="oma.lwm2m",</lwm2m/3/0>'


def _registered(now=0, **cfg):
    r = Registration("dev1", lifetime=cfg.pop("lifetime", 300), **cfg)
    r.set_objects(b"</1/0>,</3/0>")
    r.start(now)
    req = r.step(now)
    r.on_response(now, 0x41, ["rd", "5a3f"])
    return r, req


def test_int_101_initial_registration_post_rd_with_link_format():
    r, req = _registered(0)
    assert req == (R.POST, ["rd"], ["ep=dev1", "lt=300", "lwm2m=1.1", "b=U"], b"</1/0>,</3/0>", 40)
    assert r.state == R.REGISTERED and r.location == ["rd", "5a3f"]


def test_initial_registration_delay_timer_holds_register_back():
    r = Registration("d", initial_delay=30)
    r.start(100)
    assert r.deadline() == 130
    assert r.step(129) is None
    assert r.step(130)[1] == ["rd"]


def test_int_102_update_before_lifetime_expires_without_unchanged_params():
    r, _ = _registered(0, lifetime=300, margin=20)
    assert r.deadline() == 280
    assert r.step(279) is None
    assert r.step(280) == (R.POST, ["rd", "5a3f"], [], None, None)
    r.on_response(281, 0x44)
    assert r.deadline() == 280 + 280


def test_update_margin_is_at_most_half_the_lifetime():
    r, _ = _registered(0, lifetime=30)
    assert r.deadline() == 15


def test_int_107_lifetime_change_sends_update_with_lt_only():
    r, _ = _registered(0)
    r.configure(lifetime=600)
    assert r.deadline() == 0
    assert r.step(5) == (R.POST, ["rd", "5a3f"], ["lt=600"], None, None)
    r.on_response(5, 0x44)
    assert r.deadline() == 5 + 600 - 93


def test_update_carries_object_list_only_when_it_changed():
    r, _ = _registered(0)
    r.set_objects(b"</1/0>,</3/0>")
    assert r.deadline() == 207
    assert r.step(1) is None
    r.set_objects(b"</1/0>,</3/0>,</3303/0>")
    assert r.step(1) == (R.POST, ["rd", "5a3f"], [], b"</1/0>,</3/0>,</3303/0>", 40)


def test_change_during_update_is_sent_in_a_second_update():
    r, _ = _registered(0)
    r.trigger_update()
    assert r.step(1)[2] == []
    r.configure(binding="UQ")
    assert r.step(1) is None  # one request in flight at a time
    r.on_response(2, 0x44)
    assert r.step(2) == (R.POST, ["rd", "5a3f"], ["b=UQ"], None, None)


def test_int_104_registration_update_trigger_sends_update_now():
    r, _ = _registered(0)
    r.trigger_update()
    assert r.deadline() == 0
    assert r.step(10) == (R.POST, ["rd", "5a3f"], [], None, None)


def test_int_105_update_answered_4_04_registers_again():
    r, _ = _registered(0)
    r.trigger_update()
    r.step(10)
    r.on_response(10, 0x84)
    req = r.step(10)
    assert req[1] == ["rd"] and req[2][0] == "ep=dev1"
    r.on_response(11, 0x41, ["rd", "new"])
    assert r.location == ["rd", "new"]


def test_update_timeout_registers_again():
    r, _ = _registered(0)
    r.trigger_update()
    r.step(10)
    r.on_failure(60)
    assert r.step(60)[1] == ["rd"]


def test_int_103_deregistration_delete_location():
    r, _ = _registered(0)
    r.deregister()
    assert r.step(3) == (R.DELETE, ["rd", "5a3f"], [], None, None)
    r.on_response(3, 0x42)
    assert r.state == R.DEREGISTERED and r.deadline() is None


def test_register_retries_with_exponential_backoff_then_sequence_delay():
    r = Registration("d", retry_count=3, retry_timer=10, seq_delay=1000, seq_retry=2)
    r.start(0)
    times = []
    now = 0
    for _ in range(7):
        assert r.step(now) is not None, now
        times.append(now)
        r.on_failure(now)
        if r.state == R.FAILED:
            break
        now = r.deadline()
    # attempts at 0, +10, +20 -> sequence failed -> +1000 -> 0, +10, +20 -> FAILED
    assert times == [0, 10, 30, 1030, 1040, 1060]
    assert r.state == R.FAILED and r.deadline() is None


def test_register_error_response_counts_as_a_failed_attempt():
    r = Registration("d", retry_count=2, retry_timer=5, seq_retry=1)
    r.start(0)
    r.step(0)
    r.on_response(0, 0x83)  # 4.03 Forbidden
    assert r.state == R.WAITING and r.deadline() == 5
    r.step(5)
    r.on_response(5, 0x41, None)  # 2.01 without a location is no registration
    assert r.state == R.FAILED


def test_several_servers_register_independently():
    a, _ = _registered(0, lifetime=100)
    b, _ = _registered(0, lifetime=1000)
    assert a.deadline() == 50 and b.deadline() == 907


def test_deregister_while_register_in_flight_deregisters_after_the_answer():
    r = Registration("d")
    r.start(0)
    r.step(0)
    r.deregister()
    r.on_response(1, 0x41, ["rd", "x"])
    assert r.step(1) == (R.DELETE, ["rd", "x"], [], None, None)
    r2 = Registration("d")
    r2.start(0)
    r2.step(0)
    r2.deregister()
    r2.on_failure(5)
    assert r2.state == R.DEREGISTERED and r2.step(5) is None


def test_disable_deregisters_and_registers_again_after_the_timeout():
    r, _ = _registered(0)
    r.disable(10, 60)
    assert r.step(10) == (R.DELETE, ["rd", "5a3f"], [], None, None)
    r.on_response(11, 0x42)
    assert r.state == R.WAITING and r.deadline() == 70 and r.disabled()
    assert r.step(69) is None
    assert r.step(70)[1] == ["rd"]
    assert not r.disabled()


def test_int_108_queue_mode_turned_on_by_update_with_q_and_off_by_register():
    r, _ = _registered(0)
    r.configure(queue=True)
    assert r.step(1) == (R.POST, ["rd", "5a3f"], ["Q"], None, None)
    r.on_response(1, 0x44)
    assert r.step(2) is None
    r.configure(queue=False)
    req = r.step(2)
    assert req[1] == ["rd"] and "Q" not in req[2]
