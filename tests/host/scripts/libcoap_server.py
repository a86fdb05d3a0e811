# libcoap's coap-server-openssl on loopback for the DTLS tests and bench
# (CPython only): our identity gets KEY (-i), every other identity a key
# nobody has (-k), so a wrong identity fails like a wrong key.
import os
import shutil
import socket
import subprocess
import tempfile
import time

SERVER = "coap-server-openssl"
PACKAGE = "libcoap3-bin"
HINT = "lwm2m"
OTHER_KEY = b"default-key-for-other-identities"


def available():
    return shutil.which(SERVER) is not None


def free_port_pair():
    """A port p with p and p+1 free for UDP on loopback (CoAP, CoAPS)."""
    for _ in range(50):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        if p >= 65535:
            continue
        try:
            t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            t.bind(("127.0.0.1", p + 1))
            t.close()
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def wait_for_coap(port):
    """Until the plain-CoAP port answers a ping (a CON Empty -> RST)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.1)
    try:
        for _ in range(50):
            s.sendto(b"\x40\x00\x00\x01", ("127.0.0.1", port))
            try:
                s.recvfrom(64)
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("%s did not start" % SERVER)
    finally:
        s.close()


class LibcoapServer:
    """Started by start(), stopped by stop(); `dtls_port` is CoAPS."""

    def __init__(self, identity, key):
        self.identity = identity
        self.key = key
        self.proc = None
        self.dir = None

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="libcoap")
        ids = os.path.join(self.dir, "identities")
        with open(ids, "w") as f:
            f.write("%s,%s,%s\n" % (HINT, self.identity, self.key.decode()))
        port = free_port_pair()
        self.proc = subprocess.Popen(
            [SERVER, "-A", "127.0.0.1", "-p", str(port), "-h", HINT, "-k", OTHER_KEY.decode(), "-i", ids, "-v", "3"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_coap(port)
        except Exception:
            self.stop()
            raise
        self.dtls_port = port + 1
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
