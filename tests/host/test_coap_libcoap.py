"""Interop with libcoap's coap-server / coap-client (Debian libcoap3-bin) on
loopback. Skips when the tools are missing."""
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from coap_util import Demo, ServerThread, client, free_port, run
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message
from lwm2m.coap.params import Params


def _tool(name):
    for suffix in ("-notls", "-openssl", "-gnutls", ""):
        path = shutil.which(name + suffix)
        if path:
            return path
    return None


SERVER = _tool("coap-server")
CLIENT = _tool("coap-client")
BIG = bytes((i * 13) & 255 for i in range(6000))


def _req(code, path, payload=b""):
    m = Message(code, payload=payload)
    m.set_uri_path(path)
    return m


@pytest.fixture(scope="module")
def libcoap_server():
    if not SERVER:
        pytest.skip("libcoap's coap-server is not installed (Debian package libcoap3-bin)")
    port = free_port()
    proc = subprocess.Popen([SERVER, "-A", "127.0.0.1", "-p", str(port), "-d", "5", "-v", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peer = ("127.0.0.1", port)
    ep = client(params=Params(max_body=16384, ack_timeout=500))
    for _ in range(20):
        if run(ep, ep.request(_req(cm.GET, ""), peer), 2).response is not None:
            break
        time.sleep(0.1)
    yield ep, peer
    ep.link.close()
    proc.terminate()
    proc.wait(5)


def test_our_client_against_libcoap_server(libcoap_server):
    ep, peer = libcoap_server
    ex = run(ep, ep.request(_req(cm.GET, ""), peer))
    assert ex.error is None and ex.response.code == cm.CONTENT and b"libcoap" in bytes(ex.response.payload).lower()
    ex = run(ep, ep.request(_req(cm.GET, "time"), peer))
    assert ex.response.code == cm.CONTENT
    ex = run(ep, ep.request(_req(cm.PUT, "example_data", b"hello"), peer))
    assert ex.response.code in (cm.CHANGED, cm.CREATED)
    ex = run(ep, ep.request(_req(cm.GET, "example_data"), peer))
    assert bytes(ex.response.payload) == b"hello"
    ex = run(ep, ep.request(_req(cm.DELETE, "example_data"), peer))
    assert ex.response.code == 0x85  # 4.05: example_data cannot be deleted
    ex = run(ep, ep.request(_req(cm.PUT, "dyn", b"x"), peer))  # -d: PUT creates
    assert ex.response.code == cm.CREATED
    ex = run(ep, ep.request(_req(cm.DELETE, "dyn"), peer))
    assert ex.response.code == cm.DELETED


def test_our_client_block1_and_block2_against_libcoap_server(libcoap_server):
    ep, peer = libcoap_server
    ex = run(ep, ep.request(_req(cm.PUT, "example_data", BIG), peer))
    assert ex.error is None and ex.response.code in (cm.CHANGED, cm.CREATED)
    ex = run(ep, ep.request(_req(cm.GET, "example_data"), peer))
    assert ex.error is None and bytes(ex.response.payload) == BIG


_handler = Demo(BIG)


def _client(*args, timeout=20):
    if not CLIENT:
        pytest.skip("libcoap's coap-client is not installed (Debian package libcoap3-bin)")
    return subprocess.run([CLIENT, "-v", "0"] + list(args), capture_output=True, timeout=timeout)


def test_libcoap_client_get_block2_and_block1_against_our_server():
    with ServerThread(_handler) as srv, tempfile.TemporaryDirectory() as tmp:
        srv.ep.params.max_body = 8192
        base = "coap://127.0.0.1:%d/" % srv.port
        assert _client("-m", "get", base + "temp").stdout.strip() == b"20"
        out = os.path.join(tmp, "big")
        _client("-m", "get", "-o", out, base + "big")
        assert open(out, "rb").read() == BIG
        out2 = os.path.join(tmp, "big64")
        _client("-m", "get", "-b", "64", "-o", out2, base + "big")  # client asks 64-byte blocks
        assert open(out2, "rb").read() == BIG
        src = os.path.join(tmp, "up")
        with open(src, "wb") as f:
            f.write(BIG)
        r = _client("-m", "put", "-b", "256", "-f", src, base + "sink")
        assert _handler.sunk == BIG, r.stderr
        assert b"4.04" in _client("-m", "get", base + "nope").stderr + _client("-m", "get", base + "nope").stdout


def test_libcoap_client_observes_our_resource():
    with ServerThread(_handler) as srv:
        proc = subprocess.Popen([CLIENT or "coap-client", "-v", "0", "-s", "3", "coap://127.0.0.1:%d/temp" % srv.port],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) if CLIENT else None
        if proc is None:
            pytest.skip("libcoap's coap-client is not installed (Debian package libcoap3-bin)")
        for _ in range(50):
            if srv.call(lambda ep: len(ep.observations)):
                break
            time.sleep(0.05)
        for n in (21, 22, 23):
            srv.call(lambda ep: [ep.notify(o, Message(cm.CONTENT, payload=b"%d" % n), con=(n == 22)) for o in ep.observations])
            time.sleep(0.2)
        out, err = proc.communicate(timeout=15)
        assert out.strip() == b"20212223", err  # coap-client prints payloads back to back
