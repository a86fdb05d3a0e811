# Costs of the firmware-update code on MicroPython: heap taken by importing
# it (the modules a board loads for object 5), time to verify an ECDSA P-256
# signature and an HMAC, time to check and unpack a package.
#   micropython fota_costs.py <mpy dir> <flash dir> <package file>
import sys, gc, time

sys.path.insert(0, sys.argv[1])
# What the client already has loaded; the figure is object 5's own share.
from lwm2m import compat, error  # noqa
from lwm2m.coap import message, block  # noqa
from lwm2m.model import Model  # noqa

gc.collect()
a0 = gc.mem_alloc()
from lwm2m.fota import update, mount, package, slots, sig, store, uri  # noqa

gc.collect()
print("import_heap", gc.mem_alloc() - a0)
import hashlib

PUB = bytes.fromhex(
    "0476c104136da70e2458b50040d759637c832a185c104689f29a396ff39d27e8"
    "9ae69c680e2f10ce70e57428acfda17acb650d9d912298d3bdd9017f0d20106f76")
SIG = bytes.fromhex(
    "02790572c43b52a67cb76fa577d27b95e1de305915ab6e4e1e331fbcce1020cf"
    "8da85a3ded49ba21f14e95e86439f8b4f548b3af5c6f4b20452e884a0dfa1a92")
d = hashlib.sha256(b"header").digest()
t = time.ticks_ms()
for _ in range(5):
    assert sig.verify(sig.ECDSA_P256, PUB, d, SIG)
print("ecdsa_ms", time.ticks_diff(time.ticks_ms(), t) / 5)
t = time.ticks_ms()
for _ in range(100):
    sig.hmac_sha256(b"key", d)
print("hmac_ms", time.ticks_diff(time.ticks_ms(), t) / 100)
st = store.FileStore(sys.argv[2])
f = st.open("p", "wb")
src = open(sys.argv[3], "rb")
while True:
    b = src.read(1024)
    if not b:
        break
    f.write(b)
f.close()
gc.collect()
a0 = gc.mem_alloc()
t = time.ticks_ms()
hd = package.check(st, "p", "bench")
package.unpack(st, "p", hd, "a")
dt = time.ticks_diff(time.ticks_ms(), t)
print("unpack_ms", dt, "files", hd.files, "bytes", hd.total)
