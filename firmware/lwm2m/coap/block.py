# Block-wise transfer helpers (RFC 7959) shared by the server and client roles
# of the Endpoint: block sizes, the key a transfer is known by, and a small
# bounded store of transfers in progress.
from lwm2m.compat import const, ticks_diff
from lwm2m.coap.message import Message, OBSERVE, URI_PATH, URI_QUERY, ACCEPT, SIZE2

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
    Uri-Path and Uri-Query segments and Accept."""
    k = bytearray()
    k.append(m.code)
    opts = m.opts
    for i in range(0, len(opts), 2):
        n = opts[i]
        if n == URI_PATH or n == URI_QUERY or n == ACCEPT:
            k.append(n)
            k.append(len(opts[i + 1]))
            k.extend(opts[i + 1])
    return bytes(k)


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
    m = Message(full.code, full.type, full.mid, full.token, memoryview(full.payload)[off : min(end, total)])
    m.opts = list(full.opts)
    m.set_block2(num, more, szx)
    if num:
        # Later blocks are plain responses, not notifications (RFC 7959 3.4).
        m.remove_option(OBSERVE)
    else:
        m.set_option(SIZE2, total)
    return m


class Slots:
    """At most `size` values, each known by (peer, key), each forgotten at its
    expiry (ticks_ms); when full the one closest to expiry goes first."""

    def __init__(self, size):
        self.size = size
        self.items = []  # [peer, key, value, expires]

    def _find(self, peer, key):
        for it in self.items:
            if it[0] == peer and it[1] == key:
                return it
        return None

    def get(self, peer, key, now):
        it = self._find(peer, key)
        if it is None:
            return None
        if ticks_diff(it[3], now) <= 0:
            self.items.remove(it)
            return None
        return it[2]

    def put(self, peer, key, value, expires):
        it = self._find(peer, key)
        if it is not None:
            it[2] = value
            it[3] = expires
            return
        items = self.items
        if len(items) >= self.size:
            if not self.size:
                return
            old = items[0]
            for it in items:
                if ticks_diff(it[3], old[3]) < 0:
                    old = it
            items.remove(old)
        items.append([peer, key, value, expires])

    def pop(self, peer, key):
        it = self._find(peer, key)
        if it is not None:
            self.items.remove(it)

    def sweep(self, now):
        items = self.items
        i = len(items)
        while i:
            i -= 1
            if ticks_diff(items[i][3], now) <= 0:
                del items[i]
