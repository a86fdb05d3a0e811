# The CoAP endpoint: both roles over one datagram link, sans-IO at its core.
#   receive(data, peer)  one incoming datagram
#   tick()               retransmissions and timeouts that are due
#   next_timeout_ms()    when tick() next has work (None: nothing pending)
#   poll(max_ms)         the real loop: link.recv + receive + tick
# Nothing raises out of receive/tick/poll: bad input is answered as RFC 7252
# says (RST, 4.02, or silently dropped) and handler errors become 5.00.
from lwm2m import compat
from lwm2m.compat import const, ticks_add, ticks_diff
from lwm2m.error import CoapError
from lwm2m.coap.message import Message, ParseError, decode
from lwm2m.coap.params import Params
from lwm2m.coap.block import szx_for_mtu, request_key, blocks_out
from lwm2m.coap.exchange import _Tx, Exchange, Observation

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_ACK = const(2)
_BAD_OPTION = const(0x82)  # 4.02
_DRAIN_MAX = const(4)  # datagrams one poll handles before its timers: a flood cannot starve them
_BLOCK1 = const(27)
_BLOCK2 = const(23)
_CON = const(0)
_CONTINUE = const(0x5F)
_EMPTY = const(0)
_ETAG = const(4)
_FETCH = const(5)
_GET = const(1)
_INTERNAL = const(0xA0)  # 5.00
_NON = const(1)
_NOT_FOUND = const(0x84)  # 4.04
_OBSERVE = const(6)
_PROXY_SCHEME = const(39)
_PROXY_URI = const(35)
_RST = const(3)
_SIZE1 = const(60)

_PROXYING_NOT_SUPPORTED = const(0xA5)  # 5.05
# Critical options understood (numbers < 256, a byte table): Uri-Host,
# Uri-Port (one host here), Uri-Path, Uri-Query, Accept, Block2, Block1. Any
# other odd-numbered option is answered with 4.02, If-Match and If-None-Match
# too: a handler that implements them adds 1 and 5 to ep.known_critical.
KNOWN_CRITICAL = b"\x03\x07\x0b\x0f\x11\x17\x1b"


class Endpoint:
    def __init__(self, link, clock, handler=None, params=None, rand=None):
        self.link = link
        self.clock = clock
        # handler(request, peer) -> response Message, or None to answer later
        # with respond(); may raise CoapError(code).
        self.handler = handler
        self.params = p = params or Params()
        self.rand = rand or compat.getrandbits  # rand(bits) -> int
        self.trace = None  # trace(direction, peer, data): "rx", "tx" or "err"
        self.on_observe = None  # on_observe(obs): registered (or re-registered)
        self.on_cancel = None  # on_cancel(obs, why): "reset", "deregister", "timeout", ...
        self.stream_block1 = None  # stream_block1(request, peer) -> True: handler takes Block1 blocks one by one
        self.known_critical = KNOWN_CRITICAL  # critical option numbers understood (bytes)
        self.observations = []
        self._szx = szx_for_mtu(getattr(link, "mtu", 1152))
        self._mid = self.rand(16)
        self._seq = 0
        self._tok = 0
        self._txs = []
        self._queue = ()  # requests waiting for NSTART; a list once one waits
        self._rx = None
        self._slot = 0
        # De-duplication (RFC 7252 4.5): the last dedup_size (peer, MID) seen, as
        # one flat list of [peer, mid, expiry, reply] slots; _next: the slot to reuse.
        self._dedup = [None, -1, 0, None] * max(1, p.dedup_size)
        self._next = 0
        self._blocks = ()  # block-wise transfers in progress (lwm2m.coap.blockwise); a list once one starts

    # -- the sans-IO core ------------------------------------------------
    def receive(self, data, peer):
        """Process one incoming datagram."""
        try:
            self._receive(data, peer)
        except Exception as e:
            self._oops(e, peer)

    def tick(self):
        """Retransmit and time out what is due."""
        try:
            self._tick()
        except Exception as e:
            self._oops(e, None)

    def postpone(self, ms):
        """The link held what we sent for ms before it left (a ReleaseLink
        flushed later, through a DTLS handshake): every timer counts from then."""
        for tx in self._txs:
            tx.due = ticks_add(tx.due, ms)

    def next_timeout_ms(self):
        """Milliseconds until tick() has work (0: now), or None if nothing is
        pending. Cache expiry is lazy and never a reason to wake up."""
        now = self.clock.ticks_ms()
        best = None
        for tx in self._txs:
            d = ticks_diff(tx.due, now)
            if best is None or d < best:
                best = d
        if best is None:
            return None
        return best if best > 0 else 0

    def poll(self, max_ms=None):
        """Wait up to max_ms (less if a timer is due; None: until a timer or a
        datagram) for one datagram, process it and those already waiting
        (up to _DRAIN_MAX), then run due timers. Returns True if a datagram
        came. Never raises."""
        try:
            t = self.next_timeout_ms()
            if t is None or (max_ms is not None and t > max_ms):
                t = max_ms
            r = self.link.recv(t)
        except Exception as e:
            self._oops(e, None)
            r = None
        got = r is not None
        n = 0
        while r is not None:
            self.receive(r[0], r[1])
            # Answering may have blocked in the link (a LoRaWAN duty-cycle
            # wait): what came in meanwhile (the answer to our request, in
            # the receive window of that send) is handled before the timers,
            # or they would retransmit what was already answered.
            n += 1
            r = None
            if n < _DRAIN_MAX:
                try:
                    r = self.link.recv(0)
                except Exception as e:
                    self._oops(e, None)
        self.tick()
        return got

    # -- client role -----------------------------------------------------
    def request(self, msg, peer, callback=None, on_block=None):
        """Send a request (CON unless msg.type is NON) and return its Exchange.
        callback(exchange) runs when it is done. on_block(exchange, offset,
        payload, more) receives each Block2 block instead of reassembly."""
        while not msg.token:
            # random, and a counter so that a poor rand cannot repeat itself;
            # never the token of an exchange in flight
            self._tok = (self._tok + 1) & 0xFFFFFFFF
            t = (self.rand(32) ^ self._tok).to_bytes(4, "big")
            for tx in self._txs:
                if tx.token == t:
                    break
            else:
                msg.token = t
        ex = Exchange(self, msg, peer, callback, on_block)
        if self._active(peer) >= self.params.nstart:
            if not self._queue:
                self._queue = []
            self._queue.append(ex)
        else:
            self._start(ex)
        return ex

    def ping(self, peer, callback=None):
        """Send a CoAP ping (an empty CON). The returned exchange is done with
        error None when the peer answers (RST), or "timeout"."""
        ex = Exchange(self, Message(_EMPTY), peer, callback, None)
        ex.token = None  # an empty message has no token to match
        self._send_tracked(ex, ex.request, True)
        return ex

    def cancel(self, what, why="cancelled"):
        """Forget an Exchange (its callback runs with error why) or end an
        Observation (on_cancel runs)."""
        if what in self._txs:
            self._txs.remove(what)
        if what in self._queue:
            self._queue.remove(what)
        if isinstance(what, Exchange):
            self._finish(what, None, why)
        else:
            self._drop_obs(what, why)

    def _drop_obs(self, obs, why):
        if obs in self.observations:
            self.observations.remove(obs)
            if self.on_cancel:
                try:
                    self.on_cancel(obs, why)
                except Exception as e:
                    self._oops(e, obs.peer)

    # -- server role -----------------------------------------------------
    def respond(self, peer, token, msg, con=True):
        """Send a separate response (after the handler returned None)."""
        msg.token = token
        self._send_tracked(_Tx(peer), msg, con)

    def notify(self, obs, msg, con=False):
        """Send a notification for obs: 2.xx carries a rising Observe number;
        any other code ends the observation. A CON notification that times out
        (or is reset) cancels it. Returns False if obs is no longer active."""
        if obs not in self.observations:
            return False
        msg.token = obs.token
        if not msg.code:
            msg.code = 0x45
        ok = msg.code >> 5 == 2
        if ok:
            msg.set_option(_OBSERVE, self._next_seq())
            msg = blocks_out(self, msg, obs.peer, obs.key, None)
        pending = obs in self._txs and obs.data is not None
        if con and pending:
            # RFC 7641 4.5.2: the new notification replaces the one in flight
            # and inherits its retransmission counter and timeout.
            msg.type = _CON
            msg.mid = self._next_mid()
            obs.data = msg.encode()
            obs.mid = msg.mid
            self._send(obs.data, obs.peer)
        else:
            # A NON notification must not disturb a CON one in flight.
            self._send_tracked(obs if con else _Tx(obs.peer), msg, con)
        obs.last_mid = msg.mid
        if not ok:
            self._drop_obs(obs, "error")
        return True

    def counters(self):
        """[message id, Observe sequence, token counter]: what a device keeps
        across a reset so that its next messages are not taken for old ones."""
        return [self._mid, self._seq, self._tok]

    def set_counters(self, c):
        self._mid, self._seq, self._tok = c[0] & 0xFFFF, c[1] & 0xFFFFFF, c[2] & 0xFFFFFFFF

    # -- internals: sending ----------------------------------------------
    def _next_mid(self):
        self._mid = (self._mid + 1) & 0xFFFF
        return self._mid

    def _next_seq(self):
        self._seq = (self._seq + 1) & 0xFFFFFF
        return self._seq

    def _send(self, data, peer):
        if self.trace:
            self.trace("tx", peer, data)
        try:
            self.link.send(data, peer)
        except Exception as e:
            # A send that fails is a lost datagram; retransmission covers it.
            self._oops(e, peer)

    def _send_empty(self, type, mid, peer):
        b = bytearray(4)
        b[0] = 0x40 | (type << 4)
        b[2] = mid >> 8
        b[3] = mid & 255
        self._send(b, peer)
        return b

    def _send_tracked(self, tx, msg, con):
        """Send msg; if con, tx retransmits it until ACK, RST or MAX_RETRANSMIT."""
        # Attributes equal to their class default are not set: on MicroPython
        # each new instance attribute grows the object's table.
        t = _CON if con else _NON
        if msg.type != t:
            msg.type = t
        msg.mid = tx.mid = self._next_mid()
        data = msg.encode()
        p = self.params
        now = self.clock.ticks_ms()
        if con:
            tx.data = data
            if tx.tries:
                tx.tries = 0
            tx.timeout = p.ack_timeout + ((p.ack_spread * self.rand(16)) >> 16)
            tx.due = ticks_add(now, tx.timeout)
        else:
            if tx.data is not None:
                tx.data = None
            tx.due = ticks_add(now, p.response_timeout)
        if con or tx.token is not None and isinstance(tx, Exchange):
            if tx not in self._txs:
                self._txs.append(tx)
        self._send(data, tx.peer)
        self._started(tx, now)

    def _started(self, tx, before):
        # A link may block in send (a modem attaching, a LoRaWAN duty-cycle
        # wait): the timers count from when the datagram left, not from the call.
        moved = ticks_diff(self.clock.ticks_ms(), before)
        if moved > 0:
            tx.due = ticks_add(tx.due, moved)

    def _oops(self, e, peer):
        if self.trace:
            try:
                self.trace("err", peer, repr(e))
            except Exception:
                pass

    # -- internals: receiving ------------------------------------------
    def _receive(self, data, peer):
        if self.trace:
            self.trace("rx", peer, data)
        # One Message is decoded into again and again, taken while in use (so a
        # nested receive gets its own) and given back by the paths that do not
        # keep it: a request once answered, an empty message.
        rx = self._rx
        self._rx = None
        try:
            m = decode(data, rx)
        except ParseError:
            self._rx = rx
            # Reject a malformed CON with RST; anything else is dropped.
            if len(data) > 3 and data[0] & 0xF0 == 0x40:
                self._send_empty(_RST, (data[2] << 8) | data[3], peer)
            return
        t = m.type
        c = m.code
        cls = c >> 5
        if c == _EMPTY:
            if t == _CON:
                self._send_empty(_RST, m.mid, peer)  # CoAP ping
            elif t == _ACK:
                self._on_ack(m, peer)
            elif t == _RST:
                tx = self._find_tx(m.mid, peer)
                if tx is not None:
                    self._txs.remove(tx)
                    tx._failed(self, "reset")
                else:
                    for obs in self.observations:
                        if obs.last_mid == m.mid and obs.peer == peer:
                            self.cancel(obs, "reset")
                            break
            self._rx = m
        elif cls == 0:
            if t == _CON or t == _NON:
                self._on_request(m, peer)
            self._rx = m
        elif cls == 2 or cls == 4 or cls == 5:
            if t == _ACK:
                self._on_ack(m, peer)
            elif t != _RST:
                self._on_separate(m, peer)
        elif t == _CON:
            self._send_empty(_RST, m.mid, peer)  # reserved class

    def _seen(self, m, peer):
        """Duplicate detection: the slot (index of its peer in self._dedup) of an
        earlier (peer, MID), or -1 after remembering this one in self._slot."""
        now = self.clock.ticks_ms()
        d = self._dedup
        mid = m.mid
        for i in range(0, len(d), 4):
            if d[i + 1] == mid and d[i] == peer and ticks_diff(d[i + 2], now) > 0:
                return i
        i = self._next
        self._next = (i + 4) % len(d)
        p = self.params
        d[i] = peer
        d[i + 1] = mid
        d[i + 2] = ticks_add(now, p.exchange_lifetime if m.type == _CON else p.non_lifetime)
        d[i + 3] = None
        self._slot = i
        return -1

    def _replay(self, i, m, peer):
        r = self._dedup[i + 3]
        if r is not None and m.type == _CON:
            self._send(r, peer)

    def _find_tx(self, mid, peer):
        for tx in self._txs:
            if tx.mid == mid and tx.peer == peer:
                return tx
        return None

    def _on_ack(self, m, peer):
        tx = self._find_tx(m.mid, peer)
        if tx is None or tx.data is None:
            return  # late or unknown ACK
        self._txs.remove(tx)
        tx.data = None
        tx._acked(self, m)

    def _on_separate(self, m, peer):
        i = self._seen(m, peer)
        if i >= 0:
            self._replay(i, m, peer)
            return
        for ex in self._txs:
            if ex.token == m.token and ex.peer == peer and isinstance(ex, Exchange):
                break
        else:
            if m.type == _CON:
                self._dedup[self._slot + 3] = self._send_empty(_RST, m.mid, peer)
            return
        bad = self._bad_option(m) == _BAD_OPTION
        if m.type == _CON:
            # An unknown critical option rejects the response (RFC 7252 5.4.1)
            self._dedup[self._slot + 3] = self._send_empty(_RST if bad else _ACK, m.mid, peer)
        self._txs.remove(ex)
        ex.data = None
        if bad:
            self._finish(ex, None, "bad option")
        else:
            self._on_response(ex, m)

    def _on_request(self, m, peer):
        i = self._seen(m, peer)
        if i >= 0:
            self._replay(i, m, peer)  # the handler runs once
            return
        slot = self._slot
        resp = self._serve(m, peer)
        if resp is None:
            if m.type == _CON:
                self._dedup[slot + 3] = self._send_empty(_ACK, m.mid, peer)
            return
        if m.type == _CON:
            data = resp.encode(_ACK, m.mid, m.token)
        else:
            data = resp.encode(_NON, self._next_mid(), m.token)
        self._dedup[slot + 3] = data
        self._send(data, peer)

    # -- internals: server role ------------------------------------------
    def _bad_option(self, m):
        opts = m.opts
        for i in range(0, len(opts), 2):
            n = opts[i]
            if n == _PROXY_URI or n == _PROXY_SCHEME:
                return _PROXYING_NOT_SUPPORTED
            if n & 1 and (n > 255 or n not in self.known_critical):
                return _BAD_OPTION
            if (n == _BLOCK1 or n == _BLOCK2) and m.len_at(i) > 3:
                return _BAD_OPTION
        return 0

    def _serve(self, m, peer):
        """The response to request m, or None for none (NON rejected, or the
        handler answers later)."""
        bad = self._bad_option(m)
        if bad:
            return Message(bad) if m.type == _CON else None
        now = self.clock.ticks_ms()
        b1 = m.block1()
        b2 = m.block2()
        key = None
        if b1 is not None or (b2 is not None and b2[0]):
            # a block-wise transfer: its code loads with the first one
            from lwm2m.coap import blockwise

            if b1 is not None:
                m, resp = blockwise.block1_in(self, m, peer, b1, now)
                if resp is not None:
                    return resp
                b2 = m.block2()
            if b2 is not None and b2[0]:
                key = request_key(m)
                full = blockwise.stored_body(self, peer, key, now)
                if full is not None:
                    return blockwise.block_out(self, full, peer, key, b2[0], min(b2[2], self._szx))
        obs = None
        if m.code == _GET or m.code == _FETCH:
            v = m.option(_OBSERVE)
            if v is not None and len(v) <= 3:
                obs = m.uint(_OBSERVE)
                found = self._find_obs(peer, m.token)
                if found is not None and obs != 0:
                    self.cancel(found, "deregister")
        resp = self._call(m, peer)
        if resp is None:
            return None
        if obs == 0:
            self._observe(m, peer, resp)
        if b1 is not None:
            resp.set_block1(b1[0], b1[1], min(b1[2], self._szx))
        return blocks_out(self, resp, peer, key, m)

    def _call(self, m, peer):
        h = self.handler
        if h is None:
            return Message(_NOT_FOUND)
        try:
            return h(m, peer)
        except CoapError as e:
            r = Message(e.code)
            if e.message:
                r.payload = e.message.encode()  # diagnostic payload (RFC 7252 5.5.2)
            return r
        except Exception as e:
            self._oops(e, peer)
            return Message(_INTERNAL)

    def _find_obs(self, peer, token):
        for obs in self.observations:
            if obs.peer == peer and obs.token == token:
                return obs
        return None

    def _observe(self, m, peer, resp):
        obs = self._find_obs(peer, m.token)
        if resp.code >> 5 != 2:
            if obs is not None:
                self.cancel(obs, "error")
            return
        if obs is None:
            obs = Observation(peer, m.token)
            self.observations.append(obs)
        obs.request = m  # kept encoded: a copy, so m's buffer may be reused
        obs.key = request_key(m)
        resp.set_option(_OBSERVE, self._next_seq())
        if self.on_observe:
            try:
                self.on_observe(obs)
            except Exception as e:
                self._oops(e, peer)

    # -- internals: client role ------------------------------------------
    def _active(self, peer):
        n = 0
        for tx in self._txs:
            if tx.peer == peer and isinstance(tx, Exchange):
                n += 1
        return n

    def _start(self, ex):
        if len(ex.request.payload) > (16 << ex._szx):
            ex._b1 = True
            self._send_block1(ex)
        else:
            m = ex.request
            if ex._szx < 6 and (m.code == _GET or m.code == _FETCH) and m.option(_BLOCK2) is None:
                # Early negotiation (RFC 7959 2.4): on a small-MTU link ask for
                # blocks that fit before the server picks a larger size.
                m = m.copy(m.payload)
                m.set_block2(0, 0, ex._szx)
            self._send_tracked(ex, m, m.type != _NON)

    def _send_block1(self, ex):
        pl = ex.request.payload
        off = ex._sent
        end = min(off + (16 << ex._szx), len(pl))
        m = ex.request.copy(memoryview(pl)[off:end])
        m.set_block1(off >> (ex._szx + 4), end < len(pl), ex._szx)
        if off == 0 and self._szx:
            # Size1 is optional (RFC 7959 4); on a link so small that blocks
            # shrank to 16 bytes (LoRaWAN DR0-2, 51 B frames) it does not fit.
            m.set_option(_SIZE1, len(pl))
        ex._chunk = end - off
        self._send_tracked(ex, m, m.type != _NON)

    def _on_response(self, ex, m):
        if ex.done:
            return
        b1 = m.block1()
        if ex._b1 and m.code == _CONTINUE and b1 is not None:
            ex._sent += ex._chunk
            if b1[2] < ex._szx:
                ex._szx = b1[2]  # the server asked for smaller blocks
            if ex._sent < len(ex.request.payload):
                self._send_block1(ex)
                return
        ex._b1 = False
        b2 = m.block2()
        pl = m.payload
        if b2 is not None:
            num, more, szx = b2
            off = num << (szx + 4)
            etag = m.option(_ETAG)
            if ex._got < 0:
                # The first block: where the request asked to start (a
                # download resumed mid-way), with the ETag all must share.
                asked = ex.request.block2()
                ex._got = asked[0] << (asked[2] + 4) if asked else 0
                ex._etag = etag
            # Blocks must follow on, all of one representation (RFC 7959 2.4).
            if off != ex._got or etag != ex._etag or (more and len(pl) != (16 << szx)):
                self._finish(ex, m, "incomplete")
                return
            ex._got = off + len(pl)
            if ex.on_block is not None:
                try:
                    ex.on_block(ex, off, pl, more)
                except Exception as e:
                    self._oops(e, ex.peer)
                    self._finish(ex, m, "cancelled")
                    return
            else:
                if ex._got > self.params.max_body:
                    self._finish(ex, m, "too large")
                    return
                if ex._body is None:
                    ex._body = bytearray()
                ex._body.extend(pl)
            if more:
                if szx < ex._szx:
                    ex._szx = szx
                nxt = ex.request.copy()
                for o in (_BLOCK1, _SIZE1, _OBSERVE):
                    nxt.remove_option(o)
                nxt.set_block2(ex._got >> (ex._szx + 4), 0, ex._szx)
                self._send_tracked(ex, nxt, nxt.type != _NON)
                return
            if ex._body is not None:
                m.payload = ex._body
        self._finish(ex, m, None)

    def _finish(self, ex, resp, err):
        if ex.done:
            return
        ex.done = True
        if resp is not None:
            ex.response = resp
        if err is not None:
            ex.error = err
        if ex in self._txs:
            self._txs.remove(ex)
        if ex.callback is not None:
            try:
                ex.callback(ex)
            except Exception as e:
                self._oops(e, ex.peer)
        q = self._queue
        i = 0
        while i < len(q):
            nxt = q[i]
            if nxt.peer == ex.peer and self._active(nxt.peer) < self.params.nstart:
                q.pop(i)
                self._start(nxt)
            else:
                i += 1

    def _tick(self):
        now = self.clock.ticks_ms()
        if self._blocks:  # transfers in progress: blockwise is loaded
            from lwm2m.coap import blockwise

            blockwise.sweep(self, now)
        while True:
            for tx in self._txs:
                if ticks_diff(tx.due, now) <= 0:
                    break
            else:
                return
            if tx.data is not None and tx.tries < self.params.max_retransmit:
                tx.tries += 1
                tx.timeout *= 2
                tx.due = ticks_add(now, tx.timeout)
                self._send(tx.data, tx.peer)
                self._started(tx, now)
            else:
                self._txs.remove(tx)
                tx.data = None
                tx._failed(self, "timeout")
