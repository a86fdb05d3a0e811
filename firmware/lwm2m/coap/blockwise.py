# Block-wise transfers (RFC 7959), the part a transfer needs: the server
# role's slicing of large responses, the store of transfers in progress
# and the reassembly of Block1 requests (functions of the Endpoint `ep`,
# which holds the store ep._blocks and ep._szx). Loaded by the first
# transfer that needs blocks; lwm2m.coap.block decides when.
from lwm2m.compat import const, ticks_add, ticks_diff
from lwm2m.coap.message import Message
from lwm2m.coap.block import request_key

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_OPTION = const(0x82)  # 4.02
_BAD_REQUEST = const(0x80)  # 4.00
_BLOCK1 = const(27)
_CONTINUE = const(0x5F)
_ETAG = const(4)
_INCOMPLETE = const(0x88)  # 4.08
_OBSERVE = const(6)
_SIZE1 = const(60)
_SIZE2 = const(28)
_TOO_LARGE = const(0x8D)  # 4.13


def etag_of(payload):
    """A 4-byte ETag from the CRC-32 of a body (b"" where binascii lacks crc32)."""
    try:
        from binascii import crc32
    except ImportError:  # pragma: no cover - a port built without it
        return b""
    return (crc32(payload) & 0xFFFFFFFF).to_bytes(4, "big")


def block_of(full, num, szx):
    """Block num (size 16 << szx) of a response as its own Message, sharing the
    payload buffer; None if num lies past the end."""
    size = 16 << szx
    off = num * size
    total = len(full.payload)
    if off >= total and not (off == 0 and total == 0):
        return None
    end = off + size
    more = end < total
    m = full.copy(memoryview(full.payload)[off : min(end, total)])
    m.set_block2(num, more, szx)
    if num:
        # Later blocks are plain responses, not notifications (RFC 7959 3.4).
        m.remove_option(_OBSERVE)
    else:
        m.set_option(_SIZE2, total)
    return m


# The Endpoint's store of transfers in progress: one list ep._blocks of
# [kind, peer, key, value, expires], kind _B1 a Block1 body being assembled,
# _B2 a Block2 body being served; at most ep.params.block_cache of each kind,
# each forgotten at its expiry (ticks_ms); when full, the one of that kind
# closest to expiry goes first. One plain list rather than an object per kind:
# no class, no instance dicts on the heap.
_B1 = const(1)
_B2 = const(2)


def _find(ep, kind, peer, key):
    for it in ep._blocks:
        if it[0] == kind and it[1] == peer and it[2] == key:
            return it
    return None


def _get(ep, kind, peer, key, now):
    it = _find(ep, kind, peer, key)
    if it is None:
        return None
    if ticks_diff(it[4], now) <= 0:
        ep._blocks.remove(it)
        return None
    return it[3]


def _put(ep, kind, peer, key, value, expires):
    it = _find(ep, kind, peer, key)
    if it is not None:
        it[3] = value
        it[4] = expires
        return
    size = ep.params.block_cache
    if not size:
        return
    n, old = 0, None
    for it in ep._blocks:
        if it[0] == kind:
            n += 1
            if old is None or ticks_diff(it[4], old[4]) < 0:
                old = it
    if n >= size:
        ep._blocks.remove(old)
    if not ep._blocks:
        ep._blocks = []  # () until the first transfer: no empty list per Endpoint
    ep._blocks.append([kind, peer, key, value, expires])


def _pop(ep, kind, peer, key):
    it = _find(ep, kind, peer, key)
    if it is not None:
        ep._blocks.remove(it)


def sweep(ep, now):
    """Forget the transfers whose time is up."""
    items = ep._blocks
    i = len(items)
    while i:
        i -= 1
        if ticks_diff(items[i][4], now) <= 0:
            del items[i]


def stored_body(ep, peer, key, now):
    """The Block2 body kept for (peer, key), or None."""
    return _get(ep, _B2, peer, key, now)


# -- server role -------------------------------------------------------------
def slice_out(ep, resp, peer, key, req, b2, szx):
    """The first block (or the block the request asked for) of a response
    lwm2m.coap.block.blocks_out found too large, ETag set; later blocks are
    served from the store."""
    if key is None:
        key = request_key(req)
    if resp.code >> 5 == 2 and resp.option(_ETAG) is None:
        # Marks the representation, so a client that gets later blocks
        # from a re-run handler can tell if it changed (RFC 7959 2.4).
        tag = etag_of(resp.payload)
        if tag:
            resp.add_option(_ETAG, tag)
    return block_out(ep, resp, peer, key, b2[0] if b2 else 0, szx)


def block_out(ep, full, peer, key, num, szx):
    m = block_of(full, num, szx)
    if m is None:
        return Message(_BAD_OPTION)
    if m.block2()[1]:
        _put(ep, _B2, peer, key, full, ticks_add(ep.clock.ticks_ms(), ep.params.exchange_lifetime))
    else:
        _pop(ep, _B2, peer, key)
    return m


def block1_in(ep, m, peer, b1, now):
    """Server-role Block1: (request to handle, None) once the body is
    whole (or per block when streaming), else (None, response)."""
    num, more, szx = b1
    p = ep.params
    key = request_key(m)
    size = 16 << szx
    off = num << (szx + 4)
    our = min(szx, ep._szx)
    pl = m.payload
    # A streaming handler sees every block and judges the size itself.
    stream = ep.stream_block1 is not None and ep.stream_block1(m, peer)
    total = m.uint(_SIZE1)
    if not stream and total is not None and total > p.max_body:
        return None, _too_large(ep, peer, key)
    st = _get(ep, _B1, peer, key, now)
    if num == 0:
        st = [0, None]
    elif st is None or st[0] != off:
        _pop(ep, _B1, peer, key)
        return None, Message(_INCOMPLETE)
    if more and len(pl) != size:
        _pop(ep, _B1, peer, key)
        return None, Message(_BAD_REQUEST)
    st[0] = off + len(pl)
    expires = ticks_add(now, p.exchange_lifetime)
    if stream:
        if more:
            _put(ep, _B1, peer, key, st, expires)
        else:
            _pop(ep, _B1, peer, key)
        return m, None
    if st[0] > p.max_body:
        return None, _too_large(ep, peer, key)
    if st[1] is None:
        st[1] = bytearray()
    st[1].extend(pl)
    if more:
        _put(ep, _B1, peer, key, st, expires)
        r = Message(_CONTINUE)
        r.set_block1(num, 1, our)
        return None, r
    _pop(ep, _B1, peer, key)
    whole = m.copy(st[1])
    whole.remove_option(_BLOCK1)
    whole.remove_option(_SIZE1)
    return whole, None


def _too_large(ep, peer, key):
    _pop(ep, _B1, peer, key)
    r = Message(_TOO_LARGE)
    r.set_option(_SIZE1, ep.params.max_body)
    return r
