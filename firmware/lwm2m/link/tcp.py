# CoAP over TCP (RFC 8323, binding T) behind the datagram-link interface, so
# the UDP-shaped engine runs over it untouched. TCP is reliable and ordered,
# so the link translates at its edge:
#   out: a message's type and message ID are dropped and it is framed with a
#        length; a CON is acknowledged at once by an empty ACK fed back to the
#        engine (nothing to retransmit); empty ACKs and RSTs are not sent; a
#        CoAP ping is answered by the link itself.
#   in:  each frame is handed to the engine as a NON message with a fresh ID;
#        signaling (CSM, Ping, Pong, Release, Abort; codes 7.xx) is the link's.
import select
import socket

from lwm2m.compat import const, oserror_code

_CSM = const(0xE1)
_PING = const(0xE2)
_PONG = const(0xE3)
_RELEASE = const(0xE4)
_ABORT = const(0xE5)
_OPT_MAX_MESSAGE_SIZE = const(2)
_MAX_FRAME = const(65535 + 65805)  # refuse anything larger outright


def frame(code, token, rest):
    """A RFC 8323 frame: Len|TKL, extended length, Code, Token, options+payload."""
    n = len(rest)
    if n < 13:
        head = bytes((n << 4 | len(token),))
    elif n < 269:
        head = bytes((13 << 4 | len(token), n - 13))
    elif n < 65805:
        head = bytes((14 << 4 | len(token),)) + (n - 269).to_bytes(2, "big")
    else:
        head = bytes((15 << 4 | len(token),)) + (n - 65805).to_bytes(4, "big")
    return head + bytes((code,)) + bytes(token) + bytes(rest)


def parse_frame(buf):
    """(code, token, rest, frame length) for the first whole frame in buf, or None
    when more bytes are needed. Raises ValueError on a frame that cannot be valid."""
    if not buf:
        return None
    ln, tkl = buf[0] >> 4, buf[0] & 15
    if tkl > 8:
        raise ValueError("token length over 8")
    i = 1
    if ln >= 13:
        nx, base = ((1, 13), (2, 269), (4, 65805))[ln - 13]
        if len(buf) < 1 + nx:
            return None
        ln = int.from_bytes(bytes(buf[1 : 1 + nx]), "big") + base
        i += nx
    end = i + 1 + tkl + ln
    if end > _MAX_FRAME:
        raise ValueError("frame too large")
    if len(buf) < end:
        return None
    code = buf[i]
    token = bytes(buf[i + 1 : i + 1 + tkl])
    return code, token, bytes(buf[i + 1 + tkl : end]), end


class TcpLink:
    """One connection to one server; connects on the first send and again after
    the server closed it. wrap: optional callable(sock) -> TLS-wrapped stream."""

    def __init__(self, host, port, max_message_size=1152, wrap=None):
        self.peer = (host, port)
        self.mtu = max_message_size
        self.max_message_size = max_message_size
        self.peer_max_message_size = 1152  # RFC 8323 default until the peer's CSM says otherwise
        self.wrap = wrap
        self.sock = None
        self.stream = None
        self._buf = bytearray()
        self._inbox = []  # (bytes, peer) for the engine
        self._mid = 0
        self.last_error = 0
        self.connects = 0

    # -- connection --------------------------------------------------------
    def _connect(self):
        ai = socket.getaddrinfo(self.peer[0], self.peer[1])[0]
        sock = socket.socket(ai[0], socket.SOCK_STREAM)
        sock.connect(ai[-1])
        self.sock = sock
        self.stream = self.wrap(sock) if self.wrap else sock
        self._poll = select.poll()
        self._poll.register(self.sock, select.POLLIN)
        self._buf = bytearray()
        self.connects += 1
        # Our Capabilities and Settings Message opens every connection.
        self._write(frame(_CSM, b"", bytes((_OPT_MAX_MESSAGE_SIZE << 4 | 2,)) + self.max_message_size.to_bytes(2, "big")))

    def _drop(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = self.stream = None

    def _write(self, data):
        if self.wrap:
            self.stream.write(data)
        else:
            self.sock.sendall(data)

    # -- datagram link ---------------------------------------------------------
    def send(self, data, peer=None):
        data = bytes(data)
        if len(data) < 4:
            return
        mtype, tkl, code, mid = (data[0] >> 4) & 3, data[0] & 15, data[1], data[2] << 8 | data[3]
        if code == 0:
            if mtype == 0:  # CoAP ping: the connection itself answers it
                self._inbox.append((bytes((0x70, 0, data[2], data[3])), self.peer))
            return  # empty ACK / RST have no meaning on a stream
        try:
            if self.sock is None:
                self._connect()
            self._write(frame(code, data[4 : 4 + tkl], data[4 + tkl :]))
        except OSError as e:
            self.last_error = oserror_code(e)
            self._drop()
            raise
        if mtype == 0:  # CON: delivered by TCP; tell the engine so it stops counting
            self._inbox.append((bytes((0x60, 0, data[2], data[3])), self.peer))

    def recv(self, timeout_ms):
        if self._inbox:
            return self._inbox.pop(0)
        if self.sock is None:
            return None
        while True:
            got = self._take()
            if got:
                return got
            if not self._poll.poll(timeout_ms if timeout_ms is not None else -1):
                return None
            try:
                chunk = self.stream.read(1024) if self.wrap else self.sock.recv(1024)
            except OSError as e:
                self.last_error = oserror_code(e)
                chunk = b""
            if not chunk:  # the server closed the connection
                self._drop()
                return None
            self._buf.extend(chunk)
            timeout_ms = 0

    def _take(self):
        while True:
            try:
                got = parse_frame(self._buf)
            except ValueError:
                self._abort()
                return None
            if got is None:
                return None
            code, token, rest, end = got
            self._buf[:end] = b""
            if code >> 5 == 7:
                self._signal(code, token, rest)
                continue
            self._mid = (self._mid + 1) & 0xFFFF
            head = bytes((0x50 | len(token), code, self._mid >> 8, self._mid & 255))
            return head + token + rest, self.peer

    def _signal(self, code, token, rest):
        if code == _CSM:
            n, i = 0, 0
            while i < len(rest) and rest[i] != 0xFF:  # options: find Max-Message-Size
                delta, ln = rest[i] >> 4, rest[i] & 15
                i += 1
                n += delta
                if n == _OPT_MAX_MESSAGE_SIZE:
                    self.peer_max_message_size = int.from_bytes(rest[i : i + ln], "big")
                    self.mtu = min(self.max_message_size, self.peer_max_message_size)
                i += ln
        elif code == _PING:
            self._write(frame(_PONG, token, b""))
        elif code in (_RELEASE, _ABORT):
            self._drop()

    def _abort(self):
        try:
            self._write(frame(_ABORT, b"", b""))
        except OSError:
            pass
        self._drop()

    def close(self):
        if self.sock:
            try:
                self._write(frame(_RELEASE, b"", b""))
            except OSError:
                pass
        self._drop()
