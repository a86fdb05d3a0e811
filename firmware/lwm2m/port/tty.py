# A serial device file (a real UART adapter, or a pseudo-terminal playing one)
# as the UART the modem drivers expect: write(data), read(n) -> bytes or None
# when nothing has arrived. Works on the MicroPython unix port and CPython.
import select


class TtyUart:
    def __init__(self, path):
        self._f = open(path, "r+b", buffering=0)
        self._poll = select.poll()
        self._poll.register(self._f, select.POLLIN)
        self._byte = bytearray(1)

    def write(self, data):
        return self._f.write(data)

    def read(self, n):
        # readinto(n bytes) blocks until all n arrive on MicroPython, so take
        # one byte at a time while the device says it has more.
        out = None
        while (out is None or len(out) < n) and self._poll.poll(0):
            if not self._f.readinto(self._byte):
                break
            if out is None:
                out = bytearray()
            out.append(self._byte[0])
        return bytes(out) if out else None

    def close(self):
        self._f.close()
