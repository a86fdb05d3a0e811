# Client exchanges and server observations: what the Endpoint keeps per
# message in flight. Each is a _Tx: a CON waiting for its ACK (data set) or a
# client request waiting for its response (data None), due at a ticks_ms time.
from lwm2m.compat import const, ticks_add
from lwm2m.coap.message import decode

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_OPTION = const(0x82)  # 4.02
_EMPTY = const(0)


class _Tx:
    """A confirmable message waiting for its ACK (data is set), or a client
    exchange waiting for its response (data is None). due: ticks_ms deadline."""

    # Class defaults: on MicroPython every instance attribute set costs heap.
    token = None
    mid = -1
    data = None
    due = 0
    timeout = 0
    tries = 0

    def __init__(self, peer=None):
        self.peer = peer

    def _acked(self, ep, msg):
        pass

    def _failed(self, ep, why):
        pass


class Exchange(_Tx):
    """A client request in progress. When done: `response` (a Message whose
    payload is the whole body unless on_block took it) or `error`
    ("timeout", "reset", "incomplete", "too large", "cancelled", "bad option")."""

    done = False
    response = None
    error = None
    callback = None
    on_block = None
    _b1 = False  # sending the request body in Block1 blocks
    _sent = 0  # request body bytes the server has taken
    _chunk = 0  # size of the Block1 block in flight
    _body = None  # Block2 reassembly
    _szx = 6  # block size (16 << _szx) to ask and send
    _got = -1  # offset of the next Block2 block (-1: none came yet)
    _etag = None  # ETag of Block2 block 0

    def __init__(self, ep, msg, peer, callback, on_block):
        self.peer = peer
        self.request = msg
        self.token = msg.token
        if callback is not None:
            self.callback = callback
        if on_block is not None:
            self.on_block = on_block
        if ep._szx != 6:
            self._szx = ep._szx

    def _acked(self, ep, msg):
        if self.request.code == _EMPTY:
            ep._finish(self, None, None)  # a ping (RFC 7252 4.3): answered
        elif msg.code != _EMPTY and ep._bad_option(msg) == _BAD_OPTION:
            # A piggybacked response with an unknown critical option is
            # rejected (RFC 7252 5.4.1): there is no answer to wait for.
            ep._finish(self, None, "bad option")
        elif msg.code == _EMPTY or msg.token != self.token:
            # Empty ACK: a separate response will follow.
            self.data = None
            self.due = ticks_add(ep.clock.ticks_ms(), ep.params.response_timeout)
            ep._txs.append(self)
        else:
            ep._on_response(self, msg)

    def _failed(self, ep, why):
        # A ping (an empty CON, RFC 7252 4.3) is answered by the peer's RST.
        ep._finish(self, None, None if why == "reset" and self.request.code == _EMPTY else why)


class Observation(_Tx):
    """A server-role observation (RFC 7641) of `request` by (peer, token)."""

    _req = None  # the request as encoded bytes (class default: no heap)
    key = None
    last_mid = -1

    def __init__(self, peer, token):
        _Tx.__init__(self, peer)
        self.token = token

    # The request is kept as its datagram, a few dozen bytes, rather than as a
    # Message with a list of option values (~0.5 KB on 64-bit): it is read
    # back only to save the observation (lwm2m.client.persist) or in tests.
    @property
    def request(self):
        return None if self._req is None else decode(self._req)

    @request.setter
    def request(self, msg):
        self._req = bytes(msg.encode())

    def _failed(self, ep, why):
        ep.cancel(self, why)
