# A minimal datagram link (docs/design.md) over a real UDP socket, for the
# DTLS tests and bench on both runtimes (the firmware's own UdpLink lands
# with the CoAP engine).
import select
import socket


class UdpLink:
    mtu = 1280 - 48  # IPv6 minimum MTU less the IPv6 and UDP headers

    def __init__(self, host, port):
        self.peer = socket.getaddrinfo(host, port)[0][-1]
        self.sock = None
        self.reopen()

    def reopen(self):
        """A new socket, so a new local port (DtlsLink calls this before a
        new handshake)."""
        if self.sock is not None:
            self.sock.close()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.poller = select.poll()
        self.poller.register(self.sock, select.POLLIN)

    def send(self, data, peer=None):
        self.sock.sendto(bytes(data), peer or self.peer)

    def recv(self, timeout_ms):
        if not self.poller.poll(max(0, int(timeout_ms))):
            return None
        data, addr = self.sock.recvfrom(2048)
        return data, addr

    def close(self):
        self.sock.close()
