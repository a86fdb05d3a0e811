"""CoAP over TCP (RFC 8323) against aiocoap's TCP transport, on real loopback
sockets: our Endpoint over TcpLink as the client of an aiocoap server."""
import asyncio
import socket
import threading

import pytest

aiocoap = pytest.importorskip("aiocoap")
import aiocoap.resource as resource  # noqa: E402

from lwm2m.clock import SystemClock  # noqa: E402
from lwm2m.coap.endpoint import Endpoint  # noqa: E402
from lwm2m.coap.params import Params  # noqa: E402
from lwm2m.coap.message import Message, GET, PUT, POST, DELETE, CONTENT, CHANGED, CREATED, DELETED  # noqa: E402
from lwm2m.link.tcp import TcpLink  # noqa: E402
from coap_util import free_port  # noqa: E402

BIG = bytes(i % 251 for i in range(10 * 1024))


class Store(resource.Resource):
    def __init__(self):
        super().__init__()
        self.value = b"initial"

    async def render_get(self, request):
        return aiocoap.Message(payload=self.value)

    async def render_put(self, request):
        self.value = request.payload
        return aiocoap.Message(code=aiocoap.CHANGED)

    async def render_post(self, request):
        return aiocoap.Message(code=aiocoap.CREATED, payload=b"posted:" + request.payload)

    async def render_delete(self, request):
        self.value = b""
        return aiocoap.Message(code=aiocoap.DELETED)


class Big(resource.Resource):
    async def render_get(self, request):
        return aiocoap.Message(payload=BIG)


@pytest.fixture(scope="module")
def server():
    port = free_port(kind=socket.SOCK_STREAM)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    box = {}

    async def main():
        site = resource.Site()
        site.add_resource(["store"], Store())
        site.add_resource(["big"], Big())
        box["ctx"] = await aiocoap.Context.create_server_context(
            site, bind=("127.0.0.1", port), transports=["tcpserver"])
        started.set()

    def run():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main())
        loop.run_forever()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    assert started.wait(10), "aiocoap TCP server did not start"
    yield port
    asyncio.run_coroutine_threadsafe(box["ctx"].shutdown(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    t.join(5)


def exchange(ep, link, code, path, payload=b""):
    msg = Message(code, payload=payload)
    msg.set_uri_path(path)
    ex = ep.request(msg, link.peer)
    for _ in range(200):
        if ex.done:
            break
        ep.poll(50)
    assert ex.done, "no answer"
    assert ex.error is None, ex.error
    return ex.response


def test_get_put_post_delete_over_tcp(server):
    link = TcpLink("127.0.0.1", server)
    ep = Endpoint(link, SystemClock())
    assert exchange(ep, link, GET, "/store").payload == b"initial"
    assert exchange(ep, link, PUT, "/store", b"new value").code == CHANGED
    assert bytes(exchange(ep, link, GET, "/store").payload) == b"new value"
    r = exchange(ep, link, POST, "/store", b"x")
    assert r.code == CREATED and bytes(r.payload) == b"posted:x"
    assert exchange(ep, link, DELETE, "/store").code == DELETED
    assert link.connects == 1  # one connection carried every exchange
    link.close()


def test_10_kb_download_over_tcp(server):
    link = TcpLink("127.0.0.1", server)
    ep = Endpoint(link, SystemClock(), params=Params(max_body=16384))
    r = exchange(ep, link, GET, "/big")
    assert r.code == CONTENT and bytes(r.payload) == BIG
    # aiocoap honoured our CSM's Max-Message-Size: the body came block-wise
    assert link.mtu <= 1152
    link.close()


def test_reconnects_after_the_server_side_closed(server):
    link = TcpLink("127.0.0.1", server)
    ep = Endpoint(link, SystemClock())
    exchange(ep, link, GET, "/store")
    link._drop()  # as if the NAT or the server dropped the connection
    assert exchange(ep, link, GET, "/store").code == CONTENT
    assert link.connects == 2
    link.close()


def test_server_sends_a_request_on_the_connection_the_device_opened():
    """LwM2M over TCP: the server's requests come back over the device's own
    connection. A raw socket plays the server, so the frames are checked byte
    for byte: our CSM first, then the answer to the server's GET, then Pong."""
    from lwm2m.link.tcp import frame, parse_frame

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    link = TcpLink("127.0.0.1", listener.getsockname()[1])

    def handler(req, peer):
        assert req.uri_path() == ["3", "0", "0"]
        return Message(CONTENT, payload=b"Open Mobile Alliance")

    ep = Endpoint(link, SystemClock(), handler=handler)
    hello = Message(POST)
    hello.set_uri_path("/rd")
    ep.request(hello, link.peer)  # connects
    conn, _ = listener.accept()
    conn.settimeout(5)
    buf = bytearray()

    def next_frame():
        while True:
            got = parse_frame(buf)
            if got:
                del buf[: got[3]]
                return got
            buf.extend(conn.recv(4096))

    assert next_frame() == (0xE1, b"", b"\x22\x04\x80", 5)  # CSM, Max-Message-Size 1152
    assert next_frame()[0] == 0x02  # the device's POST /rd
    conn.sendall(frame(0x01, b"\x42", b"\xb1\x33\x01\x30\x01\x30"))  # GET /3/0/0
    conn.sendall(frame(0xE2, b"\x07", b""))  # Ping
    for _ in range(10):
        ep.poll(50)
    code, token, rest, _ = next_frame()
    assert (code, token, rest) == (0x45, b"\x42", b"\xffOpen Mobile Alliance")
    assert next_frame()[:3] == (0xE3, b"\x07", b"")  # Pong with the Ping's token
    link.close()
    assert next_frame()[0] == 0xE4  # Release on close
    conn.close()
    listener.close()


def test_micropython_client_over_tcp(server):
    import os
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    mp = os.path.join(root, ".venv", "bin", "micropython")
    mpy = os.path.join(root, "build", "mpy")
    if not os.path.exists(mp) or not os.path.isdir(mpy):
        pytest.skip("micropython or build/mpy missing (make mpy)")
    out = subprocess.run([mp, os.path.join(root, "tests", "host", "scripts", "coap_tcp_get.py"), str(server)],
                         env=dict(os.environ, MICROPYPATH=mpy), capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines() == ["(None, 68, 0)", "(None, 69, 15)", "(None, 69, %d)" % len(BIG)], out.stderr
