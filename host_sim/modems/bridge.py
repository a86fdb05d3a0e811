"""Puts a simulated modem on a pseudo-terminal (the driver opens the slave side
like a UART) and carries its datagrams over real UDP on loopback."""
import os
import pty
import select
import socket
import threading
import time
import tty

from lwm2m.compat import ticks_ms


class RealClock:
    """The wall clock as the simulated modems read it (ticks like MicroPython's)."""

    def ticks_ms(self):
        return ticks_ms()

    def sleep_ms(self, ms):
        time.sleep(ms / 1000)


class UdpRadio:
    """The modem's radio, as seen from the network: a UDP socket on loopback."""

    def __init__(self, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)

    def send(self, data, peer):
        self.sock.sendto(data, peer)

    def poll(self, modem):
        while True:
            try:
                data, peer = self.sock.recvfrom(2048)
            except BlockingIOError:
                return
            modem.deliver(data, peer)

    def close(self):
        self.sock.close()


class PtyModem:
    """Runs `modem` behind a pseudo-terminal in a thread; `path` is the UART to open."""

    def __init__(self, make_modem):
        self.clock = RealClock()
        self.radio = UdpRadio()
        self.modem = make_modem(self.clock, self.radio.send)
        self.modem.poll_network = lambda: self.radio.poll(self.modem)
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.lock = threading.Lock()  # hold it to inject faults between reads

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.005)
            with self.lock:
                if ready:
                    try:
                        data = os.read(self.master, 4096)
                    except OSError:
                        return
                    self.modem.write(data)
                out = self.modem.read(4096)
                if out:
                    os.write(self.master, out)

    def stop(self):
        self._stop = True
        self._thread.join(2)
        self.radio.close()
        os.close(self.master)
        os.close(self._slave)
