"""The firmware's client over coaps:// (DTLS PSK) and coap://, in-process on
CPython, against the embedded server's DTLS front. A DTLS handshake blocks
its caller (mbedTLS drives it), so the client runs in a thread of its own,
never in the event loop that serves the server."""
import base64
import binascii
import contextlib
import threading

from client_harness import demo_model

from host_sim.server import LwM2MServer
from lwm2m.clock import SystemClock
from lwm2m.client.client import Client
from lwm2m.client.servers import provision
from lwm2m.coap.params import Params
from lwm2m.link.peers import PeerLinks
from lwm2m.link.udp import UdpLink
from lwm2m.main import describe

IDENTITY = "dev-psk-1"
KEY = bytes.fromhex("5ec7e7a1c0ffee00112233445566778899")
# Short timers so that failures show within a test: one handshake attempt of
# 1.5 s; a CoAP exchange gives up after ~1.5 s.
DTLS = {"handshake_timeout_ms": 1500, "handshake_attempts": 1, "max_unanswered": 2}
PARAMS = Params(ack_timeout=300, max_retransmit=2)


def key_forms(key=KEY):
    """Every way the key could show up in text."""
    return [repr(key), key.hex(), key.hex().upper(), binascii.hexlify(key).decode(),
            base64.b64encode(key).decode().rstrip("="), base64.urlsafe_b64encode(key).decode().rstrip("=")]


def provision_psk(model, uri, identity=IDENTITY, key=KEY, lifetime=300, **server):
    """A Security (mode 0) + Server instance pair."""
    iid = provision(model, uri, ssid=1, lifetime=lifetime)
    model.set((0, iid, 2), 0)
    model.set((0, iid, 3), identity.encode())
    model.set((0, iid, 5), key)
    for rid, value in server.items():
        model.set((1, iid, int(rid[1:])), value)
    return iid


class Driven:
    """Client.poll in a thread until stop(); `trace` gets the client's lines
    and one line per CoAP datagram (as lwm2m.main prints them)."""

    def __init__(self, client):
        self.client = client
        self.trace = client.log
        client.endpoint.trace = lambda d, peer, data: self.trace.append(
            "%s %s" % (d, data if d == "err" else describe(data)))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.client.poll(20)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(10)


@contextlib.asynccontextmanager
async def secured_client(ep, psk=None, model=None, bootstrap=None, dtls=None, params=PARAMS, certs=None, **config):
    """An embedded server with a DTLS front ({IDENTITY: KEY} unless psk
    says otherwise) and a client with PeerLinks; the test provisions the model
    and calls client.start() (through driven.client.defer)."""
    model = model or demo_model()
    async with LwM2MServer(port=0, type_of=model.type_of, psk={IDENTITY: KEY} if psk is None else psk,
                           dtls_port=0, bootstrap=bootstrap, certs=certs) as server:
        links = PeerLinks(lambda: UdpLink("127.0.0.1", 0), dtls=dict(DTLS, **(dtls or {})))
        trace = []
        cfg = {"ep": ep, "default_format": 110, "params": params}
        cfg.update(config)
        client = Client(model, links, SystemClock(), cfg, trace=trace.append)
        client.log = trace
        driven = Driven(client).start()
        try:
            yield server, driven, model, links
        finally:
            driven.stop()
            links.close()
