# UdpLink: the datagram link over a real UDP socket, IPv4 or IPv6.
# One datagram per recv(); MicroPython sockets have no recv_into and readinto
# merges datagrams, so each datagram is its own recvfrom().
import socket
import select

from lwm2m.compat import oserror_code


class UdpLink:
    def __init__(self, host="0.0.0.0", port=0, mtu=1152):
        ai = socket.getaddrinfo(host, port)[0]
        self.sock = socket.socket(ai[0], socket.SOCK_DGRAM)
        self.sock.bind(ai[-1])
        self.mtu = mtu
        self.bufsize = 1500 if mtu < 1500 else mtu
        self._poll = select.poll()
        self._poll.register(self.sock, select.POLLIN)
        self.last_error = 0

    def send(self, data, peer):
        self.sock.sendto(data, peer)

    def recv(self, timeout_ms):
        """(data, peer) for one datagram, or None when none came in time."""
        if timeout_ms is None:
            timeout_ms = -1
        if not self._poll.poll(timeout_ms):
            return None
        try:
            return self.sock.recvfrom(self.bufsize)
        except OSError as e:
            # e.g. ECONNREFUSED after an ICMP port unreachable: no datagram.
            self.last_error = oserror_code(e)
            return None

    def close(self):
        self.sock.close()
