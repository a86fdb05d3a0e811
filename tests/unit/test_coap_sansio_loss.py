# The sans-IO contract under loss: driven only by receive/tick/next_timeout_ms
# on a fake clock, every exchange completes and every handler runs once.
from coap_fakes import pair, req
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message

BODY = bytes(i & 255 for i in range(5000))


def drive(cl, sv, clock, keep, until, limit=600000):
    """Carry datagrams between the endpoints, dropping those keep() refuses,
    and jump the clock to the next timer whenever the network is quiet."""
    while not until():
        moved = False
        for a, b, peer in ((cl, sv, "C"), (sv, cl, "S")):
            sent = a.link.sent
            a.link.sent = []
            for d, _ in sent:
                if keep():
                    b.receive(d, peer)
                moved = True
        if moved:
            continue
        waits = [t for t in (cl.next_timeout_ms(), sv.next_timeout_ms()) if t is not None]
        if not waits or clock.now > limit:
            return False
        clock.advance(max(1, min(waits)))
        cl.tick()
        sv.tick()
    return True


def dropper(pattern):
    state = [0]

    def keep():
        state[0] += 1
        return pattern[state[0] % len(pattern)]

    return keep


def test_every_request_completes_once_with_a_third_of_datagrams_lost():
    calls = []

    def handler(r, peer):
        calls.append(bytes(r.payload))
        return Message(cm.CHANGED)

    cl, sv, clock = pair(handler)
    exs = [cl.request(req(cm.POST, "dp", token=b"", payload=b"%d" % i), "S") for i in range(10)]
    assert drive(cl, sv, clock, dropper((1, 1, 0)), lambda: all(e.done for e in exs))
    assert [e.error for e in exs] == [None] * 10
    assert sorted(calls) == sorted(b"%d" % i for i in range(10))  # each handler ran once


def test_block2_download_and_block1_upload_survive_loss():
    got = []

    def handler(r, peer):
        if r.code == cm.PUT:
            got.append(bytes(r.payload))
            return Message(cm.CHANGED)
        return Message(cm.CONTENT, payload=BODY)

    cl, sv, clock = pair(handler, max_body=8192)
    down = cl.request(req(cm.GET, "fw"), "S")
    assert drive(cl, sv, clock, dropper((1, 0, 1, 1)), lambda: down.done)
    assert down.error is None and bytes(down.response.payload) == BODY
    up = cl.request(req(cm.PUT, "fw", token=b"\x02", payload=BODY), "S")
    assert drive(cl, sv, clock, dropper((1, 1, 0, 1, 0)), lambda: up.done)
    assert up.error is None and got == [BODY]


def test_everything_lost_times_out_at_max_transmit_span_plus_last_timeout():
    cl, sv, clock = pair(lambda r, p: Message(cm.CONTENT))
    start = clock.now
    ex = cl.request(req(cm.GET, "x"), "S")
    drive(cl, sv, clock, lambda: False, lambda: ex.done)
    assert ex.error == "timeout" and clock.now - start == 62000
