# RFC 7641, server role: registration, notifications, cancellation.
from coap_fakes import endpoint, req
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message
from lwm2m.error import NOT_FOUND


def observed():
    events = []
    ep, link, clock = endpoint(lambda r, p: Message(cm.CONTENT, payload=b"20"))
    ep.on_observe = lambda obs: events.append(("observe", obs))
    ep.on_cancel = lambda obs, why: events.append((why, obs))
    ep.receive(req(cm.GET, "3303/0/5700", token=b"\x0b\x5e", mid=1).add_option(cm.OBSERVE, 0).encode(), "S")
    return ep, link, clock, events


def test_get_observe_0_registers_and_answers_with_observe_number():
    ep, link, clock, events = observed()
    resp = link.take()[0]
    assert resp.type == cm.ACK and resp.code == cm.CONTENT and resp.observe() is not None
    assert len(ep.observations) == 1 and events == [("observe", ep.observations[0])]
    obs = ep.observations[0]
    assert obs.peer == "S" and obs.token == b"\x0b\x5e" and obs.request.uri_path() == ["3303", "0", "5700"]


def test_failed_get_does_not_register():
    ep, link, clock = endpoint(lambda r, p: Message(NOT_FOUND))
    ep.receive(req(cm.GET, "9/9", mid=1).add_option(cm.OBSERVE, 0).encode(), "S")
    assert link.take()[0].observe() is None and ep.observations == []


def test_notifications_rise_non_or_con_per_notification():
    ep, link, clock, events = observed()
    first = link.take()[0].observe()
    obs = ep.observations[0]
    assert ep.notify(obs, Message(cm.CONTENT, payload=b"21"))
    assert ep.notify(obs, Message(cm.CONTENT, payload=b"22"), con=True)
    a, b = link.take()
    assert a.type == cm.NON and b.type == cm.CON
    assert first < a.observe() < b.observe() and a.token == b.token == b"\x0b\x5e"
    assert bytes(b.payload) == b"22" and a.mid != b.mid
    ep.receive(Message(cm.EMPTY, cm.ACK, b.mid).encode(), "S")
    assert ep.next_timeout_ms() is None and len(ep.observations) == 1


def test_sequence_number_wraps_at_24_bits():
    ep, link, clock, events = observed()
    ep._seq = 0xFFFFFE
    obs = ep.observations[0]
    link.take()
    ep.notify(obs, Message(cm.CONTENT))
    ep.notify(obs, Message(cm.CONTENT))
    assert [m.observe() for m in link.take()] == [0xFFFFFF, 0]


def test_rst_to_notification_cancels():
    ep, link, clock, events = observed()
    link.take()
    obs = ep.observations[0]
    ep.notify(obs, Message(cm.CONTENT))
    n = link.take()[0]
    ep.receive(Message(cm.EMPTY, cm.RST, n.mid).encode(), "S")
    assert ep.observations == [] and events[-1] == ("reset", obs)
    assert not ep.notify(obs, Message(cm.CONTENT)) and link.raw() == []


def test_get_observe_1_cancels_and_answers_normally():
    ep, link, clock, events = observed()
    link.take()
    obs = ep.observations[0]
    ep.receive(req(cm.GET, "3303/0/5700", token=b"\x0b\x5e", mid=2).add_option(cm.OBSERVE, 1).encode(), "S")
    r = link.take()[0]
    assert r.code == cm.CONTENT and r.observe() is None
    assert ep.observations == [] and events[-1] == ("deregister", obs)


def test_con_notification_timeout_cancels():
    ep, link, clock, events = observed()
    obs = ep.observations[0]
    ep.notify(obs, Message(cm.CONTENT), con=True)
    for _ in range(100):
        clock.advance(1000)
        ep.tick()
    assert len(link.take()) == 1 + 1 + 4 and ep.observations == [] and events[-1] == ("timeout", obs)


def test_new_con_notification_replaces_one_in_flight():
    ep, link, clock, events = observed()
    link.take()
    obs = ep.observations[0]
    ep.notify(obs, Message(cm.CONTENT, payload=b"1"), con=True)
    clock.advance(2000)
    ep.tick()  # first retransmission
    ep.notify(obs, Message(cm.CONTENT, payload=b"2"), con=True)
    assert [bytes(m.payload) for m in link.take()] == [b"1", b"1", b"2"]
    clock.advance(4000)  # the doubled timeout carries over
    ep.tick()
    assert [bytes(m.payload) for m in link.take()] == [b"2"]


def test_error_notification_ends_observation():
    ep, link, clock, events = observed()
    obs = ep.observations[0]
    ep.notify(obs, Message(NOT_FOUND))
    assert ep.observations == [] and events[-1] == ("error", obs)


def test_reregistration_with_same_token_keeps_one_observation():
    ep, link, clock, events = observed()
    ep.receive(req(cm.GET, "3303/0/5700", token=b"\x0b\x5e", mid=9).add_option(cm.OBSERVE, 0).encode(), "S")
    assert len(ep.observations) == 1 and len(events) == 2
