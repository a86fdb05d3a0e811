# Client-initiated bootstrap (1.1.1 6.1; int-0, int-1, int-4, int-7, int-9) over
# an in-memory wire, the bootstrap server a real CoAP Endpoint.
from client_support import FakeClock, FakeServer, wire, pump_all, req, GET, POST, PUT, DELETE
from lwm2m.model import Model
from lwm2m.client.client import Client
from lwm2m.client import bootstrap as B, registration as R
from lwm2m.client.servers import parse_uri

J = 110


def _world(**cfg):
    m = Model()
    m.add(0, 0, {0: "coap://bs:5683", 1: True, 2: 3, 11: 0})
    m.add(3, 0, {0: "ACME", 16: "U"})
    clock = FakeClock()
    lc, lb, ls, log = wire("bs", "server")
    bs, srv = FakeServer(lb, clock), FakeServer(ls, clock)
    config = {"ep": "dev-bs", "resolve": lambda uri: parse_uri(uri)[1], "default_format": J}
    config.update(cfg)
    c = Client(m, lc, clock, config)
    pairs = [(bs.ep, lb), (srv.ep, ls)]

    def run(r):
        ex = bs.ep.request(r, "client")
        pump_all(c, lc, pairs)
        return ex.response

    return m, clock, c, bs, srv, run, lambda: pump_all(c, lc, pairs)


SECURITY = (b'[{"bn":"/0/1/","n":"0","vs":"coap://server:5683"},{"n":"1","vb":false},'
            b'{"n":"2","v":3},{"n":"10","v":101}]')
SERVER = b'[{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":300},{"n":"6","vb":false},{"n":"7","vs":"U"}]'


def test_int_0_client_initiated_bootstrap_then_registration():
    m, clock, c, bs, srv, run, pump = _world(pct=112)
    c.start()
    pump()
    assert bs.got == [(POST, ["bs"], ["ep=dev-bs", "pct=112"], b"")]
    assert c.bs.state == B.BOOTSTRAPPING
    assert run(req(DELETE, "/")).code == 0x42  # int-4: the bootstrap account survives
    assert m.instances(0) == [0] and m.instances(3) == [0]
    assert run(req(PUT, "/0/1", SECURITY, ct=J)).code == 0x44
    assert run(req(PUT, "/1/0", SERVER, ct=J)).code == 0x44
    r = run(req(GET, "/", accept=40))
    assert r.code == 0x45
    assert bytes(r.payload) == (b'</>;lwm2m=1.1,</0>;ver=1.2,</0/0>,</0/1>;ssid=101;uri=coap://server:5683,'
                                b'</1>;ver=1.2,</1/0>;ssid=101,</3>;ver=1.2,</3/0>')
    r = run(req(GET, "/1/0/1", accept=0))
    assert bytes(r.payload) == b"300"
    assert run(req(GET, "/3/0/0")).code == 0x85  # Bootstrap-Read only on /1 and /2
    assert run(req(POST, "/bs")).code == 0x44
    pump()
    assert c.bs.state == B.DONE
    assert srv.got[0][:2] == (POST, ["rd"]) and c.connections[0].reg.state == R.REGISTERED


def test_int_9_finish_with_an_inconsistent_configuration_is_4_06():
    m, clock, c, bs, srv, run, pump = _world()
    c.start()
    pump()
    assert run(req(POST, "/bs")).code == 0x86
    assert c.bs.state == B.BOOTSTRAPPING and srv.got == []


def test_no_finish_in_time_bootstraps_again():
    m, clock, c, bs, srv, run, pump = _world(bs_timeout=100)
    c.start()
    pump()
    clock.advance(100000)
    pump()
    assert c.bs.state == B.WAITING
    clock.advance(60000)
    pump()
    assert len([g for g in bs.got if g[1] == ["bs"]]) == 2


def test_bootstrap_request_refused_is_retried_with_backoff():
    m, clock, c, bs, srv, run, pump = _world()
    bs.bs_code = 0x80
    c.start()
    pump()
    assert c.bs.state == B.WAITING and c.next_timeout_ms() == 60000


def test_int_7_registration_failure_falls_back_to_bootstrap():
    m, clock, c, bs, srv, run, pump = _world()
    m.add(0, 1, {0: "coap://nowhere:5683", 1: False, 2: 3, 10: 7})
    m.add(1, 0, {0: 7, 1: 300, 6: False, 7: "U", 16: True, 17: 1, 20: 1})
    c.start()
    pump()
    assert bs.got == []
    c.connections[0].reg.on_failure(clock.time())  # as if the exchange had timed out
    c.connections[0].reg.state = R.FAILED
    c.step()
    pump()
    assert bs.got[0][1] == ["bs"]


def test_bootstrap_discover_on_an_object_and_bad_paths():
    m, clock, c, bs, srv, run, pump = _world()
    c.start()
    pump()
    assert bytes(run(req(GET, "/3", accept=40)).payload) == b"</3>;ver=1.2,</3/0>"
    assert run(req(GET, "/3/0", accept=40)).code == 0x80
    assert run(req(DELETE, "/3/0/0")).code == 0x80
    assert run(req(PUT, "/", b"[]", ct=J)).code == 0x80
