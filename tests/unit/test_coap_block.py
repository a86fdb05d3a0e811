# RFC 7959 block-wise transfers, both roles, over a pair of fake endpoints.
from coap_fakes import endpoint, pair, shuttle, req
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message, decode
from lwm2m.coap.block import szx_for_mtu

BODY = bytes(i & 255 for i in range(3000))


def big(r, peer):
    return Message(cm.CONTENT, payload=BODY)


def test_block_size_from_mtu():
    assert szx_for_mtu(1152) == 6 and szx_for_mtu(600) == 5 and szx_for_mtu(100) == 1 and szx_for_mtu(10) == 0


def test_server_slices_large_response_and_serves_later_blocks_from_cache():
    calls = []

    def handler(r, peer):
        calls.append(1)
        return big(r, peer)

    ep, link, clock = endpoint(handler)
    ep.receive(req(cm.GET, "5/0/0", mid=1).encode(), "S")
    b0 = link.take()[0]
    assert b0.block2() == (0, 1, 6) and len(b0.payload) == 1024 and b0.uint(cm.SIZE2) == 3000
    ep.receive(req(cm.GET, "5/0/0", mid=2).set_block2(1, 0, 6).encode(), "S")
    ep.receive(req(cm.GET, "5/0/0", mid=3).set_block2(2, 0, 6).encode(), "S")
    b1, b2 = link.take()
    assert b1.block2() == (1, 1, 6) and b2.block2() == (2, 0, 6)
    assert bytes(b0.payload) + bytes(b1.payload) + bytes(b2.payload) == BODY
    assert len(calls) == 1


def test_server_honours_smaller_szx_from_client():
    ep, link, clock = endpoint(big)
    ep.receive(req(cm.GET, "5", mid=1).set_block2(0, 0, 2).encode(), "S")
    b = link.take()[0]
    assert b.block2() == (0, 1, 2) and len(b.payload) == 64
    ep.receive(req(cm.GET, "5", mid=2).set_block2(46, 0, 2).encode(), "S")
    b = link.take()[0]
    assert b.block2() == (46, 0, 2) and bytes(b.payload) == BODY[46 * 64 :]


def test_server_block_past_the_end_is_4_02():
    ep, link, clock = endpoint(lambda r, p: Message(cm.CONTENT, payload=b"short"))
    ep.receive(req(cm.GET, "5", mid=1).set_block2(3, 0, 0).encode(), "S")
    assert link.take()[0].code == 0x82


def test_client_follows_block2_and_reassembles():
    cl, sv, clock = pair(big)
    ex = cl.request(req(cm.GET, "5/0/0"), "S")
    shuttle(cl, sv)
    assert ex.done and ex.error is None and bytes(ex.response.payload) == BODY


def test_client_block2_small_mtu_negotiates_down():
    cl, sv, clock = pair(big)
    cl2, sv2, _ = pair(big, mtu=300)
    ex = cl2.request(req(cm.GET, "5/0/0"), "S")
    shuttle(cl2, sv2)
    assert bytes(ex.response.payload) == BODY


def test_client_block2_streams_blocks_to_callback():
    cl, sv, clock = pair(big)
    got = []
    ex = cl.request(req(cm.GET, "5/0/0"), "S", on_block=lambda ex, off, data, more: got.append((off, bytes(data), more)))
    shuttle(cl, sv)
    assert [(o, m) for o, _, m in got] == [(0, 1), (1024, 1), (2048, 0)]
    assert b"".join(d for _, d, _ in got) == BODY and ex.done and ex.error is None


def test_client_block2_follow_ups_drop_observe():
    seen = []

    def handler(r, peer):
        seen.append(r.observe())
        return big(r, peer)

    cl, sv, clock = pair(handler)
    ex = cl.request(req(cm.GET, "5").add_option(cm.OBSERVE, 0), "S")
    shuttle(cl, sv)
    assert seen == [0] and bytes(ex.response.payload) == BODY  # later blocks came from the cache


def test_client_block1_upload_and_server_reassembly():
    got = []

    def handler(r, peer):
        got.append(bytes(r.payload))
        return Message(cm.CHANGED)

    cl, sv, clock = pair(handler)
    ex = cl.request(req(cm.PUT, "5/0/0", payload=BODY), "S")
    shuttle(cl, sv)
    assert got == [BODY] and ex.response.code == cm.CHANGED and ex.response.block1() == (2, 0, 6)


def test_server_asks_smaller_block1_and_client_adapts():
    got = []
    # a server on a small-MTU link wants 64-byte blocks
    cl2, sv, clock = pair(lambda r, p: got.append(bytes(r.payload)) or Message(cm.CHANGED), server_mtu=150)
    ex = cl2.request(req(cm.POST, "x", payload=BODY), "S")
    sizes = []
    sv.trace = lambda d, p, data: d == "rx" and sizes.append(decode(data).block1())
    shuttle(cl2, sv)
    assert got == [BODY] and ex.response.code == cm.CHANGED
    assert sizes[0] == (0, 1, 6) and sizes[1] == (16, 1, 2)


def test_block1_out_of_order_is_4_08():
    ep, link, clock = endpoint(lambda r, p: Message(cm.CHANGED))
    ep.receive(req(cm.PUT, "x", mid=1, payload=bytes(16)).set_block1(0, 1, 0).encode(), "S")
    assert link.take()[0].code == cm.CONTINUE
    ep.receive(req(cm.PUT, "x", mid=2, payload=bytes(16)).set_block1(2, 1, 0).encode(), "S")
    assert link.take()[0].code == 0x88
    ep.receive(req(cm.PUT, "y", mid=3, payload=bytes(16)).set_block1(1, 0, 0).encode(), "S")
    assert link.take()[0].code == 0x88


def test_block1_beyond_max_body_is_4_13_with_size1():
    ep, link, clock = endpoint(lambda r, p: Message(cm.CHANGED), max_body=32)
    ep.receive(req(cm.PUT, "x", mid=1, payload=bytes(16)).set_block1(0, 1, 0).encode(), "S")
    ep.receive(req(cm.PUT, "x", mid=2, payload=bytes(16)).set_block1(1, 1, 0).encode(), "S")
    ep.receive(req(cm.PUT, "x", mid=3, payload=bytes(16)).set_block1(2, 1, 0).encode(), "S")
    r = link.take()
    assert [m.code for m in r] == [cm.CONTINUE, cm.CONTINUE, 0x8D] and r[2].uint(cm.SIZE1) == 32
    ep.receive(req(cm.PUT, "x", mid=4, payload=bytes(16)).set_block1(0, 1, 0).add_option(cm.SIZE1, 100).encode(), "S")
    assert link.take()[0].code == 0x8D


def test_block1_streaming_hook_gives_handler_each_block():
    got = []

    def handler(r, peer):
        num, more, szx = r.block1()
        got.append((num, bytes(r.payload)))
        return Message(cm.CONTINUE if more else cm.CHANGED)

    cl, sv, clock = pair(handler, max_body=100)  # streaming is not bound by max_body
    sv.stream_block1 = lambda r, peer: r.uri_path() == ["5", "0", "0"]
    ex = cl.request(req(cm.PUT, "5/0/0", payload=BODY), "S")
    shuttle(cl, sv)
    assert [n for n, _ in got] == [0, 1, 2] and b"".join(d for _, d in got) == BODY
    assert ex.response.code == cm.CHANGED and ex.error is None


def test_large_notification_sends_first_block_then_serves_rest():
    ep, link, clock = endpoint(lambda r, p: Message(cm.CONTENT, payload=b"small"))
    ep.receive(req(cm.GET, "5", token=b"\x07", mid=1).add_option(cm.OBSERVE, 0).encode(), "S")
    link.take()
    ep.handler = big
    ep.notify(ep.observations[0], Message(cm.CONTENT, payload=BODY))
    n = link.take()[0]
    assert n.block2() == (0, 1, 6) and n.observe() is not None and n.token == b"\x07"
    ep.receive(req(cm.GET, "5", token=b"\x08", mid=2).set_block2(1, 0, 6).encode(), "S")
    b = link.take()[0]
    assert b.block2() == (1, 1, 6) and b.observe() is None and bytes(b.payload) == BODY[1024:2048]


def test_fetch_block2_transfers_with_different_bodies_do_not_mix():
    calls = []

    def handler(r, peer):
        calls.append(1)
        return Message(cm.CONTENT, payload=bytes(r.payload) * 2000)

    ep, link, clock = endpoint(handler)
    ep.receive(req(cm.FETCH, "", mid=1, payload=b"A").encode(), "S")
    ep.receive(req(cm.FETCH, "", mid=2, payload=b"B").encode(), "S")
    ep.receive(req(cm.FETCH, "", mid=3, payload=b"A").set_block2(1, 0, 6).encode(), "S")
    ep.receive(req(cm.FETCH, "", mid=4, payload=b"B").set_block2(1, 0, 6).encode(), "S")
    a0, b0, a1, b1 = link.take()
    assert a0.block2() == (0, 1, 6) and a1.block2() == (1, 0, 6)
    assert bytes(a1.payload) == b"A" * (2000 - 1024) and bytes(b1.payload) == b"B" * (2000 - 1024)
    assert len(calls) == 2


def test_poll_without_limit_waits_for_the_next_timer():
    waits = []
    ep, link, clock = endpoint()
    link.recv = lambda t: waits.append(t)
    ep.poll()
    ep.request(req(cm.GET, "x"), "S")
    ep.poll()
    ep.poll(500)
    assert waits == [None, 2000, 500]


def test_on_block_leaves_a_body_that_came_whole_in_the_response():
    cl, sv, clock = pair(lambda r, p: Message(cm.CONTENT, payload=b"small"))
    got = []
    ex = cl.request(req(cm.GET, "x"), "S", on_block=lambda e, off, data, more: got.append(off))
    shuttle(cl, sv)
    assert got == [] and bytes(ex.response.payload) == b"small" and ex.error is None


def test_client_block2_download_resumed_mid_way():
    cl, sv, clock = pair(big)
    got = []
    ex = cl.request(req(cm.GET, "5").set_block2(1, 0, 6), "S", on_block=lambda e, off, data, more: got.append(off))
    shuttle(cl, sv)
    assert got == [1024, 2048] and ex.error is None


def test_client_block2_changed_etag_mid_transfer_is_incomplete():
    ep, link, clock = endpoint()
    ex = ep.request(req(cm.GET, "fw", token=b"\x01"), "S")
    first = link.take()[0]
    b0 = Message(cm.CONTENT, cm.ACK, first.mid, b"\x01", bytes(16)).set_block2(0, 1, 0).add_option(cm.ETAG, b"v1")
    ep.receive(b0.encode(), "S")
    nxt = link.take()[0]
    assert nxt.block2() == (1, 0, 0)
    b1 = Message(cm.CONTENT, cm.ACK, nxt.mid, b"\x01", bytes(16)).set_block2(1, 0, 0).add_option(cm.ETAG, b"v2")
    ep.receive(b1.encode(), "S")
    assert ex.error == "incomplete"


def test_client_block2_wrong_block_number_is_incomplete():
    ep, link, clock = endpoint()
    ex = ep.request(req(cm.GET, "fw", token=b"\x01"), "S")
    first = link.take()[0]
    ep.receive(Message(cm.CONTENT, cm.ACK, first.mid, b"\x01", bytes(16)).set_block2(3, 1, 0).encode(), "S")
    assert ex.error == "incomplete"


def test_sliced_response_carries_one_etag_in_every_block():
    ep, link, clock = endpoint(big)
    ep.receive(req(cm.GET, "5", mid=1).encode(), "S")
    ep.receive(req(cm.GET, "5", mid=2).set_block2(1, 0, 6).encode(), "S")
    a, b = link.take()
    assert a.option(cm.ETAG) is not None and a.option(cm.ETAG) == b.option(cm.ETAG)


def test_client_download_survives_server_cache_loss_when_body_unchanged():
    cl, sv, clock = pair(big, block_cache=0)  # every block re-runs the handler
    ex = cl.request(req(cm.GET, "5"), "S")
    shuttle(cl, sv)
    assert ex.error is None and bytes(ex.response.payload) == BODY


def test_small_mtu_client_asks_for_small_blocks_up_front():
    cl, sv, clock = pair(big, mtu=300, server_mtu=1152)
    sizes = []
    sv.trace = lambda d, p, data: d == "tx" and sizes.append(len(data))
    ex = cl.request(req(cm.GET, "5"), "S")
    assert cl.link.sent and decode(cl.link.sent[0][0]).block2() == (0, 0, 3)
    shuttle(cl, sv)
    assert bytes(ex.response.payload) == BODY and max(sizes) <= 300


def test_register_block1_fits_lorawan_dr0_frames_of_51_bytes():
    # EU868 DR0: 51 B per frame -> SZX 0 (16 B blocks), and no Size1 (optional, RFC 7959 4)
    assert szx_for_mtu(51) == 0
    ep, link, clock = endpoint(mtu=51)
    m = Message(cm.POST)
    m.set_uri_path("rd")
    for q in ("ep=l1", "lwm2m=1.1", "Q"):
        m.add_query(q)
    m.add_option(cm.CONTENT_FORMAT, 40)
    m.payload = b"</1>;ver=1.2,</1/0>,</3>;ver=1.2,</3/0>,</7/0>,</3303/0>"
    ep.request(m, "S")
    n = 0
    while True:
        sent = link.raw()
        assert len(sent) == 1 and len(sent[0]) <= 51
        d = decode(sent[0])
        assert d.block1() == (n, (n + 1) * 16 < len(m.payload), 0) and d.uint(cm.SIZE1) is None
        if not d.block1()[1]:
            break
        ack = Message(cm.CONTINUE, cm.ACK, d.mid, d.token).set_block1(n, 1, 0)
        ep.receive(ack.encode(), "S")
        n += 1
    assert n == 3


def test_response_that_fits_the_link_whole_goes_without_block2():
    # LoRaWAN DR0: 16-byte blocks, but a 24-byte payload with a short header fits a 51 B frame
    ep, link, clock = endpoint(lambda r, peer: Message(cm.CONTENT, payload=bytes(24)), mtu=51)
    ep.receive(req(cm.GET, "x", mid=1).encode(), "C")
    r = decode(link.raw()[0])
    assert r.code == cm.CONTENT and r.block2() is None and len(r.payload) == 24
    # one that does not fit is still sliced
    ep, link, clock = endpoint(lambda r, peer: Message(cm.CONTENT, payload=bytes(60)), mtu=51)
    ep.receive(req(cm.GET, "x", mid=1).encode(), "C")
    r = decode(link.raw()[0])
    assert r.block2() == (0, 1, 0) and len(r.payload) == 16
