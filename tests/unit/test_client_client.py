# The Client end to end over an in-memory wire, the other end a real CoAP
# Endpoint playing the LwM2M server (int-101..104, 301, 306, 307; storing).
from client_support import device, FakeClock, wire, pump, req, GET, POST, PUT
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.message import Message, decode, LOCATION_PATH
from lwm2m.client.client import Client
from lwm2m.client import registration as R


class FakeServer:
    """Answers Register with 2.01 rd/abc, Update 2.04, De-register 2.02, /dp 2.04."""

    def __init__(self, link, clock):
        self.ep = Endpoint(link, clock, handler=self.handle)
        self.got = []
        self.update_code = 0x44

    def handle(self, m, peer):
        path = m.uri_path()
        self.got.append((m.code, path, m.uri_query(), bytes(m.payload)))
        if path == ["rd"]:
            r = Message(0x41)
            r.add_option(LOCATION_PATH, "rd")
            r.add_option(LOCATION_PATH, "abc")
            return r
        if path == ["rd", "abc"]:
            return Message(self.update_code if m.code == POST else 0x42)
        return Message(0x44)


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
    assert payload == b"</1>;ver=1.2,</1/0>,</3>;ver=1.2,</3/0>,</3303>;ver=1.1,</3303/0>,</3303/1>"
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
