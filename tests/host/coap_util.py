"""Helpers for the CoAP interop tests: our Endpoint on a real loopback socket,
driven by a thread (server role) or by a loop until an exchange is done."""
import socket
import threading
import time

from lwm2m.clock import SystemClock
from lwm2m.coap import message as cm
from lwm2m.coap.message import Message
from lwm2m.coap.endpoint import Endpoint
from lwm2m.link.udp import UdpLink


def free_port(family=socket.AF_INET, host="127.0.0.1", kind=socket.SOCK_DGRAM):
    """A loopback port free for `kind` (UDP unless told) right now."""
    s = socket.socket(family, kind)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def client(host="127.0.0.1", **kw):
    return Endpoint(UdpLink(host, 0), SystemClock(), **kw)


def run(ep, ex, timeout=20.0):
    """Poll ep until ex is done (or timeout); returns ex."""
    end = time.monotonic() + timeout
    while not ex.done and time.monotonic() < end:
        ep.poll(50)
    return ex


class ServerThread:
    """Our Endpoint as a server on a loopback port, polled by a thread. call(fn)
    runs fn(ep) on that thread (the endpoint is not thread-safe)."""

    def __init__(self, handler, host="127.0.0.1"):
        self.link = UdpLink(host, 0)
        self.port = self.link.sock.getsockname()[1]
        self.ep = Endpoint(self.link, SystemClock(), handler)
        self._calls = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self._thread.join(5)
        self.link.close()

    def call(self, fn):
        done = threading.Event()
        box = []
        self._calls.append((fn, box, done))
        done.wait(5)
        return box[0] if box else None

    def _run(self):
        while not self._stop:
            self.ep.poll(20)
            while self._calls:
                fn, box, done = self._calls.pop(0)
                box.append(fn(self.ep))
                done.set()


class Demo:
    """A server handler with /temp ("20"), /big (self.big) and /sink (PUT
    keeps the body in self.sunk); anything else is 4.04."""

    def __init__(self, big):
        self.big = big
        self.sunk = None

    def __call__(self, r, peer):
        path = r.uri_path()
        if path == ["temp"]:
            return Message(cm.CONTENT, payload=b"20")
        if path == ["big"]:
            return Message(cm.CONTENT, payload=self.big)
        if path == ["sink"] and r.code == cm.PUT:
            self.sunk = bytes(r.payload)
            return Message(cm.CHANGED)
        return Message(0x84)
