# The CoAP endpoint: both roles over one datagram link, sans-IO at its core.
#   receive(data, peer)  one incoming datagram
#   tick()               retransmissions and timeouts that are due
#   next_timeout_ms()    when tick() next has work (None: nothing pending)
#   poll(max_ms)         the real loop: link.recv + receive + tick
# Nothing raises out of receive/tick/poll: bad input is answered as RFC 7252
# says (RST, 4.02, or silently dropped) and handler errors become 5.00.
from lwm2m import compat
from lwm2m.compat import const, ticks_add, ticks_diff
from lwm2m.error import CoapError, BAD_OPTION, BAD_REQUEST, INCOMPLETE, TOO_LARGE, INTERNAL, NOT_FOUND
from lwm2m.coap.message import (
    Message, ParseError, decode, CON, NON, ACK, RST, EMPTY, GET, FETCH, CONTINUE,
    OBSERVE, BLOCK1, BLOCK2, SIZE1, PROXY_URI, PROXY_SCHEME,
)
from lwm2m.coap.params import Params
from lwm2m.coap.block import szx_for_mtu, request_key, block_of, Slots

_PROXYING_NOT_SUPPORTED = const(0xA5)  # 5.05
# Critical options this engine understands (numbers < 256, as a byte table):
# If-Match, Uri-Host, If-None-Match, Uri-Port, Uri-Path, Uri-Query, Accept,
# Block2, Block1. Any other odd-numbered option is answered with 4.02.
_KNOWN_CRITICAL = b"\x01\x03\x05\x07\x0b\x0f\x11\x17\x1b"


class _Tx:
    """A confirmable message waiting for its ACK (data is set), or a client
    exchange waiting for its response (data is None). due: ticks_ms deadline."""

    token = None

    def __init__(self, peer=None):
        self.peer = peer
        self.mid = -1
        self.data = None
        self.due = 0
        self.timeout = 0
        self.tries = 0

    def _acked(self, ep, msg):
        pass

    def _failed(self, ep, why):
        pass


class Exchange(_Tx):
    """A client request in progress. When done: `response` (a Message whose
    payload is the whole body unless on_block took it) or `error`
    ("timeout", "reset", "incomplete", "too large", "cancelled")."""

    def __init__(self, ep, msg, peer, callback, on_block):
        _Tx.__init__(self, peer)
        self.request = msg
        self.token = msg.token
        self.callback = callback
        self.on_block = on_block
        self.done = False
        self.response = None
        self.error = None
        self._szx = ep._szx
        self._b1 = False  # sending the request body in Block1 blocks
        self._sent = 0  # request body bytes the server has taken
        self._chunk = 0  # size of the Block1 block in flight
        self._body = None  # Block2 reassembly

    def _acked(self, ep, msg):
        if msg.code == EMPTY or msg.token != self.token:
            # Empty ACK: a separate response will follow.
            self.data = None
            self.due = ticks_add(ep.clock.ticks_ms(), ep.params.response_timeout)
            ep._txs.append(self)
        else:
            ep._on_response(self, msg)

    def _failed(self, ep, why):
        ep._finish(self, None, why)


class Observation(_Tx):
    """A server-role observation (RFC 7641) of `request` by (peer, token)."""

    def __init__(self, peer, token):
        _Tx.__init__(self, peer)
        self.token = token
        self.request = None
        self.key = None
        self.last_mid = -1

    def _failed(self, ep, why):
        ep.cancel(self, why)


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
        self.observations = []
        self._szx = szx_for_mtu(getattr(link, "mtu", 1152))
        self._mid = self.rand(16)
        self._seq = 0
        self._txs = []
        self._queue = []
        n = max(1, p.dedup_size)
        self._seen_peer = [None] * n
        self._seen_mid = [-1] * n
        self._seen_exp = [0] * n
        self._seen_reply = [None] * n
        self._seen_next = 0
        self._b1 = Slots(p.block_cache)
        self._b2 = Slots(p.block_cache)

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

    def poll(self, max_ms):
        """Wait up to max_ms (less if a timer is due) for one datagram, process
        it, run due timers. Returns True if a datagram came. Never raises."""
        try:
            t = self.next_timeout_ms()
            r = self.link.recv(max_ms if t is None or t > max_ms else t)
        except Exception as e:
            self._oops(e, None)
            r = None
        if r is not None:
            self.receive(r[0], r[1])
        self.tick()
        return r is not None

    # -- client role -----------------------------------------------------
    def request(self, msg, peer, callback=None, on_block=None):
        """Send a request (CON unless msg.type is NON) and return its Exchange.
        callback(exchange) runs when it is done. on_block(exchange, offset,
        payload, more) receives each Block2 block instead of reassembly."""
        if not msg.token:
            msg.token = self._new_token()
        ex = Exchange(self, msg, peer, callback, on_block)
        if self._active(peer) >= self.params.nstart:
            self._queue.append(ex)
        else:
            self._start(ex)
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
            msg.set_option(OBSERVE, self._next_seq())
            msg = self._blocks_out(msg, obs.peer, obs.key, None)
        pending = obs in self._txs and obs.data is not None
        if con and pending:
            # RFC 7641 4.5.2: the new notification replaces the one in flight
            # and inherits its retransmission counter and timeout.
            msg.type = CON
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

    # -- internals: sending ----------------------------------------------
    def _next_mid(self):
        self._mid = (self._mid + 1) & 0xFFFF
        return self._mid

    def _next_seq(self):
        self._seq = (self._seq + 1) & 0xFFFFFF
        return self._seq

    def _new_token(self):
        while True:
            t = self.rand(32).to_bytes(4, "big")
            for tx in self._txs:
                if tx.token == t:
                    break
            else:
                return t

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
        msg.type = CON if con else NON
        msg.mid = tx.mid = self._next_mid()
        data = msg.encode()
        p = self.params
        now = self.clock.ticks_ms()
        if con:
            tx.data = data
            tx.tries = 0
            spread = int(p.ack_timeout * (p.ack_random_factor - 1))
            tx.timeout = p.ack_timeout + ((spread * self.rand(16)) >> 16)
            tx.due = ticks_add(now, tx.timeout)
        else:
            tx.data = None
            tx.due = ticks_add(now, p.response_timeout)
        if con or tx.token is not None and isinstance(tx, Exchange):
            if tx not in self._txs:
                self._txs.append(tx)
        self._send(data, tx.peer)

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
        try:
            m = decode(data)
        except ParseError:
            # Reject a malformed CON with RST; anything else is dropped.
            if len(data) > 3 and data[0] & 0xF0 == 0x40:
                self._send_empty(RST, (data[2] << 8) | data[3], peer)
            return
        t = m.type
        c = m.code
        cls = c >> 5
        if c == EMPTY:
            if t == CON:
                self._send_empty(RST, m.mid, peer)  # CoAP ping
            elif t == ACK:
                self._on_ack(m, peer)
            elif t == RST:
                self._on_rst(m, peer)
        elif cls == 0:
            if t == CON or t == NON:
                self._on_request(m, peer)
        elif cls == 2 or cls == 4 or cls == 5:
            if t == ACK:
                self._on_ack(m, peer)
            elif t != RST:
                self._on_separate(m, peer)
        elif t == CON:
            self._send_empty(RST, m.mid, peer)  # reserved class

    def _seen(self, m, peer):
        """Duplicate detection: the slot of an earlier (peer, MID), or -1 after
        remembering this one in self._slot."""
        now = self.clock.ticks_ms()
        mids = self._seen_mid
        mid = m.mid
        for i in range(len(mids)):
            if mids[i] == mid and self._seen_peer[i] == peer and ticks_diff(self._seen_exp[i], now) > 0:
                return i
        i = self._seen_next
        self._seen_next = (i + 1) % len(mids)
        mids[i] = mid
        self._seen_peer[i] = peer
        p = self.params
        self._seen_exp[i] = ticks_add(now, p.exchange_lifetime if m.type == CON else p.non_lifetime)
        self._seen_reply[i] = None
        self._slot = i
        return -1

    def _replay(self, i, m, peer):
        r = self._seen_reply[i]
        if r is not None and m.type == CON:
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

    def _on_rst(self, m, peer):
        tx = self._find_tx(m.mid, peer)
        if tx is not None:
            self._txs.remove(tx)
            tx._failed(self, "reset")
            return
        for obs in self.observations:
            if obs.last_mid == m.mid and obs.peer == peer:
                self.cancel(obs, "reset")
                return

    def _on_separate(self, m, peer):
        i = self._seen(m, peer)
        if i >= 0:
            self._replay(i, m, peer)
            return
        for ex in self._txs:
            if ex.token == m.token and ex.peer == peer and isinstance(ex, Exchange):
                break
        else:
            if m.type == CON:
                self._seen_reply[self._slot] = self._send_empty(RST, m.mid, peer)
            return
        if m.type == CON:
            self._seen_reply[self._slot] = self._send_empty(ACK, m.mid, peer)
        self._txs.remove(ex)
        ex.data = None
        self._on_response(ex, m)

    def _on_request(self, m, peer):
        i = self._seen(m, peer)
        if i >= 0:
            self._replay(i, m, peer)  # the handler runs once
            return
        slot = self._slot
        resp = self._serve(m, peer)
        if resp is None:
            if m.type == CON:
                self._seen_reply[slot] = self._send_empty(ACK, m.mid, peer)
            return
        if m.type == CON:
            resp.type = ACK
            resp.mid = m.mid
        else:
            resp.type = NON
            resp.mid = self._next_mid()
        resp.token = m.token
        data = resp.encode()
        self._seen_reply[slot] = data
        self._send(data, peer)

    # -- internals: server role ------------------------------------------
    def _bad_option(self, m):
        opts = m.opts
        for i in range(0, len(opts), 2):
            n = opts[i]
            if n == PROXY_URI or n == PROXY_SCHEME:
                return _PROXYING_NOT_SUPPORTED
            if n & 1 and (n > 255 or n not in _KNOWN_CRITICAL):
                return BAD_OPTION
            if (n == BLOCK1 or n == BLOCK2) and len(opts[i + 1]) > 3:
                return BAD_OPTION
        return 0

    def _serve(self, m, peer):
        """The response to request m, or None for none (NON rejected, or the
        handler answers later)."""
        bad = self._bad_option(m)
        if bad:
            return Message(bad) if m.type == CON else None
        now = self.clock.ticks_ms()
        b1 = m.block1()
        if b1 is not None:
            m, resp = self._block1_in(m, peer, b1, now)
            if resp is not None:
                return resp
        b2 = m.block2()
        key = None
        if b2 is not None and b2[0]:
            key = request_key(m)
            full = self._b2.get(peer, key, now)
            if full is not None:
                return self._block_out(full, peer, key, b2[0], min(b2[2], self._szx))
        obs = None
        if m.code == GET or m.code == FETCH:
            v = m.option(OBSERVE)
            if v is not None and len(v) <= 3:
                obs = m.uint(OBSERVE)
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
        return self._blocks_out(resp, peer, key, m)

    def _call(self, m, peer):
        h = self.handler
        if h is None:
            return Message(NOT_FOUND)
        try:
            return h(m, peer)
        except CoapError as e:
            r = Message(e.code)
            if e.message:
                r.payload = e.message.encode()  # diagnostic payload (RFC 7252 5.5.2)
            return r
        except Exception as e:
            self._oops(e, peer)
            return Message(INTERNAL)

    def _blocks_out(self, resp, peer, key, req):
        """Slice a response too large for one block (or one the request asked
        blocks of); later blocks are served from the cache."""
        b2 = req.block2() if req is not None else None
        szx = self._szx if b2 is None else min(b2[2], self._szx)
        if b2 is None and len(resp.payload) <= (16 << szx):
            return resp
        if key is None:
            key = request_key(req)
        return self._block_out(resp, peer, key, b2[0] if b2 else 0, szx)

    def _block_out(self, full, peer, key, num, szx):
        m = block_of(full, num, szx)
        if m is None:
            return Message(BAD_OPTION)
        if m.block2()[1]:
            self._b2.put(peer, key, full, ticks_add(self.clock.ticks_ms(), self.params.exchange_lifetime))
        else:
            self._b2.pop(peer, key)
        return m

    def _block1_in(self, m, peer, b1, now):
        """Server-role Block1: (request to handle, None) once the body is
        whole (or per block when streaming), else (None, response)."""
        num, more, szx = b1
        p = self.params
        key = request_key(m)
        size = 16 << szx
        off = num << (szx + 4)
        our = min(szx, self._szx)
        total = m.uint(SIZE1)
        pl = m.payload
        if total is not None and total > p.max_body:
            return None, self._too_large(peer, key)
        st = self._b1.get(peer, key, now)
        if num == 0:
            st = [0, None]
        elif st is None or st[0] != off:
            self._b1.pop(peer, key)
            return None, Message(INCOMPLETE)
        if more and len(pl) != size:
            self._b1.pop(peer, key)
            return None, Message(BAD_REQUEST)
        st[0] = off + len(pl)
        expires = ticks_add(now, p.exchange_lifetime)
        if self.stream_block1 is not None and self.stream_block1(m, peer):
            if more:
                self._b1.put(peer, key, st, expires)
            else:
                self._b1.pop(peer, key)
            return m, None
        if st[0] > p.max_body:
            return None, self._too_large(peer, key)
        if st[1] is None:
            st[1] = bytearray()
        st[1].extend(pl)
        if more:
            self._b1.put(peer, key, st, expires)
            r = Message(CONTINUE)
            r.set_block1(num, 1, our)
            return None, r
        self._b1.pop(peer, key)
        whole = Message(m.code, m.type, m.mid, m.token, st[1])
        whole.opts = list(m.opts)
        whole.remove_option(BLOCK1)
        whole.remove_option(SIZE1)
        return whole, None

    def _too_large(self, peer, key):
        self._b1.pop(peer, key)
        r = Message(TOO_LARGE)
        r.set_option(SIZE1, self.params.max_body)
        return r

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
        req = Message(m.code, m.type, m.mid, m.token, bytes(m.payload))
        req.opts = list(m.opts)
        obs.request = req
        obs.key = request_key(m)
        resp.set_option(OBSERVE, self._next_seq())
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
            self._send_tracked(ex, ex.request, ex.request.type != NON)

    def _follow_up(self, ex, payload):
        req = ex.request
        m = Message(req.code, req.type, 0, req.token, payload)
        m.opts = list(req.opts)
        return m

    def _send_block1(self, ex):
        pl = ex.request.payload
        off = ex._sent
        end = min(off + (16 << ex._szx), len(pl))
        m = self._follow_up(ex, memoryview(pl)[off:end])
        m.set_block1(off >> (ex._szx + 4), end < len(pl), ex._szx)
        if off == 0:
            m.set_option(SIZE1, len(pl))
        ex._chunk = end - off
        self._send_tracked(ex, m, m.type != NON)

    def _on_response(self, ex, m):
        if ex.done:
            return
        b1 = m.block1()
        if ex._b1 and m.code == CONTINUE and b1 is not None:
            ex._sent += ex._chunk
            if b1[2] < ex._szx:
                ex._szx = b1[2]  # the server asked for smaller blocks
            if ex._sent < len(ex.request.payload):
                self._send_block1(ex)
                return
        ex._b1 = False
        b2 = m.block2()
        if b2 is not None:
            num, more, szx = b2
            off = num << (szx + 4)
            pl = m.payload
            if more and len(pl) != (16 << szx):
                self._finish(ex, m, "incomplete")
                return
            if ex.on_block is not None:
                try:
                    ex.on_block(ex, off, pl, more)
                except Exception as e:
                    self._oops(e, ex.peer)
                    self._finish(ex, m, "cancelled")
                    return
            else:
                if ex._body is None:
                    ex._body = bytearray()
                if off != len(ex._body):
                    self._finish(ex, m, "incomplete")
                    return
                if off + len(pl) > self.params.max_body:
                    self._finish(ex, m, "too large")
                    return
                ex._body.extend(pl)
            if more:
                if szx < ex._szx:
                    ex._szx = szx
                nxt = self._follow_up(ex, b"")
                for o in (BLOCK1, SIZE1, OBSERVE):
                    nxt.remove_option(o)
                nxt.set_block2((off + len(pl)) >> (ex._szx + 4), 0, ex._szx)
                self._send_tracked(ex, nxt, nxt.type != NON)
                return
            if ex._body is not None:
                m.payload = ex._body
        self._finish(ex, m, None)

    def _finish(self, ex, resp, err):
        if ex.done:
            return
        ex.done = True
        ex.response = resp
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
        self._b1.sweep(now)
        self._b2.sweep(now)
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
            else:
                self._txs.remove(tx)
                tx.data = None
                tx._failed(self, "timeout")
