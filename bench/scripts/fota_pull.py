# One pull download over real UDP loopback, both ends in this process: a
# repository Endpoint (server role, package in RAM) and the device's object 5
# (FileStore in a temp folder). Runs on CPython and MicroPython; prints
# "size blocks seconds peak_heap_growth".
#   fota_pull.py <firmware dir> <flash dir> <package size> <mtu> <repo port> [heap]
# With "heap", the live heap (after gc.collect()) is sampled at every block,
# which slows the transfer: rates come from runs without it.
import sys, gc

sys.path.insert(0, sys.argv[1])
from lwm2m.clock import SystemClock
from lwm2m.compat import ticks_ms, ticks_diff
from lwm2m.link.udp import UdpLink
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.params import Params
from lwm2m.coap.message import Message
from lwm2m.model import Model
from lwm2m.fota.store import FileStore
from lwm2m.fota.build import build
from lwm2m.fota.update import FirmwareUpdate

root, size, mtu, port = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
body = bytes(range(256)) * (size // 256)
HEAP = len(sys.argv) > 6 and hasattr(gc, "mem_alloc")
pkg = build([("lwm2m/big.mpy", body)], "bench", "fw", "2")
del body


def repo_handler(m, peer):
    r = Message(0x45)
    r.payload = pkg
    return r


clock = SystemClock()
rlink = UdpLink("127.0.0.1", port, mtu)
repo = Endpoint(rlink, clock, repo_handler, Params(max_body=1 << 24))
dlink = UdpLink("127.0.0.1", 0, mtu)
dev = Endpoint(dlink, clock)
from lwm2m.compat import sockaddr

peer = sockaddr("127.0.0.1", port)
fu = FirmwareUpdate(FileStore(root), clock, {"board": "bench", "connect": lambda s, h, p: (dev, peer)})
model = Model()
fu.install(model, dev)
blocks = [0]
peak = [0]
inner = fu._block


def counting(ex, off, payload, more):
    blocks[0] += 1
    a = 0
    if HEAP:
        gc.collect()
        a = gc.mem_alloc()
    if a > peak[0]:
        peak[0] = a
    inner(ex, off, payload, more)


fu._block = counting
gc.collect()
base = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
peak[0] = base
t0 = ticks_ms()
model.write((5, 0, 1), [((5, 0, 1), "coap://127.0.0.1:%d/fw" % port)])
fu.step()
while fu.state == 1 and not fu._todo:
    repo.poll(0)
    dev.poll(0)
dt = ticks_diff(ticks_ms(), t0) / 1000
fu.step()  # unpack and check
print(len(pkg), blocks[0], dt, peak[0] - base, fu.state, fu.result)
