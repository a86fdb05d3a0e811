# The Client end to end over an in-memory wire, the other end a real CoAP
# Endpoint playing the LwM2M server (int-101..104, 301, 306, 307; storing).
from client_support import device, FakeClock, FakeServer, wire, pump, req, GET, POST, PUT
from lwm2m.coap.message import decode, Message
from lwm2m.client.client import Client
from lwm2m.client.queue import Queue
from lwm2m.client import registration as R


def _setup(lifetime=300, **cfg):
    m = device()
    clock = FakeClock()
    lc, ls, log = wire()
    srv = FakeServer(ls, clock)
    m.set((1, 0, 1), lifetime)
    config = {"ep": "dev1", "resolve": lambda uri: "server", "default_format": 110}
    config.update(cfg)
    c = Client(m, lc, clock, config)
    c.start()
    pump(c, srv.ep, lc, ls)
    return m, clock, srv, c, lc, ls


def test_int_101_client_registers_with_the_model_objects():
    m, clock, srv, c, lc, ls = _setup()
    code, path, query, payload = srv.got[0]
    assert (code, path) == (POST, ["rd"])
    assert query == ["ep=dev1", "lt=300", "lwm2m=1.1", "b=U"]
    assert payload == b"</1/0>,</3/0>,</3303>;ver=1.1,</3303/0>,</3303/1>"
    assert c.connections[0].reg.state == R.REGISTERED
    assert c.connections[0].reg.location == ["rd", "abc"]


def test_int_102_update_sent_before_lifetime_expires():
    m, clock, srv, c, lc, ls = _setup(lifetime=60)
    assert c.next_timeout_ms() == 30000
    clock.advance(30000)
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][:3] == (POST, ["rd", "abc"], [])


def test_int_107_server_writes_lifetime_client_sends_update_with_lt():
    m, clock, srv, c, lc, ls = _setup()
    w = req(PUT, "/1/0/1", b'[{"n":"/1/0/1","v":600}]', ct=110)
    srv.ep.request(w, "client")
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][:3] == (POST, ["rd", "abc"], ["lt=600"])


def test_int_104_registration_update_trigger_execute_1_0_8():
    m, clock, srv, c, lc, ls = _setup()
    ex = srv.ep.request(req(POST, "/1/0/8"), "client")
    pump(c, srv.ep, lc, ls)
    assert ex.response.code == 0x44
    assert srv.got[-1][:3] == (POST, ["rd", "abc"], [])


def test_new_instance_sends_update_with_the_object_list():
    m, clock, srv, c, lc, ls = _setup()
    m.add(3303, 7, {5700: 1.0})
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][1] == ["rd", "abc"]
    assert srv.got[-1][3].endswith(b"</3303/0>,</3303/1>,</3303/7>")


def test_int_105_update_rejected_4_04_registers_again():
    m, clock, srv, c, lc, ls = _setup()
    srv.update_code = 0x84
    c.connections[0].reg.trigger_update()
    pump(c, srv.ep, lc, ls)
    assert [g[1] for g in srv.got] == [["rd"], ["rd", "abc"], ["rd"]]


def test_int_103_deregister_on_stop():
    m, clock, srv, c, lc, ls = _setup()
    c.stop(wait_ms=0)
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][:2] == (4, ["rd", "abc"])
    assert c.connections[0].reg.state == R.DEREGISTERED


def test_int_301_observe_then_notify_on_change():
    m, clock, srv, c, lc, ls = _setup()
    notes = []
    ex = srv.ep.request(req(GET, "/3/0/9", observe=0), "client", lambda e: notes.append(e.response))
    pump(c, srv.ep, lc, ls)
    assert ex.response.code == 0x45 and ex.response.observe() is not None
    assert bytes(ex.response.payload) == b'[{"n":"/3/0/9","v":90}]'
    datagrams = len(lc.wire)
    m.set((3, 0, 9), 50)
    pump(c, srv.ep, lc, ls)
    sent = [decode(d) for who, d in lc.wire[datagrams:] if who == "client"]
    assert len(sent) == 1 and bytes(sent[0].payload) == b'[{"n":"/3/0/9","v":50}]'
    assert sent[0].token == ex.request.token and sent[0].content_format() == 110


def test_notifications_stored_while_offline_flushed_in_order_after_update():
    m, clock, srv, c, lc, ls = _setup()
    m.set((1, 0, 6), True)
    srv.ep.request(req(GET, "/3/0/9", observe=0), "client")
    pump(c, srv.ep, lc, ls)
    c.set_online(False)
    for v in (1, 2, 3):
        m.set((3, 0, 9), v)
        c.step()
    mark = len(lc.wire)
    assert len(c.connections[0].store) == 3
    c.set_online(True)
    pump(c, srv.ep, lc, ls)
    sent = [decode(d) for who, d in lc.wire[mark:] if who == "client"]
    assert sent[0].uri_path() == ["rd", "abc"]
    assert [bytes(x.payload) for x in sent[1:] if x.code == 0x45] == [
        b'[{"n":"/3/0/9","v":1}]', b'[{"n":"/3/0/9","v":2}]', b'[{"n":"/3/0/9","v":3}]']


def test_int_306_send_posts_senml_cbor_to_dp_and_307_mute():
    m, clock, srv, c, lc, ls = _setup()
    ex = c.send([(3, 0, 9)])
    pump(c, srv.ep, lc, ls)
    code, path, q, payload = srv.got[-1]
    assert (code, path) == (POST, ["dp"]) and ex.response.code == 0x44
    assert payload == b"\x81\xa2\x00f/3/0/9\x02\x18Z"
    m.set((1, 0, 23), True)
    assert c.send([(3, 0, 9)]) is None


def test_poll_never_raises_on_garbage():
    m, clock, srv, c, lc, ls = _setup()
    lc.inbox.append((b"\xff\x00garbage", "server"))
    c.poll(0)
    lc.inbox.append((b"", "server"))
    c.poll(0)


def _two_servers():
    from client_support import pump_all, wire as mkwire
    from lwm2m.client.servers import provision, parse_uri
    from lwm2m.client import acl

    m = device()
    m.remove((0, 0))
    m.remove((1, 0))
    provision(m, "coap://s1:5683", ssid=101, lifetime=300)
    provision(m, "coap://s2:5683", ssid=102, lifetime=600)
    m.add(2, 0, {0: 3, 1: 0, 2: {102: acl.READ}, 3: 101})
    m.add(2, 1, {0: 3303, 1: 0, 3: 101})
    m.add(2, 2, {0: 3303, 1: 65535, 2: {102: acl.CREATE}, 3: 101})
    m.add(2, 3, {0: 1, 1: 0, 3: 101})  # each server owns its Server instance
    m.add(2, 4, {0: 1, 1: 1, 3: 102})
    clock = FakeClock()
    lc, l1, l2, log = mkwire("s1", "s2")
    s1, s2 = FakeServer(l1, clock), FakeServer(l2, clock)
    c = Client(m, lc, clock, {"ep": "dev2", "resolve": lambda uri: parse_uri(uri)[1], "default_format": 110})
    c.start()
    pairs = [(s1.ep, l1), (s2.ep, l2)]

    def run(server, r):
        ex = server.ep.request(r, "client")
        pump_all(c, lc, pairs)
        return ex.response

    pump_all(c, lc, pairs)
    return m, c, s1, s2, run


def test_several_servers_each_get_their_own_registration():
    m, c, s1, s2, run = _two_servers()
    assert s1.got[0][2] == ["ep=dev2", "lt=300", "lwm2m=1.1", "b=U"]
    assert s2.got[0][2] == ["ep=dev2", "lt=600", "lwm2m=1.1", "b=U"]
    assert [x.reg.state for x in c.connections] == [R.REGISTERED, R.REGISTERED]
    # each server's Registration Update Trigger updates only that server
    assert run(s2, req(POST, "/1/1/8")).code == 0x44
    assert s2.got[-1][1] == ["rd", "abc"] and len(s1.got) == 1


def test_access_control_applies_with_several_servers():
    m, c, s1, s2, run = _two_servers()
    assert run(s2, req(GET, "/3/0/0")).code == 0x45
    w = b'[{"n":"/3303/0/5750","vs":"x"}]'
    assert run(s2, req(PUT, "/3303/0/5750", w, ct=110)).code == 0x81
    assert run(s1, req(PUT, "/3303/0/5750", w, ct=110)).code == 0x44  # the owner


def test_instance_created_by_a_server_is_owned_by_it():
    m, c, s1, s2, run = _two_servers()
    r = run(s2, req(POST, "/3303", b'[{"n":"/3303/4/5750","vs":"n"}]', ct=110))
    assert r.code == 0x41
    aco = [i for i in m.instances(2) if m.get((2, i, 0)) == 3303 and m.get((2, i, 1)) == 4]
    assert len(aco) == 1 and m.get((2, aco[0], 3)) == 102
    assert run(s1, req(4, "/3303/4")).code == 0x81
    assert run(s2, req(4, "/3303/4")).code == 0x42
    assert not [i for i in m.instances(2) if m.get((2, i, 1)) == 4]


def test_disable_executes_after_2_04_then_deregisters_and_comes_back():
    m, clock, srv, c, lc, ls = _setup()
    m.set((1, 0, 5), 30)
    ex = srv.ep.request(req(POST, "/1/0/4"), "client")
    pump(c, srv.ep, lc, ls)
    assert ex.response.code == 0x44 and srv.got[-1][1] == ["rd"]  # no De-register yet
    assert c.next_timeout_ms() == 1000  # a pause before acting on it
    clock.advance(1000)
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][:2] == (4, ["rd", "abc"])
    assert c.next_timeout_ms() == 30000
    clock.advance(30000)
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][1] == ["rd"] and c.connections[0].reg.state == R.REGISTERED


def test_int_108_queue_mode_registers_with_q_and_sleeps_between_deadlines():
    m, clock, srv, c, lc, ls = _setup(lifetime=3600, queue=True)
    q = Queue(c, {"awake_ms": 10000})
    assert srv.got[0][2] == ["ep=dev1", "lt=3600", "lwm2m=1.1", "b=U", "Q"]
    clock.advance(1000)
    assert q.sleep_ms() == 0  # still awake: the server may have requests queued
    clock.advance(9000)
    assert q.sleep_ms() == (3600 - 93 - 10) * 1000  # until the Update is due
    srv.ep.request(req(GET, "/3/0/9", observe=0), "client")
    pump(c, srv.ep, lc, ls)
    clock.advance(10000)
    m.set((3, 0, 9), 7)
    assert q.sleep_ms() == 0  # a notification is due now
    c.step()
    assert q.sleep_ms() == 0  # and it woke the awake window again


def test_queue_mode_stays_awake_until_disable_has_deregistered():
    # Disable acts a second after its 2.04 (client.defer): a device whose
    # awake window is shorter must not sleep through that pause
    m, clock, srv, c, lc, ls = _setup(lifetime=3600, queue=True)
    q = Queue(c, {"awake_ms": 200})
    m.set((1, 0, 5), 30)
    srv.ep.request(req(POST, "/1/0/4"), "client")
    pump(c, srv.ep, lc, ls)
    clock.advance(500)
    assert q.sleep_ms() == 0 and q.next_timeout_ms() == 500
    clock.advance(500)
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][:2] == (4, ["rd", "abc"])  # the De-register went


def test_offline_a_due_update_does_not_keep_the_loop_busy():
    m, clock, srv, c, lc, ls = _setup(lifetime=60)
    c.set_online(False)
    clock.advance(45000)  # the Update is due
    c.step()
    assert c.next_timeout_ms() is None and lc.wire[-1][0] == "server"
    c.set_online(True)
    pump(c, srv.ep, lc, ls)
    assert srv.got[-1][:2] == (POST, ["rd", "abc"])


def test_after_a_nat_timeout_a_notification_goes_after_an_update():
    m, clock, srv, c, lc, ls = _setup(nat_timeout_ms=60000)
    srv.ep.request(req(GET, "/3/0/9", observe=0), "client")
    pump(c, srv.ep, lc, ls)
    m.set((3, 0, 9), 1)
    pump(c, srv.ep, lc, ls)
    mark = len(lc.wire)
    assert decode(lc.wire[mark - 1][1]).code == 0x45  # recent traffic: sent at once
    clock.advance(61000)
    m.set((3, 0, 9), 2)
    pump(c, srv.ep, lc, ls)
    sent = [decode(d) for who, d in lc.wire[mark:] if who == "client"]
    assert sent[0].uri_path() == ["rd", "abc"]
    assert bytes(sent[1].payload) == b'[{"n":"/3/0/9","v":2}]'


def test_registration_priority_order_and_failure_block():
    from client_support import pump_all, wire as mkwire
    from lwm2m.client.servers import provision, parse_uri

    def world(block):
        m = device()
        m.remove((0, 0))
        m.remove((1, 0))
        provision(m, "coap://s1:5683", ssid=101)
        provision(m, "coap://s2:5683", ssid=102)
        m.set((1, 0, 13), 2)
        m.set((1, 1, 13), 1)  # s2 first
        m.set((1, 1, 15), block)
        m.set((1, 1, 17), 1)  # one attempt per sequence, one sequence
        m.set((1, 1, 20), 1)
        clock = FakeClock()
        lc, l1, l2, log = mkwire("s1", "s2")
        s1, s2 = FakeServer(l1, clock), FakeServer(l2, clock)
        c = Client(m, lc, clock, {"ep": "prio", "resolve": lambda uri: parse_uri(uri)[1]})
        return m, c, s1, s2, lc, [(s1.ep, l1), (s2.ep, l2)]

    m, c, s1, s2, lc, pairs = world(False)
    c.start()
    assert [x.ssid for x in c.connections] == [102, 101]
    assert c.connections[1].reg.state == R.IDLE  # waits for the higher priority server
    pump_all(c, lc, pairs)
    assert s2.got and s1.got and [x.reg.state for x in c.connections] == [R.REGISTERED] * 2

    m, c, s1, s2, lc, pairs = world(True)
    s2.ep.handler = lambda msg, peer: Message(0x83)  # 4.03: s2 refuses
    c.start()
    pump_all(c, lc, pairs)
    assert c.connections[0].reg.state == R.FAILED and s1.got == []  # blocked


def test_heartbeat_pings_the_server_after_seconds_of_silence():
    m, clock, srv, c, lc, ls = _setup(lifetime=3600, heartbeat=600)
    assert c.next_timeout_ms() == 600000
    n = len(lc.wire)
    clock.advance(599000)
    c.step()
    assert len(lc.wire) == n
    clock.advance(1000)
    c.step()
    assert len(lc.wire) == n + 1 and lc.wire[-1][1][:2] == b"\x40\x00"  # an empty CON: a CoAP ping
    pump(c, srv.ep, lc, ls)  # the server answers RST: nothing else happens
    assert c.connections[0].reg.state == R.REGISTERED and c.next_timeout_ms() <= 600000


def test_no_heartbeat_unless_configured():
    m, clock, srv, c, lc, ls = _setup(lifetime=3600)
    assert c.next_timeout_ms() > 600000


def test_int_7_server_defaults_give_bootstrap_on_failure_and_retry_timing():
    """A Server instance written without /1/x/16-20 (Leshan's bootstrap
    server cannot write them): the device's server_defaults fill them in, so
    a refused registration falls back to the bootstrap server at once."""
    from client_support import pump_all, wire as mkwire
    from lwm2m.client.servers import parse_uri

    def world(cfg):
        m = device()
        m.set((0, 0, 0), "coap://dm:5683")
        m.add(0, 1, {0: "coap://bs:5683", 1: True, 2: 3})
        clock = FakeClock()
        lc, ldm, lbs, log = mkwire("dm", "bs")
        dm, bs = FakeServer(ldm, clock), FakeServer(lbs, clock)
        dm.ep.handler = lambda msg, peer: dm.handle(msg, peer) and Message(0x83)  # 4.03: refused
        config = {"ep": "fb", "resolve": lambda uri: parse_uri(uri)[1]}
        config.update(cfg)
        c = Client(m, lc, clock, config)
        c.start()
        pump_all(c, lc, [(dm.ep, ldm), (bs.ep, lbs)])
        return c, dm, bs

    c, dm, bs = world({})  # the spec's defaults: 5 attempts, 60 s apart, then the fallback
    assert c.connections[0].reg.state == R.WAITING and bs.got == []
    assert c.next_timeout_ms() == 60000

    c, dm, bs = world({"server_defaults": {17: 1, 20: 1}})
    assert [(code, path) for code, path, q, p in dm.got] == [(POST, ["rd"])]  # refused once: no De-register
    assert [(code, path) for code, path, q, p in bs.got] == [(POST, ["bs"])]


def test_bootstrap_on_registration_failure_is_true_when_absent_false_when_written():
    from lwm2m.client.servers import flag

    m = device()
    assert flag(m, 0, 16) is True and flag(m, 0, 15) is False
    assert flag(m, 0, 16, {16: False}) is False  # a device's own default (lwm2m.main --no-fallback)
    m.set((1, 0, 16), False)
    assert flag(m, 0, 16, {16: True}) is False  # what the Server object says wins
