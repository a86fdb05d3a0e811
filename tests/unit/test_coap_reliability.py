# RFC 7252 section 4: reliability, duplicates, empty messages, both roles.
from support import unhex
from coap_fakes import endpoint, pair, shuttle, req, FakeClock, FakeLink
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message, decode
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.params import Params


def content(payload=b"ok"):
    return lambda r, peer: Message(cm.CONTENT, payload=payload)


def test_con_retransmits_with_exponential_backoff_then_times_out():
    ep, link, clock = endpoint()
    done = []
    ex = ep.request(req(cm.GET, "3/0"), "S", done.append)
    times = [0]
    assert len(link.raw()) == 1
    t = 0
    while not ex.done and t < 200000:
        clock.advance(100)
        t += 100
        ep.tick()
        if link.raw():
            times.append(t)
    # rand 0: timeouts exactly ACK_TIMEOUT, doubling: sent at 0, 2, 6, 14, 30 s
    assert times == [0, 2000, 6000, 14000, 30000]
    assert t == 62000 and ex.error == "timeout" and done == [ex]
    assert ep.next_timeout_ms() is None


def test_initial_timeout_uses_random_factor():
    clock = FakeClock()
    link = FakeLink()
    ep = Endpoint(link, clock, None, Params(ack_timeout=10000, ack_random_factor=1.5), lambda bits: 0x8000)
    ep.request(req(cm.GET, "x"), "S")
    assert ep.next_timeout_ms() == 12500  # 10 s + half of the 5 s spread


def test_nb_iot_params_change_schedule_and_derived_lifetimes():
    p = Params(ack_timeout=16000, max_retransmit=3)
    assert p.max_transmit_span == int(16000 * 1.5 * 7)
    assert p.exchange_lifetime == p.max_transmit_span + 200000 + 16000
    assert Params().exchange_lifetime == 247000 and Params().non_lifetime == 145000
    assert Params().max_transmit_wait == 93000
    ep, link, clock = endpoint(ack_timeout=16000, max_retransmit=1)
    ex = ep.request(req(cm.GET, "x"), "S")
    clock.advance(16000)
    ep.tick()
    assert len(link.raw()) == 2
    clock.advance(32000)
    ep.tick()
    assert ex.error == "timeout"


def test_piggybacked_response_completes_exchange():
    cl, sv, clock = pair(content(b"22.3"))
    ex = cl.request(req(cm.GET, "3303/0/5700"), "S")
    shuttle(cl, sv)
    assert ex.done and ex.error is None
    assert ex.response.code == cm.CONTENT and bytes(ex.response.payload) == b"22.3"
    assert cl.next_timeout_ms() is None


def test_separate_response_after_empty_ack_is_acked_and_accepted():
    ep, link, clock = endpoint()
    ex = ep.request(req(cm.POST, "rd", token=b"\xaa"), "S")
    sent = link.take()[0]
    ep.receive(Message(cm.EMPTY, cm.ACK, sent.mid).encode(), "S")
    assert not ex.done and ep.next_timeout_ms() == Params().max_transmit_wait
    clock.advance(5000)
    ep.tick()
    assert link.raw() == []  # no retransmission after the ACK
    ep.receive(Message(cm.CREATED, cm.CON, 0x0777, b"\xaa").encode(), "S")
    assert link.raw() == [unhex("60 00 07 77")]
    assert ex.done and ex.response.code == cm.CREATED
    # the server's retransmission of the separate response is ACKed again
    ep.receive(Message(cm.CREATED, cm.CON, 0x0777, b"\xaa").encode(), "S")
    assert link.raw() == [unhex("60 00 07 77")]


def test_separate_response_before_ack_is_accepted():
    ep, link, clock = endpoint()
    ex = ep.request(req(cm.GET, "x", token=b"\x01"), "S")
    ep.receive(Message(cm.CONTENT, cm.NON, 9, b"\x01", b"v").encode(), "S")
    assert ex.done and bytes(ex.response.payload) == b"v"
    clock.advance(3000)
    ep.tick()
    assert link.take()[1:] == []


def test_response_to_unknown_token_con_gets_rst_non_dropped():
    ep, link, clock = endpoint()
    ep.receive(Message(cm.CONTENT, cm.CON, 5, b"\x99").encode(), "S")
    assert link.raw() == [unhex("70 00 00 05")]
    ep.receive(Message(cm.CONTENT, cm.NON, 6, b"\x99").encode(), "S")
    assert link.raw() == []


def test_duplicate_con_request_replays_response_and_runs_handler_once():
    calls = []

    def handler(r, peer):
        calls.append(1)
        return Message(cm.CHANGED, payload=b"%d" % len(calls))

    ep, link, clock = endpoint(handler)
    d = req(cm.POST, "3/0/4", mid=0x4242).encode()
    ep.receive(d, "S")
    first = link.raw()
    clock.advance(100000)
    ep.receive(d, "S")
    assert link.raw() == first and len(calls) == 1
    assert decode(first[0]).type == cm.ACK and decode(first[0]).mid == 0x4242
    # same MID from another peer is a different message
    ep.receive(d, "T")
    assert len(calls) == 2


def test_duplicate_forgotten_after_exchange_lifetime():
    calls = []
    ep, link, clock = endpoint(lambda r, p: calls.append(1) or Message(cm.CHANGED))
    d = req(cm.POST, "x", mid=1).encode()
    ep.receive(d, "S")
    clock.advance(247001)
    ep.receive(d, "S")
    assert len(calls) == 2


def test_duplicate_non_request_silently_ignored():
    calls = []
    ep, link, clock = endpoint(lambda r, p: calls.append(1) or Message(cm.CONTENT))
    d = req(cm.GET, "x", type=cm.NON, mid=3).encode()
    ep.receive(d, "S")
    out = link.take()
    assert out[0].type == cm.NON and out[0].code == cm.CONTENT
    ep.receive(d, "S")
    assert link.raw() == [] and len(calls) == 1


def test_coap_ping_answered_with_rst():
    ep, link, clock = endpoint()
    ep.receive(unhex("40 00 12 34"), "S")
    assert link.raw() == [unhex("70 00 12 34")]


def test_rst_to_request_ends_exchange():
    ep, link, clock = endpoint()
    ex = ep.request(req(cm.GET, "x"), "S")
    ep.receive(Message(cm.EMPTY, cm.RST, link.take()[0].mid).encode(), "S")
    assert ex.done and ex.error == "reset"


def test_non_request_waits_for_response_then_times_out():
    ep, link, clock = endpoint()
    ex = ep.request(req(cm.GET, "x", type=cm.NON), "S")
    assert link.take()[0].type == cm.NON
    clock.advance(Params().max_transmit_wait)
    ep.tick()
    assert link.raw() == [] and ex.error == "timeout"


def test_nstart_queues_second_request_to_same_peer():
    cl, sv, clock = pair(content())
    a = cl.request(req(cm.GET, "a", token=b""), "S")
    b = cl.request(req(cm.GET, "b", token=b""), "S")
    assert len(cl.link.sent) == 1 and a.token != b.token
    shuttle(cl, sv)
    assert a.done and b.done and b.response.code == cm.CONTENT


def test_message_ids_rise():
    ep, link, clock = endpoint()
    ep.request(req(cm.GET, "a"), "S")
    ep.request(req(cm.GET, "b"), "T")
    m = link.take()
    assert m[1].mid == (m[0].mid + 1) & 0xFFFF


def test_handler_coap_error_becomes_its_code():
    from lwm2m.error import CoapError, NOT_FOUND

    def handler(r, peer):
        raise CoapError(NOT_FOUND)

    ep, link, clock = endpoint(handler)
    ep.receive(req(cm.GET, "9").encode(), "S")
    assert link.take()[0].code == NOT_FOUND


def test_handler_crash_becomes_5_00_and_nothing_escapes():
    ep, link, clock = endpoint(lambda r, p: 1 / 0)
    ep.receive(req(cm.GET, "9").encode(), "S")
    assert link.take()[0].code == 0xA0


def test_handler_none_sends_empty_ack_then_separate_response():
    got = []
    ep, link, clock = endpoint(lambda r, p: got.append(r.token))
    ep.receive(req(cm.POST, "3/0/4", mid=0x10, token=b"\x05").encode(), "S")
    assert link.raw() == [unhex("60 00 00 10")]
    ep.respond("S", got[0], Message(cm.CHANGED))
    m = link.take()[0]
    assert m.type == cm.CON and m.code == cm.CHANGED and m.token == b"\x05"
    clock.advance(2000)
    ep.tick()
    assert len(link.raw()) == 1  # retransmitted until ACKed
    ep.receive(Message(cm.EMPTY, cm.ACK, m.mid).encode(), "S")
    assert ep.next_timeout_ms() is None


def test_trace_hook_sees_every_datagram():
    seen = []
    ep, link, clock = endpoint(content())
    ep.trace = lambda d, peer, data: seen.append((d, peer, len(data)))
    ep.receive(req(cm.GET, "x").encode(), "S")
    assert seen == [("rx", "S", 7), ("tx", "S", 8)]


def test_poll_receives_and_never_raises():
    class BrokenLink(FakeLink):
        def recv(self, timeout_ms):
            raise OSError(5)

    ep, link, clock = endpoint(content())
    link.inbox.append((req(cm.GET, "x").encode(), "S"))
    assert ep.poll(10) is True and len(link.raw()) == 1
    assert ep.poll(10) is False
    ep.link = BrokenLink()
    assert ep.poll(10) is False


def test_send_failure_is_a_lost_datagram():
    class DeadLink(FakeLink):
        def send(self, data, peer):
            raise OSError(101)

    clock = FakeClock()
    ep = Endpoint(DeadLink(), clock, None, Params(), lambda b: 0)
    ex = ep.request(req(cm.GET, "x"), "S")
    clock.advance(2000)
    ep.tick()
    assert not ex.done


def test_nested_receive_in_handler_does_not_disturb_the_request():
    seen = []
    ep = None

    def handler(r, peer):
        if r.uri_path() == ["outer"]:
            ep.receive(req(cm.GET, "inner", mid=99, token=b"\x09").encode(), peer)
        seen.append((r.uri_path(), r.token))
        return Message(cm.CONTENT)

    ep, link, clock = endpoint(handler)
    ep.receive(req(cm.GET, "outer", mid=98, token=b"\x08").encode(), "S")
    assert seen == [(["inner"], b"\x09"), (["outer"], b"\x08")]
    assert [(m.mid, m.token) for m in link.take()] == [(99, b"\x09"), (98, b"\x08")]


def test_client_ping_done_on_rst_and_times_out_without():
    cl, sv, clock = pair()
    ex = cl.ping("S")
    shuttle(cl, sv)
    assert ex.done and ex.error is None
    ep, link, clock = endpoint()
    ex = ep.ping("S")
    assert link.raw()[0][:2] == unhex("40 00")
    clock.advance(100000)
    for _ in range(5):
        ep.tick()
        clock.advance(40000)
    assert ex.error == "timeout"


class _BlockingLink(FakeLink):
    """A link whose send blocks (a modem attaching, a LoRaWAN duty-cycle wait)."""

    def __init__(self, clock, block_ms):
        FakeLink.__init__(self)
        self.clock = clock
        self.block_ms = block_ms

    def send(self, data, peer):
        self.clock.advance(self.block_ms)
        FakeLink.send(self, data, peer)


def test_con_timeout_counts_from_when_a_blocking_send_returned():
    # RFC 7252 4.2: the timeout runs from the transmission; a 5 s blocking send
    # must not make the engine retransmit the moment it returns.
    clock = FakeClock()
    link = _BlockingLink(clock, 5000)
    ep = Endpoint(link, clock, None, Params(), lambda bits: 0)
    ep.request(req(cm.GET, "x"), "S")
    assert len(link.raw()) == 1
    ep.tick()
    assert link.raw() == [] and ep.next_timeout_ms() == 2000
    clock.advance(2000)
    ep.tick()  # the retransmission blocks 5 s too: the next one is 4 s after it left
    assert len(link.raw()) == 1 and ep.next_timeout_ms() == 4000


def test_con_timeout_counts_from_when_a_held_datagram_left():
    # A ReleaseLink holds the datagram until the step ends and its flush may
    # block (a DTLS handshake first): the queue tells the engine by how long,
    # so the CON is not retransmitted the moment the flush returns.
    from lwm2m.link.release import ReleaseLink
    from lwm2m.client.queue import Queue

    clock = FakeClock()
    link = _BlockingLink(clock, 2500)
    held = ReleaseLink(link)
    ep = Endpoint(held, clock, None, Params(), lambda bits: 0)

    class Client:  # what Queue.after_io reads of a client
        config = {}
        endpoint = ep

    Client.clock = clock
    q = Queue(Client(), link=held)
    ep.request(req(cm.GET, "x"), "S")
    q.after_io()
    assert len(link.raw()) == 1
    ep.tick()
    assert link.raw() == [] and ep.next_timeout_ms() == 2000


def test_answer_that_came_during_a_blocking_reply_is_read_before_retransmitting():
    # LoRaWAN Class A: our request is in flight; the server's request arrives,
    # our answer to it waits out the duty cycle (longer than our timeout) and
    # the response to our request comes in that uplink's receive window. The
    # engine reads it before running its timers: no retransmission of a request
    # already answered (it costs an uplink and a stale duplicate response).
    clock = FakeClock()
    link = _BlockingLink(clock, 0)
    ep = Endpoint(link, clock, content(), Params(), lambda bits: 0)
    ex = ep.request(req(cm.POST, "rd", token=b"\xaa"), "S")
    mine = link.take()[0]
    link.block_ms = 5000  # longer than the 2 s ACK timeout
    answer = Message(cm.CREATED, cm.ACK, mine.mid, token=b"\xaa").encode()

    def send(data, peer):
        _BlockingLink.send(link, data, peer)
        link.inbox.append((answer, "S"))  # in the receive window of that send

    link.send = send
    link.inbox.append((req(cm.GET, "3/0", mid=7, token=b"\x07").encode(), "S"))
    assert ep.poll(10) is True
    assert ex.done and ex.error is None and ex.response.code == cm.CREATED
    assert [(m.type, m.mid) for m in link.take()] == [(cm.ACK, 7)]  # our 2.05 only, no retransmitted POST
