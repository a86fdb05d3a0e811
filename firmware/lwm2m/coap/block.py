# Block-wise transfers (RFC 7959): block sizes, the key a transfer is known
# by, and whether a response needs slicing. The slicing, the store of
# transfers in progress and Block1 reassembly are lwm2m.coap.blockwise,
# loaded by the first transfer that needs them.
from lwm2m.compat import const

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_ACCEPT = const(17)
_BAD_OPTION = const(0x82)  # 4.02
_BAD_REQUEST = const(0x80)  # 4.00
_BLOCK1 = const(27)
_CONTINUE = const(0x5F)
_ETAG = const(4)
_FETCH = const(5)
_INCOMPLETE = const(0x88)  # 4.08
_OBSERVE = const(6)
_SIZE1 = const(60)
_SIZE2 = const(28)
_TOO_LARGE = const(0x8D)  # 4.13
_URI_PATH = const(11)
_URI_QUERY = const(15)

# Room left in a datagram for the header, token and options around a block.
_OVERHEAD = const(64)


def szx_for_mtu(mtu):
    """The largest SZX (block size 16 << szx, at most 1024) whose block fits the
    link's MTU with room for the header and options."""
    szx = 6
    while szx and (16 << szx) + _OVERHEAD > mtu:
        szx -= 1
    return szx


def request_key(m):
    """What identifies a block-wise transfer besides the peer: the method, the
    Uri-Path and Uri-Query segments, Accept, and a FETCH's body."""
    k = bytearray()
    k.append(m.code)
    opts = m.opts
    for i in range(0, len(opts), 2):
        n = opts[i]
        if n == _URI_PATH or n == _URI_QUERY or n == _ACCEPT:
            k.append(n)
            v = m.value_at(i)
            k.append(len(v))
            k.extend(v)
    if m.code == _FETCH and m.payload:
        # FETCH bodies (Read-Composite) tell transfers on one URI apart
        k.append(0xFF)
        k.extend(m.payload)
    return bytes(k)


def blocks_out(ep, resp, peer, key, req):
    """Slice a response too large for one block (or one the request asked
    blocks of); later blocks are served from the cache."""
    b2 = req.block2() if req is not None else None
    szx = ep._szx if b2 is None else min(b2[2], ep._szx)
    # The block size leaves room for the largest header; a response whose own
    # header is small may fit the link whole (a 36-byte SenML notification in a
    # 51-byte LoRaWAN frame), and a second block would cost a round trip.
    # 8: the largest token.
    if b2 is None and (len(resp.payload) <= (16 << szx) or len(resp.encode()) + 8 <= getattr(ep.link, "mtu", 1152)):
        return resp
    # Slicing, and the store that serves the later blocks, are
    # lwm2m.coap.blockwise, loaded by the first response that needs blocks.
    from lwm2m.coap import blockwise

    return blockwise.slice_out(ep, resp, peer, key, req, b2, szx)
