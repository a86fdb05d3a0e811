"""Interop with aiocoap over real loopback sockets, both directions."""
import asyncio
import threading

import pytest

aiocoap = pytest.importorskip("aiocoap")
from aiocoap import resource
from aiocoap.numbers.codes import Code

from coap_util import Demo, ServerThread, client, free_port, run
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message
from lwm2m.coap.params import Params

BIG = bytes((i * 7) & 255 for i in range(10 * 1024))


class Store(resource.Resource):
    def __init__(self):
        super().__init__()
        self.data = b"initial"

    async def render_get(self, request):
        return aiocoap.Message(payload=self.data, content_format=0)

    async def render_put(self, request):
        self.data = request.payload
        return aiocoap.Message(code=Code.CHANGED)

    async def render_post(self, request):
        return aiocoap.Message(code=Code.CREATED, location_path=("rd", "x1"))

    async def render_delete(self, request):
        return aiocoap.Message(code=Code.DELETED)


class Big(resource.Resource):
    async def render_get(self, request):
        return aiocoap.Message(payload=BIG)


class Slow(resource.Resource):
    async def render_get(self, request):
        await asyncio.sleep(0.6)  # long enough for aiocoap to send an empty ACK first
        return aiocoap.Message(payload=b"late")


@pytest.fixture(scope="module")
def aio_server():
    site = resource.Site()
    store = Store()
    site.add_resource(["store"], store)
    site.add_resource(["big"], Big())
    site.add_resource(["slow"], Slow())
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box = {}

    def serve():
        asyncio.set_event_loop(loop)
        box["ctx"] = loop.run_until_complete(aiocoap.Context.create_server_context(site, bind=("127.0.0.1", port)))
        ready.set()
        loop.run_forever()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    assert ready.wait(10)
    yield ("127.0.0.1", port), store
    asyncio.run_coroutine_threadsafe(box["ctx"].shutdown(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    t.join(5)


def _req(code, path, payload=b""):
    m = Message(code, payload=payload)
    m.set_uri_path(path)
    return m


def test_our_client_get_put_post_delete_against_aiocoap(aio_server):
    peer, store = aio_server
    ep = client()
    ex = run(ep, ep.request(_req(cm.PUT, "store", b"hello"), peer))
    assert ex.error is None and ex.response.code == cm.CHANGED and store.data == b"hello"
    ex = run(ep, ep.request(_req(cm.GET, "store"), peer))
    assert ex.response.code == cm.CONTENT and bytes(ex.response.payload) == b"hello"
    assert ex.response.content_format() == 0
    ex = run(ep, ep.request(_req(cm.POST, "store", b"x"), peer))
    assert ex.response.code == cm.CREATED and ex.response.location_path() == ["rd", "x1"]
    ex = run(ep, ep.request(_req(cm.DELETE, "store"), peer))
    assert ex.response.code == cm.DELETED
    ex = run(ep, ep.request(_req(cm.GET, "nothing"), peer))
    assert ex.response.code == 0x84
    ep.link.close()


def test_our_client_block2_download_10k_from_aiocoap(aio_server):
    peer, _ = aio_server
    ep = client(params=Params(max_body=16384))
    ex = run(ep, ep.request(_req(cm.GET, "big"), peer))
    assert ex.error is None and bytes(ex.response.payload) == BIG
    blocks = []
    ex = run(ep, ep.request(_req(cm.GET, "big"), peer, on_block=lambda e, off, data, more: blocks.append((off, bytes(data)))))
    assert ex.error is None and b"".join(d for _, d in blocks) == BIG and len(blocks) == 10
    ep.link.close()


def test_our_client_block1_upload_to_aiocoap(aio_server):
    peer, store = aio_server
    ep = client()
    ex = run(ep, ep.request(_req(cm.PUT, "store", BIG[:5000]), peer))
    assert ex.error is None and ex.response.code == cm.CHANGED and store.data == BIG[:5000]
    ep.link.close()


def test_our_client_accepts_separate_response_from_aiocoap(aio_server):
    peer, _ = aio_server
    ep = client()
    seen = []
    ep.trace = lambda d, p, data: seen.append((d, bytes(data[:4])))
    ex = run(ep, ep.request(_req(cm.GET, "slow"), peer))
    assert ex.error is None and bytes(ex.response.payload) == b"late"
    # an empty ACK came first, then the response as CON, which we ACKed
    rx = [h for d, h in seen if d == "rx"]
    assert rx[0][0] >> 4 == 6 and rx[0][1] == 0 and rx[1][0] >> 4 == 4
    ep.link.close()


async def _aio(uri_list, fn):
    ctx = await aiocoap.Context.create_client_context()
    try:
        return await asyncio.wait_for(fn(ctx), 20)
    finally:
        await ctx.shutdown()


_ours_handler = Demo(BIG)


def test_aiocoap_client_get_and_block2_from_our_server():
    with ServerThread(_ours_handler) as srv:
        base = "coap://127.0.0.1:%d/" % srv.port

        async def go(ctx):
            a = await ctx.request(aiocoap.Message(code=Code.GET, uri=base + "temp")).response
            b = await ctx.request(aiocoap.Message(code=Code.GET, uri=base + "big")).response
            c = await ctx.request(aiocoap.Message(code=Code.GET, uri=base + "nope")).response
            d = await ctx.request(aiocoap.Message(code=Code.GET, transport_tuning=aiocoap.Unreliable, uri=base + "temp")).response
            return a, b, c, d

        a, b, c, d = asyncio.run(_aio(None, go))
        assert a.code == Code.CONTENT and a.payload == b"20"
        assert d.mtype == aiocoap.NON and d.payload == b"20"
        assert b.payload == BIG
        assert c.code == Code.NOT_FOUND


def test_aiocoap_client_block1_upload_to_our_server():
    with ServerThread(_ours_handler) as srv:
        srv.ep.params.max_body = 8192

        async def go(ctx):
            m = aiocoap.Message(code=Code.PUT, uri="coap://127.0.0.1:%d/sink" % srv.port, payload=BIG[:6000])
            return await ctx.request(m).response

        r = asyncio.run(_aio(None, go))
        assert r.code == Code.CHANGED and _ours_handler.sunk == BIG[:6000]


def test_aiocoap_client_observes_our_resource():
    events = []
    with ServerThread(_ours_handler) as srv:
        srv.ep.on_observe = lambda obs: events.append("observe")
        srv.ep.on_cancel = lambda obs, why: events.append(why)
        uri = "coap://127.0.0.1:%d/temp" % srv.port

        def notify(n, con):
            def fn(ep):
                for obs in ep.observations:
                    ep.notify(obs, Message(cm.CONTENT, payload=b"%d" % n), con=con)
                return len(ep.observations)

            return srv.call(fn)

        async def go(ctx):
            pr = ctx.request(aiocoap.Message(code=Code.GET, uri=uri, observe=0))
            first = await pr.response
            got = [first.payload]
            it = pr.observation.__aiter__()
            for n in (21, 22, 23):
                assert notify(n, con=(n == 22)) == 1
                got.append((await it.__anext__()).payload)
            pr.observation.cancel()
            # aiocoap forgot the token: a later notification is answered with
            # RST (or aiocoap deregisters with GET Observe=1), which cancels.
            loop = asyncio.get_running_loop()
            for _ in range(30):
                left = await loop.run_in_executor(None, notify, 24, True)
                if not left:
                    break
                await asyncio.sleep(0.2)
            return got

        got = asyncio.run(_aio(None, go))
        assert got == [b"20", b"21", b"22", b"23"]
        assert events[0] == "observe" and events[-1] in ("reset", "deregister")
