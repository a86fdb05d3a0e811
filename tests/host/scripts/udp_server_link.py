# The server end of tests/host/scripts/udp_link.py: a bound UDP socket as a
# datagram link to many peers.
import select
import socket


class UdpServerLink:
    mtu = 1280 - 48

    def __init__(self, host="127.0.0.1", port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(socket.getaddrinfo(host, port)[0][-1])
        self.port = self.sock.getsockname()[1]
        self.poller = select.poll()
        self.poller.register(self.sock, select.POLLIN)

    def send(self, data, peer):
        self.sock.sendto(bytes(data), peer)

    def recv(self, timeout_ms):
        if not self.poller.poll(max(0, int(timeout_ms))):
            return None
        return self.sock.recvfrom(2048)

    def close(self):
        self.sock.close()
